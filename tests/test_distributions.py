"""Distributions: entitlements follow the register at the end of the record date (the last
checkpoint signed by then), on replay too; they are fixed once that day has ended (at once,
by `flask distributions fix`, or at the first read), each rounded down to the currency's
minor unit, with the residue stated."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.commands import command
from app.extensions import db
from app.ledger import log
from app.register import classes, holders, restrictions, transfers
from app.register.distributions import declare_distribution
from app.register.queries import entitlements
from app.register.requests import CeaseHolder, ChangeFreeze, DeclareDistribution, EraseHolder
from tests.support.actions import (
    HOLDER_C,
    assert_replays,
    last_entry,
    register_state,
)
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    ORDINARY,
    STATED_PURPOSE,
    Clock,
    add_holders,
    bearer,
    class_request,
    issue,
    set_clock,
    submit,
    transfer_request,
)

DAY_1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LAST_MOMENT_OF_DAY_1 = datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=UTC)
DAY_2 = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
DAY_3 = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock(app) -> Clock:
    """Stamp every command's entries and checkpoint with a time the test sets."""
    return set_clock(app, DAY_1)


@pytest.fixture
def dated(app, client, clock, new_issuer, make_token):
    """Day 1: classes ORD and PREF (nobody holds PREF); A gets 100 ORD, 30 of them frozen,
    B 50; at the last microsecond of the day C gets 10. Day 2, at midnight: B transfers all 50
    to C, ceases and is erased. Now it is day 3."""
    issuer_id = new_issuer()["id"]
    with app.app_context():
        for share_class in (ORDINARY, {**ORDINARY, "code": "PREF", "name": "Preference"}):
            submit(issuer_id, classes.create_class, class_request(share_class))
        a, b, c = add_holders(issuer_id, HOLDER_A, HOLDER_B, HOLDER_C)
        issue(issuer_id, (a, 100), (b, 50))
        with command("test", issuer_id) as ctx:
            restrictions.freeze(ctx, ChangeFreeze("ORD", a, 30, reason="court order 2026/123"))
        clock.now = LAST_MOMENT_OF_DAY_1
        issue(issuer_id, (c, 10))
        size_at_end_of_day_1 = log.signed_size(db.session, issuer_id)
        clock.now = DAY_2
        transfer = transfer_request(b, c, 50, instrument_reference="1")
        submit(issuer_id, transfers.lodge_transfer, transfer)
        submit(issuer_id, holders.cease_holder, CeaseHolder(b))
        submit(issuer_id, holders.erase_holder, EraseHolder(b))
        size_at_end_of_day_2 = log.signed_size(db.session, issuer_id)
    clock.now = DAY_3
    headers = bearer(make_token("secretary", issuer_id))
    base = f"/api/v1/issuers/{issuer_id}/distributions"

    def declare(record_date: str, **fields) -> tuple[int, dict]:
        body = {
            "class": "ORD",
            "amount_per_share": "0.125",
            "currency": "GBP",
            "record_date": record_date,
            **fields,
        }
        response = client.post(base, json=body, headers=headers)
        return response.status_code, response.get_json()

    return {
        "issuer_id": issuer_id,
        "a": a,
        "b": b,
        "c": c,
        "end_of_day_1": size_at_end_of_day_1,
        "end_of_day_2": size_at_end_of_day_2,
        "declare": declare,
        "base": base,
        "headers": headers,
    }


def entries(app, issuer_id: str) -> list[dict]:
    with app.app_context():
        return [
            e.envelope
            for e in log.read_entries(
                db.session, issuer_id, 0, log.signed_size(db.session, issuer_id)
            )
        ]


def kinds(app, issuer_id: str) -> list[str]:
    return [entry["kind"] for entry in entries(app, issuer_id)]


def _lines(body: dict) -> list[tuple]:
    return [(e["holder_id"], e["name"], e["quantity"], e["amount"]) for e in body["entitlements"]]


