"""The Open Cap Table Format export: every file validates against the OCF 1.2.0 schemas (resolved
locally, no network), and the transactions add up to the register as of the snapshot's size."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from app.commands import command
from app.interchange.formats.ocf_reorganisations import share_out
from app.interchange.formats.ocf_transactions import History, Securities, numeric
from app.register import (
    capital,
    classes,
    conversion,
    issuance,
    reorganisation,
    restrictions,
    transfers,
)
from app.register.ratios import ROUND_DOWN_CASH_IN_LIEU, ROUND_HALF_UP
from app.register.requests import (
    AmendClass,
    CancelShares,
    ChangeFreeze,
    Consideration,
    ConvertShares,
    ForcedTransfer,
    FractionTerms,
    IssueShares,
    RedeemShares,
    ReorganiseClass,
    RepurchaseShares,
)
from app.register.snapshot import LoggedEntry
from tests.support.helpers import allocation, submit, transfer_request
from tests.support.snapshots import ACTOR, build_register, read
from tests.support.vectors import vectors_folder

FILE_SCHEMAS = {
    "Manifest.ocf.json": "files/OCFManifestFile.schema.json",
    "Stakeholders.ocf.json": "files/StakeholdersFile.schema.json",
    "StockClasses.ocf.json": "files/StockClassesFile.schema.json",
    "Transactions.ocf.json": "files/TransactionsFile.schema.json",
}


SCHEMAS = vectors_folder("ocf-1.2.0") / "schema"


@pytest.fixture(autouse=True)
def _require_schemas() -> None:
    # The reference schemas, not the app's bundled copy: missing ones are a broken checkout.
    if not SCHEMAS.is_dir():
        pytest.fail(f"no OCF schemas at {SCHEMAS} (set SHARELEDGER_VECTORS)")


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft7Validator]:
    """A validator per OCF file type, every $ref resolved from the local schema files."""
    documents = [json.loads(path.read_text()) for path in sorted(SCHEMAS.rglob("*.json"))]
    registry = Registry().with_resources(
        (document["$id"], Resource.from_contents(document)) for document in documents
    )
    by_id = {document["$id"]: document for document in documents}
    base = documents[0]["$id"].split("/v/1.2.0/")[0] + "/v/1.2.0/"
    return {
        name: Draft7Validator(
            by_id[base + path], registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER
        )
        for name, path in FILE_SCHEMAS.items()
    }


def _package(client, issuer_id: str, headers: dict, **params) -> dict[str, Any]:
    response = read(
        client.get(
            f"/api/v1/issuers/{issuer_id}/snapshot",
            query_string={"format": "ocf", **params},
            headers=headers,
        )
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert archive.testzip() is None
    raw = {name: archive.read(name) for name in archive.namelist()}
    assert set(raw) == set(FILE_SCHEMAS)
    return {"raw": raw, **{name: json.loads(data) for name, data in raw.items()}}


def _snapshot(client, issuer_id: str, headers: dict, **params) -> dict[tuple[str, str], int]:
    response = read(
        client.get(f"/api/v1/issuers/{issuer_id}/snapshot", query_string=params, headers=headers)
    )
    return {
        (share_class["code"], holding["holder_id"]): holding["quantity"]
        for share_class in response.get_json()["classes"]
        for holding in share_class["holdings"]
    }


def _validate(package: dict, validators: dict[str, Draft7Validator]) -> None:
    for name, validator in validators.items():
        errors = sorted(validator.iter_errors(package[name]), key=lambda e: list(e.path))
        assert not errors, f"{name}: {[(list(e.path), e.message) for e in errors[:5]]}"
    for key, name in (
        ("stakeholders_files", "Stakeholders.ocf.json"),
        ("stock_classes_files", "StockClasses.ocf.json"),
        ("transactions_files", "Transactions.ocf.json"),
    ):
        (listed,) = package["Manifest.ocf.json"][key]
        assert listed["filepath"] == f"./{name}"
        assert listed["md5"] == hashlib.md5(package["raw"][name]).hexdigest()


def _positions(transactions: list[dict]) -> dict[tuple[str, str], int]:
    """Replay OCF's security model: an issuance creates a security; a transfer, cancellation,
    repurchase, conversion or reissuance consumes one whole (its remainder comes back as a
    balance security); a class split scales every open security of its class exactly."""
    open_securities: dict[str, tuple[str, str, Fraction]] = {}
    consumed: set[str] = set()
    promised: list[str] = []
    for item in transactions:
        kind = item["object_type"]
        if kind == "TX_STOCK_ISSUANCE":
            assert (
                item["security_id"] not in open_securities and item["security_id"] not in consumed
            )
            open_securities[item["security_id"]] = (
                item["stock_class_id"],
                item["stakeholder_id"],
                Fraction(item["quantity"]),
            )
        elif kind == "TX_STOCK_CLASS_SPLIT":
            ratio = item["split_ratio"]
            factor = Fraction(ratio["numerator"]) / Fraction(ratio["denominator"])
            for security_id, (code, holder, held) in list(open_securities.items()):
                if code == item["stock_class_id"]:
                    open_securities[security_id] = (code, holder, held * factor)
        elif kind in CONSUMING:
            code, holder, held = open_securities.pop(item["security_id"])
            consumed.add(item["security_id"])
            assert Fraction(item.get(CONSUMING[kind], held)) <= held
            promised += item.get("resulting_security_ids", [])
            if "balance_security_id" in item:
                promised.append(item["balance_security_id"])
    positions: Counter = Counter()
    for code, holder, quantity in open_securities.values():
        assert quantity.denominator == 1, "every fraction a split leaves is reissued whole"
        positions[code, holder] += int(quantity)
    issued = {item["security_id"] for item in transactions if "stakeholder_id" in item}
    assert set(promised) <= issued, "every resulting and balance security has its issuance"
    return dict(positions)


# The transactions that consume a security, and the field saying how much of it.
CONSUMING = {
    "TX_STOCK_TRANSFER": "quantity",
    "TX_STOCK_CANCELLATION": "quantity",
    "TX_STOCK_REPURCHASE": "quantity",
    "TX_STOCK_CONVERSION": "quantity_converted",
    "TX_STOCK_REISSUANCE": None,
}


def test_package_validates_and_adds_up_at_every_size(
    app, client, new_issuer, regulator_headers, validators
):
    register = build_register(app, new_issuer()["id"])
    for size in (register.issued_size, register.transferred_size, register.latest_size):
        package = _package(client, register.issuer_id, regulator_headers, tree_size=size)
        _validate(package, validators)
        transactions = package["Transactions.ocf.json"]["items"]
        expected = _snapshot(client, register.issuer_id, regulator_headers, tree_size=size)
        assert _positions(transactions) == expected, size
    manifest = package["Manifest.ocf.json"]
    assert manifest["issuer"]["legal_name"] == "Acme Widgets Ltd"
    assert manifest["issuer"]["country_of_formation"] == "GB"
    comments = "\n".join(manifest["comments"])
    assert f"tree size {register.latest_size}" in comments
    assert "holder.erased x1" in comments and "holder.registered x6" in comments
    stakeholders = {s["id"]: s for s in package["Stakeholders.ocf.json"]["items"]}
    assert len(stakeholders) == 6
    assert stakeholders[register.ids["dora"]]["name"]["legal_name"] == "[erased]"
    assert "addresses" not in stakeholders[register.ids["dora"]]
    brunel = stakeholders[register.ids["brunel"]]
    assert (brunel["stakeholder_type"], brunel["addresses"][0]["country"]) == ("INSTITUTION", "GB")
    assert "GB-CRN" not in json.dumps(package["Stakeholders.ocf.json"])  # no identifiers
    classes = {c["id"]: c for c in package["StockClasses.ocf.json"]["items"]}
    assert classes["PREF"]["votes_per_share"] == "2"
    assert classes["ORD"]["initial_shares_authorized"] == "UNLIMITED"
    assert classes["ORD"]["par_value"] == {"amount": "0.01", "currency": "GBP"}


def test_an_old_size_leaves_out_what_came_after(app, client, new_issuer, regulator_headers):
    register = build_register(app, new_issuer()["id"])
    package = _package(client, register.issuer_id, regulator_headers, tree_size=1)
    assert package["Manifest.ocf.json"]["issuer"]["legal_name"] == "Acme Widgets Ltd"
    for name in ("Transactions.ocf.json", "StockClasses.ocf.json", "Stakeholders.ocf.json"):
        assert package[name]["items"] == [], name


def test_capital_changes_and_skipped_kinds(app, client, new_issuer, regulator_headers, validators):
    """Securities consumed across lots (FIFO, with balances), cancellations, repurchases,
    redemptions, a forced transfer and a freeze (which OCF has no type for)."""
    register = build_register(app, new_issuer()["id"])
    issuer_id, ids = register.issuer_id, register.ids
    with app.app_context():
        # brunel now has two ORD securities: 300 and 40
        bought = allocation(ids["brunel"], 40, price_per_share=Decimal("1.25"), currency="GBP")
        submit(issuer_id, issuance.issue_shares, IssueShares((bought,)))
        # takes all of the 300 and 10 of the 40
        sold = transfer_request(ids["brunel"], ids["carol"], 310, instrument_reference="STF-9",
                                consideration=Decimal("620.00"), currency="GBP")  # fmt: skip
        submit(issuer_id, transfers.lodge_transfer, sold)
        with command(ACTOR, issuer_id) as ctx:
            carol = ids["carol"]
            capital.cancel_shares(ctx, CancelShares("ORD", carol, 5, reason="forfeit"))
            capital.repurchase_shares(ctx, RepurchaseShares("ORD", carol, 7, Decimal("2.5"), "GBP"))
            beer = Consideration("products_or_services", description="beer")
            capital.redeem_shares(ctx, RedeemShares("ORD", carol, 3, beer))
            restrictions.freeze(ctx, ChangeFreeze("ORD", ids["ada"], 10, reason="court order 1"))
            restrictions.forced_transfer(
                ctx, ForcedTransfer("ORD", ids["ada"], ids["ada2"], 50, "court order 2")
            )
    package = _package(client, issuer_id, regulator_headers)
    _validate(package, validators)
    transactions = package["Transactions.ocf.json"]["items"]
    assert _positions(transactions) == _snapshot(client, issuer_id, regulator_headers)
    kinds = Counter(item["object_type"] for item in transactions)
    assert kinds["TX_STOCK_CANCELLATION"] >= 2 and kinds["TX_STOCK_REPURCHASE"] >= 1
    split = [t for t in transactions if t.get("comments") == ["instrument of transfer: STF-9"]]
    assert [(t["quantity"], "balance_security_id" in t) for t in split] == [
        ("300", False),
        ("10", True),
    ]
    assert all(t["consideration_text"] == "620.00 GBP" for t in split)
    redeemed = [t for t in transactions if t.get("reason_text", "").startswith("redeemed")]
    assert redeemed and "beer" in redeemed[0]["reason_text"]
    comments = "\n".join(package["Manifest.ocf.json"]["comments"])
    assert "holding.frozen x1" in comments
    assert "covered" not in comments  # every quantity matched a security


def test_securities_are_consumed_oldest_first():
    securities = Securities()
    securities.add("ORD", "h", "S-1", 5)
    securities.add("ORD", "h", "S-2", 7)
    assert securities.take("ORD", "h", 6) == ([("S-1", 5), ("S-2", 7)], 0)
    securities.keep_first("ORD", "h", "S-2-BAL", 6)
    securities.add("ORD", "h", "S-3", 1)
    assert securities.take("ORD", "h", 10) == ([("S-2-BAL", 6), ("S-3", 1)], 3)
    assert securities.take("ORD", "h", 1) == ([], 1)


def test_numeric_is_ocf_fixed_point():
    assert [numeric(v) for v in ("1E+2", "0.01", "5", "0.000000000001")] == [
        "100",
        "0.01",
        "5",
        "0.0000000000",  # OCF allows ten decimal places at most
    ]


def test_reorganisations_and_redemptions_are_exported(
    app, client, new_issuer, regulator_headers, validators
):
    """A split that leaves fractions (its securities reissued whole), a consolidation with
    cash in lieu, a conversion across two securities, a cash redemption (a repurchase in OCF
    terms) and a limit removed: schema-valid, adding up, the register's kinds in comments."""
    register = build_register(app, new_issuer()["id"])
    issuer_id, ids = register.issuer_id, register.ids
    with app.app_context():
        submit(issuer_id, issuance.issue_shares, IssueShares((allocation(ids["ada"], 7),)))
        with command(ACTOR, issuer_id) as ctx:
            classes.amend_class(ctx, AmendClass("ORD", par_value=Decimal("0.03")))
            split = ReorganiseClass("ORD", FractionTerms("3:2", ROUND_HALF_UP))
            reorganisation.split_class(ctx, split)
            convert = FractionTerms("1:2", ROUND_HALF_UP)
            conversion.convert_shares(ctx, ConvertShares(ids["ada"], "ORD", "PREF", 9, convert))
            cash = Consideration("cash", Decimal("30.00"), "GBP")
            capital.redeem_shares(ctx, RedeemShares("ORD", ids["carol"], 12, cash))
            terms = FractionTerms("1:3", ROUND_DOWN_CASH_IN_LIEU, Decimal("0.90"), "GBP")
            reorganisation.consolidate_class(ctx, ReorganiseClass("ORD", terms))
            classes.amend_class(ctx, AmendClass("PREF", authorised=500))
            classes.amend_class(ctx, AmendClass("PREF", authorised=None))
    package = _package(client, issuer_id, regulator_headers)
    _validate(package, validators)
    transactions = package["Transactions.ocf.json"]["items"]
    assert _positions(transactions) == _snapshot(client, issuer_id, regulator_headers)
    splits = [t for t in transactions if t["object_type"] == "TX_STOCK_CLASS_SPLIT"]
    assert [t["split_ratio"] for t in splits] == [
        {"numerator": "3", "denominator": "2"},
        {"numerator": "1", "denominator": "3"},  # a consolidation: a ratio below one
    ]
    assert "ShareLedger entry kind: class.consolidated" in splits[1]["comments"]
    assert any("0.90 GBP a new share" in comment for comment in splits[1]["comments"])
    assert any('"par_value_after": "0.02"' in comment for comment in splits[0]["comments"])
    reissued = [t for t in transactions if t["object_type"] == "TX_STOCK_REISSUANCE"]
    assert reissued and all(
        t["split_transaction_id"] in {s["id"] for s in splits} for t in reissued
    )
    assert any("cash in lieu of" in " ".join(t["comments"]) for t in reissued)
    conversions = [t for t in transactions if t["object_type"] == "TX_STOCK_CONVERSION"]
    assert sum(int(t["quantity_converted"]) for t in conversions) == 9
    assert "ShareLedger entry kind: shares.converted" in conversions[0]["comments"]
    (redeemed,) = [t for t in transactions if "ShareLedger entry kind: shares.redeemed"
                   in t.get("comments", [])]  # fmt: skip
    assert redeemed["object_type"] == "TX_STOCK_REPURCHASE"
    assert redeemed["price"] == {"amount": "2.50", "currency": "GBP"}  # 30.00 for 12 shares
    removed = [t for t in transactions if t.get("stock_class_id") == "PREF"
               and t["object_type"] == "TX_STOCK_CLASS_AUTHORIZED_SHARES_ADJUSTMENT"]  # fmt: skip
    assert [t["new_shares_authorized"] for t in removed] == ["500", str(2**63 - 1)]
    assert "no authorised number" in removed[1]["comments"][0]
    ids_in_order = [t["id"] for t in transactions if "-" not in t["id"].removeprefix("TX-")]
    assert ids_in_order == sorted(ids_in_order)  # the log's order is the ids' order
    classes_exported = {c["id"]: c for c in package["StockClasses.ocf.json"]["items"]}
    assert classes_exported["ORD"]["par_value"] == {"amount": "0.06", "currency": "GBP"}


def test_a_rounded_holding_is_shared_out_by_largest_remainder():
    # 10.5 and 7.5 (and 3 exactly) make 21, rounded to 21 or 20: each security gets its exact
    # quantity rounded down or up, the larger remainder (then the greater id) first.
    exact = {"S-1": Fraction(21, 2), "S-2": Fraction(15, 2), "S-3": Fraction(3)}
    assert share_out(exact, 21) == {"S-1": 10, "S-2": 8, "S-3": 3}  # equal remainders
    assert share_out({"A": Fraction(11, 4), "B": Fraction(5, 4)}, 4) == {"A": 3, "B": 1}
    assert share_out(exact, 20) == {"S-1": 10, "S-2": 7, "S-3": 3}
    assert share_out({"S-1": Fraction(1, 3)}, 0) == {"S-1": 0}
    with pytest.raises(ValueError):
        share_out(exact, 19)  # below the quantities rounded down: no rounding gives it


def test_an_old_split_entry_without_holdings_or_par_value_is_exported_from_its_terms():
    """Split entries written before they carried each holding's result and the par value
    after: the holding is rounded by the entry's terms, and the par value stays."""

    def entry(index: int, kind: str, **data) -> LoggedEntry:
        return LoggedEntry(index, datetime(2025, 1, 1, tzinfo=UTC), kind, data)

    created = {"class": "ORD", "name": "Ordinary", "votes_per_share": "1", "par_value": "0.01",
               "currency": "GBP", "authorised": None}  # fmt: skip
    entries = [
        entry(0, "class.created", **created),
        entry(1, "shares.issued", **{"class": "ORD"}, holder_id="h", quantity="3"),
        entry(2, "shares.issued", **{"class": "ORD"}, holder_id="h", quantity="2"),
        entry(3, "class.split", **{"class": "ORD"}, ratio="3:2", fraction_policy=ROUND_HALF_UP,
              issued_before="5", issued_after="8", authorised_before=None,
              authorised_after=None),
    ]  # fmt: skip
    history = History()
    transactions = list(history.transactions(entries))
    assert _positions(transactions) == {("ORD", "h"): 8}  # 7.5 rounded half up
    assert history.classes["ORD"]["par_value"] == "0.01"