def test_entitlements_follow_the_register_at_the_end_of_the_record_date(app, dated):
    status, body = dated["declare"]("2026-03-02", payment_date="2026-03-20")
    assert status == 201, body
    assert body["record_tree_size"] == dated["end_of_day_1"]
    # Frozen shares are still held, so entitled; the erased holder keeps an entitlement
    # without a name, listed last.
    assert _lines(body) == [
        (dated["a"], "Ada Lovelace", 100, "12.50"),
        (dated["c"], "Charles Babbage", 10, "1.25"),
        (dated["b"], None, 50, "6.25"),
    ]
    assert (body["total_shares"], body["total_amount"]) == (160, "20.000")
    assert (body["paid_amount"], body["rounding_residue"], body["status"]) == (
        "20.00",
        "0.000",
        "fixed",
    )
    assert body["payment_date"] == "2026-03-20"
    declared, fixed = entries(app, dated["issuer_id"])[-2:]
    assert declared["kind"] == "distribution.declared"
    assert declared["data"] == {
        "distribution_id": body["distribution_id"],
        "class": "ORD",
        "amount_per_share": "0.125",
        "currency": "GBP",
        "record_date": "2026-03-02",
        "payment_date": "2026-03-20",
    }
    assert fixed["kind"] == "distribution.entitlements_fixed"
    assert fixed["data"] == {
        "distribution_id": body["distribution_id"],
        "record_tree_size": str(dated["end_of_day_1"]),
        "minor_unit_digits": "2",
        "total_shares": "160",
        "total_amount": "20.000",
        "paid_amount": "20.00",
        "rounding_residue": "0.000",
    }
    assert (body["declared_index"], body["fixed_index"]) == (declared["index"], fixed["index"])
    assert_replays(app, dated["issuer_id"])


def test_a_later_record_date_sees_the_later_transfer(app, dated):
    status, body = dated["declare"]("2026-03-03")
    assert status == 201, body
    assert body["record_tree_size"] == dated["end_of_day_2"]
    assert _lines(body) == [
        (dated["a"], "Ada Lovelace", 100, "12.50"),
        (dated["c"], "Charles Babbage", 60, "7.50"),
    ]
    assert body["payment_date"] is None
    assert_replays(app, dated["issuer_id"])


@pytest.mark.parametrize(
    ("record_date", "fields", "status", "code"),
    [
        ("2026-03-01", {}, 409, "no_register_at_record_date"),
        ("2026-03-02", {"class": "PREF"}, 409, "no_shares_at_record_date"),
        ("2026-03-02", {"class": "NONE"}, 404, "not_found"),
        ("2026-03-02", {"payment_date": "2026-03-01"}, 422, "invalid_input"),
        ("2026-03-02", {"amount_per_share": "0"}, 422, "invalid_input"),
        ("2026-03-02", {"amount_per_share": "-1"}, 422, "invalid_input"),
        ("2026-03-02", {"amount_per_share": "0.0000000000001"}, 422, "invalid_input"),
        ("2026-03-02", {"amount_per_share": "NaN"}, 422, "invalid_input"),
        ("2026-03-02", {"currency": "pounds"}, 422, "invalid_input"),
        ("2026-03-02", {"currency": "ZZZ"}, 422, "invalid_input"),  # no such ISO 4217 code
        ("2026-03-05", {"currency": "ZZZ"}, 422, "invalid_input"),
        ("2026-03-05", {"payment_date": "2026-03-04"}, 422, "invalid_input"),
        ("2 March", {}, 422, "invalid_input"),
    ],
)
def test_refused_declarations_change_nothing(app, dated, record_date, fields, status, code):
    before = register_state(app, dated["issuer_id"])
    got_status, body = dated["declare"](record_date, **fields)
    assert (got_status, body["code"]) == (status, code), body
    assert register_state(app, dated["issuer_id"]) == before


@pytest.mark.parametrize(("currency", "digits"), [("GBP", 2), ("JPY", 0), ("BHD", 3)])
def test_amounts_are_rounded_down_to_the_minor_unit_and_the_residue_is_stated(
    app, clock, new_issuer, currency, digits
):
    """Exact beyond float and default decimal precision, then rounded down per holder."""
    issuer_id = new_issuer()["id"]
    quantities, per_share = (10**15 + 7, 3), "123456.123456789012"
    with app.app_context():
        submit(issuer_id, classes.create_class, class_request())
        holder_ids = add_holders(issuer_id, HOLDER_A, HOLDER_C)
        issue(issuer_id, *zip(holder_ids, quantities, strict=True))
        clock.now = DAY_2
        request = DeclareDistribution("ORD", Decimal(per_share), currency, DAY_1.date())
        with command("test", issuer_id) as ctx:
            declared = declare_distribution(ctx, request)
        lines = entitlements(db.session, issuer_id, declared.distribution_id)
    # Independent integer arithmetic in units of 10**-12.
    exact_units = [quantity * int(per_share.replace(".", "")) for quantity in quantities]
    paid_units = [units - units % 10 ** (12 - digits) for units in exact_units]

    def text(units: int, places: int) -> str:
        whole, rest = divmod(units // 10 ** (12 - places), 10**places)
        return f"{whole}.{rest:0{places}d}" if places else str(whole)

    assert {line.holder_id: line.amount for line in lines} == {
        holder_id: text(units, digits)
        for holder_id, units in zip(holder_ids, paid_units, strict=True)
    }
    assert declared.total_amount == text(sum(exact_units), 12)
    assert declared.paid_amount == text(sum(paid_units), digits)
    assert declared.rounding_residue == text(sum(exact_units) - sum(paid_units), 12)
    assert Decimal(declared.rounding_residue) > 0
    assert last_entry(app, issuer_id)["data"]["rounding_residue"] == declared.rounding_residue
    assert_replays(app, issuer_id)


def test_reading_distributions(client, dated, make_token):
    _, first = dated["declare"]("2026-03-02")
    _, second = dated["declare"]("2026-03-03", amount_per_share="1")
    # The entitlements name holders: a regulator states a purpose to read them.
    regulator = {**bearer(make_token("regulator")), **STATED_PURPOSE}
    listing = client.get(dated["base"], headers=regulator)
    assert listing.status_code == 200
    assert [d["distribution_id"] for d in listing.get_json()["distributions"]] == [
        first["distribution_id"],
        second["distribution_id"],
    ]
    assert "entitlements" not in listing.get_json()["distributions"][0]
    one = client.get(f"{dated['base']}/{second['distribution_id']}", headers=regulator)
    assert one.status_code == 200
    assert one.get_json() == second
    assert second["total_amount"] == "160"
    missing = client.get(f"{dated['base']}/nothing", headers=regulator)
    assert (missing.status_code, missing.get_json()["code"]) == (404, "not_found")


def test_only_the_issuers_secretary_or_the_operator_may_declare(
    app, client, dated, make_token, operator_headers
):
    body = {"class": "ORD", "amount_per_share": "1", "currency": "GBP", "record_date": "2026-03-02"}
    before = register_state(app, dated["issuer_id"])
    response = client.post(dated["base"], json=body, headers=bearer(make_token("regulator")))
    assert response.status_code == 403
    assert register_state(app, dated["issuer_id"]) == before
    response = client.post(dated["base"], json=body, headers=operator_headers)
    assert response.status_code == 201


DAY_4 = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
DAY_5 = datetime(2026, 3, 6, 0, 0, 1, tzinfo=UTC)


@pytest.fixture
def ahead(app, dated, clock):
    """On day 3, a distribution is declared with record date day 4; on day 4 C transfers 5
    shares to A. Then the record date is over."""
    status, body = dated["declare"]("2026-03-05", payment_date="2026-03-31")
    assert status == 201, body
    clock.now = DAY_4
    with app.app_context():
        transfer = transfer_request(dated["c"], dated["a"], 5, instrument_reference="STF-ahead")
        submit(dated["issuer_id"], transfers.lodge_transfer, transfer)
        end_of_record_date = log.signed_size(db.session, dated["issuer_id"])
    return {**dated, "declared": body, "end_of_record_date": end_of_record_date}


def test_a_record_date_to_come_is_declared_now_and_fixed_after_it(app, client, ahead, clock):
    declared = ahead["declared"]
    assert declared["status"] == "declared"
    assert declared["entitlements"] == []
    for name in ("record_tree_size", "total_shares", "total_amount", "rounding_residue"):
        assert declared[name] is None
    url = f"{ahead['base']}/{declared['distribution_id']}"
    # Still the record date: a read fixes nothing.
    assert client.get(url, headers=ahead["headers"]).get_json()["status"] == "declared"
    assert "distribution.entitlements_fixed" not in kinds(app, ahead["issuer_id"])

    clock.now = DAY_5
    with app.app_context():
        # After the record date: this transfer comes too late for the distribution.
        transfer = transfer_request(ahead["a"], ahead["c"], 50, instrument_reference="late")
        submit(ahead["issuer_id"], transfers.lodge_transfer, transfer)
    first = client.get(url, headers=ahead["headers"]).get_json()
    assert first["status"] == "fixed"
    assert first["record_tree_size"] == ahead["end_of_record_date"]
    assert _lines(first) == [
        (ahead["a"], "Ada Lovelace", 105, "13.12"),
        (ahead["c"], "Charles Babbage", 55, "6.87"),
    ]
    assert (first["total_amount"], first["paid_amount"], first["rounding_residue"]) == (
        "20.000",
        "19.99",
        "0.010",
    )
    fixed = entries(app, ahead["issuer_id"])[-1]
    assert (fixed["kind"], fixed["actor"]) == (
        "distribution.entitlements_fixed",
        "shareledger:record-date-passed",
    )
    assert fixed["data"]["rounding_residue"] == "0.010"
    assert first["fixed_index"] == fixed["index"]
    # Later reads, of the list or the one, find it fixed and log nothing more.
    size = len(entries(app, ahead["issuer_id"]))
    listing = client.get(ahead["base"], headers=ahead["headers"]).get_json()
    assert [d["status"] for d in listing["distributions"]] == ["fixed"]
    assert client.get(url, headers=ahead["headers"]).get_json() == first
    assert len(entries(app, ahead["issuer_id"])) == size
    assert_replays(app, ahead["issuer_id"])


def test_flask_distributions_fix_fixes_what_is_due_once(app, runner, ahead, clock):
    nothing_due = runner.invoke(args=["distributions", "fix"])
    assert nothing_due.exit_code == 0, nothing_due.output
    assert "no distribution is due" in nothing_due.output
    clock.now = DAY_5
    result = runner.invoke(args=["distributions", "fix"])
    assert result.exit_code == 0, result.output
    distribution_id = ahead["declared"]["distribution_id"]
    assert f"[1/1] issuer {ahead['issuer_id']}: fixed 1" in result.output
    assert f"{distribution_id} (record date 2026-03-05, 160 shares, residue 0.010 GBP)" in (
        result.output
    )
    assert kinds(app, ahead["issuer_id"]).count("distribution.entitlements_fixed") == 1
    again = runner.invoke(args=["distributions", "fix"])
    assert "no distribution is due" in again.output
    assert kinds(app, ahead["issuer_id"]).count("distribution.entitlements_fixed") == 1
    with app.app_context():
        lines = entitlements(db.session, ahead["issuer_id"], distribution_id)
    assert [(line.quantity, line.amount) for line in lines] == [(105, "13.12"), (55, "6.87")]
    assert_replays(app, ahead["issuer_id"])


def test_a_declaration_logged_before_fixing_was_an_entry_of_its_own_replays(app, dated):
    """Logs written before: `distribution.declared` carried the record tree size and fixed
    the entitlements at once, exactly; the rows read as the migration backfilled them."""
    with app.app_context(), command("test", dated["issuer_id"]) as ctx:
        applied = ctx.record(
            "distribution.declared",
            {
                "distribution_id": "0f1e2d3c-0000-4000-8000-000000000001",
                "class": "ORD",
                "amount_per_share": "0.125",
                "currency": "GBP",
                "record_date": "2026-03-02",
                "record_tree_size": str(dated["end_of_day_1"]),
            },
        )
    body = (
        app.test_client()
        .get(f"{dated['base']}/0f1e2d3c-0000-4000-8000-000000000001", headers=dated["headers"])
        .get_json()
    )
    assert (body["status"], body["fixed_index"], body["declared_index"]) == (
        "fixed",
        applied.index,
        applied.index,
    )
    assert (body["total_amount"], body["paid_amount"], body["rounding_residue"]) == (
        "20.000",
        "20.000",
        "0",
    )
    assert [line[3] for line in _lines(body)] == ["12.500", "1.250", "6.250"]
    assert_replays(app, dated["issuer_id"])
