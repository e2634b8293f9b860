"""Conversion between classes, split and consolidation: services and API, refusals, replay."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models.register import FractionSettlement, Pledge
from app.register import classes, holders, issuance, reorganisation, restrictions
from app.register.appliers import APPLIERS
from app.register.conversion import convert_shares
from app.register.errors import InvalidInput, NotFound, Refused
from app.register.holdings import RegisterInvariantError
from app.register.projection import Applied, apply_entry
from app.register.ratios import ROUND_DOWN_CASH_IN_LIEU, ROUND_HALF_UP
from app.register.requests import AmendClass, ChangeFreeze, CreateClass, ReleasePledge
from tests.support.actions import (
    CASH,
    HALF_UP,
    Company,
    conversion,
    new_company,
    reorganise_class,
    replays,
)
from tests.support.helpers import HOLDER_A, bearer, holder_request, issue_request


@pytest.fixture
def company(app) -> Company:
    return new_company(app)


@pytest.fixture
def secretary(company, make_token) -> dict[str, str]:
    return bearer(make_token("secretary", company.issuer_id))


def settlements(company: Company) -> list[tuple]:
    def read(session):
        rows = session.scalars(
            select(FractionSettlement)
            .where(FractionSettlement.issuer_id == company.issuer_id)
            .order_by(FractionSettlement.log_index, FractionSettlement.holder_id)
        )
        return [
            (row.log_index, row.holder_id, row.class_code, row.fraction, row.cash_amount,
             row.currency)
            for row in rows
        ]  # fmt: skip

    return company.driver.read(read)


def conversion_body(company: Company, quantity: int, ratio: str, **changes) -> dict:
    """A conversion as the API takes it."""
    return {"holder_id": company.a, "from_class": "PREF", "to_class": "ORD",
            "quantity": quantity, "ratio": ratio, **HALF_UP, **changes}  # fmt: skip


def allot(company: Company, code: str, holder_id: str, quantity: int) -> None:
    company.submit(issuance.issue_shares, issue_request((holder_id, quantity), class_code=code))


def split(company: Company, ratio: str, terms: dict, code: str = "ORD"):
    return company.submit(reorganisation.split_class, reorganise_class(code, ratio, terms))


def consolidate(company: Company, ratio: str, terms: dict, code: str = "ORD"):
    return company.submit(reorganisation.consolidate_class, reorganise_class(code, ratio, terms))


# --- conversion --------------------------------------------------------------------------------


def test_converting_moves_shares_between_classes_at_the_ratio(company):
    result = company.submit(convert_shares, conversion(company, 4, "3:1"))
    assert result.allotted == 12
    assert (result.from_holding.held, result.to_holding.held) == (6, 112)
    assert (company.issued("PREF"), company.issued("ORD")) == (6, 162)
    entry = company.last_entry()
    assert entry["kind"] == "shares.converted"
    assert entry["data"] == {
        "holder_id": company.a, "from_class": "PREF", "to_class": "ORD", "quantity": "4",
        "ratio": "3:1", "fraction_policy": ROUND_HALF_UP, "allotted": "12",
    }  # fmt: skip
    # One for one is the commonest conversion, so 1:1 is allowed here.
    company.submit(convert_shares, conversion(company, 6, "1:1"))
    assert company.holding("PREF", company.a) == (0, 0, 0, 0)
    assert company.holding("ORD", company.a) == (118, 0, 0, 0)
    assert settlements(company) == []
    replays(company)


def test_a_conversion_pays_cash_for_the_fraction(company):
    request = conversion(company, 10, "1:3", from_class="ORD", to_class="PREF", **CASH)
    result = company.submit(convert_shares, request)
    assert (result.allotted, result.fraction, result.cash_in_lieu) == (3, "0.333333333333", "0.30")
    assert company.holding("ORD", company.a) == (90, 0, 0, 0)
    assert company.holding("PREF", company.a) == (13, 0, 0, 0)
    data = company.last_entry()["data"]
    assert (data["cash_in_lieu_price"], data["currency"]) == ("0.90", "GBP")
    assert data["cash_in_lieu_amount"] == "0.30"
    index = result.entry.index
    assert settlements(company) == [(index, company.a, "PREF", "0.333333333333", "0.30", "GBP")]
    # A conversion with no leftover records no settlement.
    company.submit(convert_shares, replace(request, quantity=9))
    assert len(settlements(company)) == 1
    replays(company)


def test_a_conversion_respects_the_authorised_number_of_the_new_class(company):
    # PREF: 1000 authorised, 10 issued; 90 ORD at 11:1 would make 990 more, 91 would not fit.
    request = conversion(company, 91, "11:1", from_class="ORD", to_class="PREF")
    error = company.refused(Refused, "authorised_exceeded", convert_shares, request)
    assert error.details["requested"] == 1001
    company.submit(convert_shares, replace(request, quantity=90))
    assert company.issued("PREF") == 1000
    replays(company)


def test_conversion_refusals_leave_no_trace(company):
    company.freeze("PREF", company.a, 8)
    convert = convert_shares
    error = company.refused(
        Refused, "insufficient_available", convert, conversion(company, 3, "3:1")
    )
    assert error.details["available"] == 2
    company.refused(Refused, "holder_ceased", convert,
                    conversion(company, 1, "3:1", holder_id=company.gone))  # fmt: skip
    company.refused(NotFound, None, convert, conversion(company, 1, "3:1", holder_id="nobody"))
    company.refused(NotFound, None, convert, conversion(company, 1, "3:1", from_class="NOPE"))
    company.refused(NotFound, None, convert, conversion(company, 1, "3:1", to_class="NOPE"))
    for changes in [
        {"to_class": "PREF"},
        {"ratio": "3"},
        {"ratio": "0:1"},
        {"quantity": 0},
        {"fraction_policy": "round_up"},
        {"fraction_policy": ROUND_DOWN_CASH_IN_LIEU},  # no price
        {"cash_in_lieu_price": "1.00", "currency": "GBP"},  # a price but no cash policy
        {"ratio": "1:3", "quantity": 1},  # not one whole share
    ]:
        request = conversion(company, **{"quantity": 1, "ratio": "3:1", **changes})
        company.refused(InvalidInput, None, convert, request)
    replays(company)


# --- split and consolidation --------------------------------------------------------------------


def test_a_split_is_one_entry_that_scales_every_holding(company):
    result = split(company, "2:1", HALF_UP)
    assert (result.issued_before, result.issued_after, result.holdings_changed) == (150, 300, 2)
    assert company.holding("ORD", company.a) == (200, 0, 0, 0)
    assert company.holding("ORD", company.b) == (100, 0, 0, 0)
    assert company.holding("PREF", company.a) == (10, 0, 0, 0)
    entry = company.last_entry()
    assert entry["index"] == result.entry.index
    assert entry["kind"] == "class.split"
    assert entry["data"] == {
        "class": "ORD", "ratio": "2:1", "fraction_policy": ROUND_HALF_UP,
        "issued_before": "150", "issued_after": "300",
        "authorised_before": None, "authorised_after": None, "par_value_after": "0.005",
        # Each holding's result, in holder order, so that the applier only applies them.
        "holdings": sorted([{"holder_id": company.a, "held": "200"},
                            {"holder_id": company.b, "held": "100"}],
                           key=lambda result: result["holder_id"]),
    }  # fmt: skip
    company.driver.verify_log(company.issuer_id)
    replays(company)


def test_a_split_scales_the_authorised_number(company):
    company.submit(classes.amend_class, AmendClass("PREF", par_value=Decimal("0.03")))
    result = split(company, "3:1", HALF_UP, code="PREF")
    assert (result.authorised_before, result.share_class.authorised) == (1000, 3000)
    assert company.holding("PREF", company.a) == (30, 0, 0, 0)
    assert (company.authorised("PREF"), company.issued("PREF")) == (3000, 30)
    consolidate(company, "1:7", HALF_UP, code="PREF")
    assert (company.authorised("PREF"), company.issued("PREF")) == (428, 4)
    replays(company)


def test_a_consolidation_pays_cash_in_lieu_of_fractions(company):
    result = consolidate(company, "1:3", CASH)
    # a: 100 -> 33 and 1/3 (0.30 at 0.90 a new share); b: 50 -> 16 and 2/3 (0.60).
    assert company.holding("ORD", company.a) == (33, 0, 0, 0)
    assert company.holding("ORD", company.b) == (16, 0, 0, 0)
    assert (result.issued_after, result.cash_in_lieu_total) == (49, "0.90")
    index = result.entry.index
    expected = sorted(
        [
            (index, company.a, "ORD", "0.333333333333", "0.30", "GBP"),
            (index, company.b, "ORD", "0.666666666666", "0.60", "GBP"),
        ]
    )
    assert settlements(company) == expected
    data = company.last_entry()["data"]
    assert data["class"] == "ORD"
    assert (data["issued_before"], data["issued_after"], data["cash_in_lieu_total"]) == (
        "150", "49", "0.90",
    )  # fmt: skip
    assert company.last_entry()["kind"] == "class.consolidated"
    replays(company)


def test_a_consolidation_rounding_half_up(company):
    result = consolidate(company, "1:3", HALF_UP)
    assert company.holding("ORD", company.a) == (33, 0, 0, 0)  # 33.33
    assert company.holding("ORD", company.b) == (17, 0, 0, 0)  # 16.67
    assert result.issued_after == company.issued("ORD") == 50
    assert result.cash_in_lieu_total is None
    assert settlements(company) == []
    replays(company)


def test_encumbrances_scale_down_and_pledges_scale_one_by_one(company):
    company.freeze("ORD", company.a, 40)
    first = company.pledge("ORD", company.a, 26)
    company.pledge("ORD", company.a, 20)
    company.freeze("ORD", company.b, 50)  # wholly frozen
    consolidate(company, "1:2", HALF_UP)
    assert company.holding("ORD", company.a) == (50, 20, 23, 0)
    assert company.holding("ORD", company.b) == (25, 25, 0, 0)

    def pledges(session):
        rows = session.scalars(select(Pledge).where(Pledge.issuer_id == company.issuer_id))
        return sorted(row.quantity for row in rows)

    assert company.driver.read(pledges) == [10, 13]
    # Releasing a pledge releases its scaled quantity, so nothing goes negative.
    company.submit(restrictions.release_pledge, ReleasePledge(first))
    assert company.holding("ORD", company.a) == (50, 20, 10, 0)
    split(company, "4:1", CASH)
    assert company.holding("ORD", company.a) == (200, 80, 40, 0)
    replays(company)


def test_a_ratio_that_would_split_frozen_shares_is_refused(company):
    # 55 frozen shares at 1:10 would round to 5 frozen of 6 held: one share freed from a
    # court's freeze. The register refuses until the freeze is adjusted.
    allot(company, "ORD", company.b, 5)
    company.freeze("ORD", company.b, 55)
    before = company.holding("ORD", company.b)
    request = reorganise_class("ORD", "1:10", HALF_UP)
    error = company.refused(Refused, "encumbered_fraction", reorganisation.consolidate_class,
                            request)  # fmt: skip
    assert error.details["holder_id"] == company.b
    assert company.holding("ORD", company.b) == before
    company.submit(restrictions.unfreeze, ChangeFreeze("ORD", company.b, 5, "order varied"))
    consolidate(company, "1:10", HALF_UP)
    assert company.holding("ORD", company.b) == (6, 5, 0, 0)
    replays(company)


def test_a_holding_too_small_for_one_new_share_is_paid_off(company):
    allot(company, "PREF", company.b, 4)
    result = consolidate(company, "1:10", {**CASH, "cash_in_lieu_price": "25"}, code="PREF")
    assert company.holding("PREF", company.a) == (1, 0, 0, 0)
    assert company.holding("PREF", company.b) == (0, 0, 0, 0)
    assert [(row[1], row[3], row[4]) for row in settlements(company)] == [
        (company.b, "0.4", "10.00")
    ]
    assert (result.issued_after, result.cash_in_lieu_total) == (1, "10.00")
    assert company.authorised("PREF") == 100
    replays(company)


def test_rounding_up_may_not_exceed_the_scaled_authorised_number(company):
    allot(company, "PREF", company.b, 5)
    company.submit(classes.amend_class, AmendClass("PREF", authorised=15))
    # 1:10 rounding half up: a 10 -> 1, b 5 -> 1 (a half), but only 1 is authorised.
    request = reorganise_class("PREF", "1:10", HALF_UP)
    error = company.refused(Refused, "authorised_exceeded", reorganisation.consolidate_class,
                            request)  # fmt: skip
    assert (error.details["authorised"], error.details["issued"]) == (1, 2)
    consolidate(company, "1:10", {**CASH, "cash_in_lieu_price": "3"}, code="PREF")
    assert (company.authorised("PREF"), company.issued("PREF")) == (1, 1)
    replays(company)


def test_reorganisation_refusals_leave_no_trace(company):
    split_class, consolidate_class = reorganisation.split_class, reorganisation.consolidate_class
    for service, ratio in [
        (split_class, "1:2"),
        (split_class, "1:1"),
        (split_class, "2:2"),
        (split_class, "2:1:1"),
        (split_class, "two:one"),
        (consolidate_class, "2:1"),
        (consolidate_class, "10:10"),
        (consolidate_class, "1/10"),
    ]:
        company.refused(InvalidInput, None, service, reorganise_class("ORD", ratio, HALF_UP))
    for terms in [
        {"fraction_policy": "round_up"},
        {"fraction_policy": ROUND_DOWN_CASH_IN_LIEU},
        {**CASH, "currency": None},
        {**CASH, "cash_in_lieu_price": "-1"},
        {**HALF_UP, "cash_in_lieu_price": "1", "currency": "GBP"},
    ]:
        company.refused(InvalidInput, None, split_class, reorganise_class("ORD", "3:2", terms))
    company.refused(NotFound, None, split_class, reorganise_class("NOPE", "2:1", HALF_UP))
    replays(company)


def test_every_holding_is_scaled_across_chunks_in_holder_order(company, monkeypatch):
    monkeypatch.setattr(reorganisation, "CHUNK", 2)
    details = [{**HOLDER_A, "identifier": f"GB-NI-{n}"} for n in range(5)]

    with company.driver.command(company.issuer_id) as ctx:
        ids = [holders.register_holder(ctx, holder_request(d)).holder_id for d in details]
        issuance.issue_shares(ctx, issue_request(*((h, 7 + n) for n, h in enumerate(ids))))
    result = consolidate(company, "1:4", CASH)
    assert result.holdings_changed == 7
    quantities = {company.a: 100, company.b: 50, **{h: 7 + n for n, h in enumerate(ids)}}
    for holder_id, quantity in quantities.items():
        assert company.holding("ORD", holder_id) == (quantity // 4, 0, 0, 0)
    rows = settlements(company)
    assert [row[1] for row in rows] == sorted(h for h, q in quantities.items() if q % 4)
    assert result.issued_after == sum(q // 4 for q in quantities.values())
    replays(company)


def test_a_split_may_not_overflow_what_the_register_counts(company):
    allot(company, "ORD", company.b, 10**10)
    company.submit(classes.amend_class, AmendClass("ORD", par_value=Decimal(0)))  # stays exact
    request = reorganise_class("ORD", f"{10**9}:1", HALF_UP)
    company.refused(InvalidInput, "too_many_shares", reorganisation.split_class, request)
    convert = conversion(company, 10**10, f"{10**9}:1", from_class="ORD", to_class="PREF")
    company.submit(classes.amend_class, AmendClass("PREF", authorised=None))
    company.refused(InvalidInput, "too_many_shares", convert_shares,
                    replace(convert, holder_id=company.b))  # fmt: skip


def test_an_empty_class_can_be_split(company):
    company.submit(classes.create_class, CreateClass("B", "B shares", "GBP", authorised=7))
    result = split(company, "3:1", HALF_UP, code="B")
    assert (result.issued_after, result.holdings_changed, company.authorised("B")) == (0, 0, 21)
    replays(company)


def test_replay_refuses_an_entry_whose_totals_do_not_follow(company):
    """An entry whose holdings do not add up to the total it states fails. This one has no
    per-holding results (as entries written before they were carried): its holdings are
    worked out from the terms."""
    data = {"class": "ORD", "ratio": "2:1", "fraction_policy": ROUND_HALF_UP,
            "issued_before": "150", "issued_after": "301",
            "authorised_before": None, "authorised_after": None}  # fmt: skip
    entry = Applied(company.issuer_id, 99, datetime.now(UTC), "class.split", data)
    with pytest.raises(RegisterInvariantError, match="issued_after"):
        with company.driver.command(company.issuer_id) as ctx:
            apply_entry(APPLIERS, ctx.session, entry)


def test_an_entry_without_per_holding_results_applies_as_its_command_did(app, company):
    """Entries written before they carried each holding's result state only the terms and
    totals; their applier works the holdings out as the command did, with the same result."""
    twin = new_company(app)
    for each in (company, twin):
        each.freeze("ORD", each.a, 30)
        each.pledge("ORD", each.a, 9)
    result = consolidate(company, "1:3", CASH)
    data = {name: value for name, value in result.entry.data.items() if name != "holdings"}
    assert twin.driver.log_size(twin.issuer_id) == result.entry.index
    entry = Applied(twin.issuer_id, result.entry.index, datetime.now(UTC), "class.consolidated",
                    data)  # fmt: skip
    with twin.driver.command(twin.issuer_id) as ctx:
        apply_entry(APPLIERS, ctx.session, entry)
    for mine, theirs in ((company.a, twin.a), (company.b, twin.b)):
        assert twin.holding("ORD", theirs) == company.holding("ORD", mine)
    assert twin.holding("ORD", twin.a) == (33, 10, 3, 0)
    paid = {row[1]: row[3:] for row in settlements(company)}
    assert {row[1]: row[3:] for row in settlements(twin)} == {
        twin.a: paid[company.a],
        twin.b: paid[company.b],
    }
    assert (twin.issued("ORD"), twin.authorised("ORD")) == (49, None)


def par_value(company: Company, code: str) -> str:
    return company.driver.read(lambda session: classes.get_class(session, company.issuer_id, code)
                               .par_value)  # fmt: skip


@pytest.mark.parametrize(
    ("par", "ratio", "after"),
    [
        ("1.00", "2:1", "0.50"),  # the class's places kept
        ("0.10", "1:10", "1.00"),
        ("0.02", "4:1", "0.005"),  # as many more places as the ratio needs, exactly
        ("1", "4:1", "0.25"),
        ("0", "3:1", "0"),
        ("0.90", "3:2", "0.60"),
    ],
)
def test_the_par_value_follows_the_ratio_exactly(company, par, ratio, after):
    company.submit(classes.amend_class, AmendClass("PREF", par_value=Decimal(par)))
    new, old = (int(side) for side in ratio.split(":"))
    reorganise = split if new > old else consolidate
    reorganise(company, ratio, HALF_UP, code="PREF")
    assert company.last_entry()["data"]["par_value_after"] == after
    assert par_value(company, "PREF") == after
    assert par_value(company, "ORD") == "0.01"  # the other class keeps its own
    replays(company)  # the applier sets it from the entry, so replay rebuilds it


@pytest.mark.parametrize(("par", "ratio"), [("1.00", "3:1"), ("0.0000000001", "2:1")])
def test_a_ratio_that_leaves_no_exact_par_value_is_refused(company, par, ratio):
    company.submit(classes.amend_class, AmendClass("PREF", par_value=Decimal(par)))
    error = company.refused(InvalidInput, "par_value_not_exact", reorganisation.split_class,
                            reorganise_class("PREF", ratio, HALF_UP))  # fmt: skip
    assert par in error.message and "ratio" in error.details["field"]


def test_an_old_entry_without_the_par_value_keeps_it(app, company):
    """Entries written before splits carried `par_value_after` keep the class's par value
    when replayed, as their command did."""
    twin = new_company(app)
    result = split(company, "2:1", HALF_UP)
    old_shape = ("par_value_after", "holdings")  # the holdings as well, their ids are not twin's
    data = {name: value for name, value in result.entry.data.items() if name not in old_shape}
    entry = Applied(twin.issuer_id, twin.driver.log_size(twin.issuer_id), datetime.now(UTC),
                    "class.split", data)  # fmt: skip
    with twin.driver.command(twin.issuer_id) as ctx:
        apply_entry(APPLIERS, ctx.session, entry)
    assert (par_value(company, "ORD"), par_value(twin, "ORD")) == ("0.005", "0.01")
    assert twin.issued("ORD") == company.issued("ORD") == 300


# --- the API -----------------------------------------------------------------------------------


def post(client, company, path, body, headers):
    return client.post(f"/api/v1/issuers/{company.issuer_id}/{path}", json=body, headers=headers)


def test_api_converts(client, company, secretary):
    body = {**conversion_body(company, 10, "1:3", from_class="ORD", to_class="PREF"), **CASH}
    response = post(client, company, "conversions", body, secretary)
    assert response.status_code == 201, response.get_json()
    result = response.get_json()
    assert result["log_index"] == company.last_entry()["index"]
    assert (result["ratio"], result["fraction_policy"]) == ("1:3", ROUND_DOWN_CASH_IN_LIEU)
    assert result["from"]["class"] == "ORD"
    assert (result["from"]["quantity"], result["from"]["class_issued"]) == (10, 140)
    assert result["from"]["holding"]["held"] == 90
    assert result["to"]["class"] == "PREF"
    assert (result["to"]["quantity"], result["to"]["class_issued"]) == (3, 13)
    assert result["to"]["holding"]["held"] == 13
    assert (result["fraction"], result["cash_in_lieu_amount"], result["currency"]) == (
        "0.333333333333", "0.30", "GBP",
    )  # fmt: skip
    replays(company)


def test_api_splits_and_consolidates(client, company, secretary, operator_headers):
    response = post(client, company, "classes/PREF/splits", {"ratio": "4:1", **HALF_UP}, secretary)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {
        "log_index": company.last_entry()["index"], "kind": "class.split", "class": "PREF",
        "ratio": "4:1", "fraction_policy": ROUND_HALF_UP, "issued_before": 10,
        "issued_after": 40, "authorised_before": 1000, "authorised_after": 4000,
        "holdings_changed": 1, "cash_in_lieu_price": None, "cash_in_lieu_total": None,
        "currency": None,
    }  # fmt: skip
    response = post(
        client, company, "classes/ORD/consolidations", {"ratio": "1:3", **CASH}, operator_headers
    )
    assert response.status_code == 201, response.get_json()
    result = response.get_json()
    assert (result["kind"], result["issued_before"], result["issued_after"]) == (
        "class.consolidated", 150, 49,
    )  # fmt: skip
    assert (result["cash_in_lieu_price"], result["cash_in_lieu_total"]) == ("0.90", "0.90")
    shown = client.get(f"/api/v1/issuers/{company.issuer_id}/classes/ORD", headers=secretary)
    assert shown.get_json()["par_value"] == "0.03"  # 0.01 at 1:3
    replays(company)


def test_api_refusals_change_nothing(client, company, secretary, make_token, new_issuer):
    company.submit(classes.amend_class, AmendClass("PREF", authorised=10))
    before = company.driver.trace(company.issuer_id)
    convert = conversion_body(company, 1, "3:1", from_class="ORD", to_class="PREF")
    cases = [
        ("conversions", convert, 409, "authorised_exceeded", None),
        ("conversions", {**convert, "holder_id": company.gone}, 409, "holder_ceased", None),
        ("conversions", {**convert, "quantity": 101}, 409, "insufficient_available", None),
        ("conversions", {**convert, "to_class": "NOPE"}, 404, "not_found", None),
        ("conversions", {**convert, "ratio": "3-1"}, 422, "invalid_input", "ratio"),
        ("conversions", {**convert, "fraction_policy": "up"}, 422, "invalid_input",
         "fraction_policy"),
        ("conversions", {**convert, **CASH, "currency": "gbp"}, 422, "invalid_input", "currency"),
        ("conversions", {**convert, "quantity": -1}, 422, "invalid_input", "quantity"),
        ("classes/ORD/splits", {"ratio": "1:1", **HALF_UP}, 422, "invalid_input", "ratio"),
        ("classes/ORD/splits", {"ratio": "1:2", **HALF_UP}, 422, "invalid_input", "ratio"),
        ("classes/ORD/splits", {"ratio": "2:1"}, 422, "invalid_input", "fraction_policy"),
        # 0.01 at 3:1 is no decimal: refused, not rounded
        ("classes/ORD/splits", {"ratio": "3:1", **HALF_UP}, 422, "par_value_not_exact", "ratio"),
        ("classes/ORD/splits", {"ratio": "3:2", **CASH, "cash_in_lieu_price": None}, 422,
         "invalid_input", "cash_in_lieu_price"),
        ("classes/NOPE/splits", {"ratio": "2:1", **HALF_UP}, 404, "not_found", None),
        ("classes/PREF/consolidations", {"ratio": "2:1", **HALF_UP}, 422, "invalid_input",
         "ratio"),
        ("classes/ORD/consolidations", {"ratio": 10, **HALF_UP}, 422, "invalid_input", "ratio"),
    ]  # fmt: skip
    for path, body, status, code, field in cases:
        response = post(client, company, path, body, secretary)
        assert response.status_code == status, (path, body, response.get_json())
        assert response.get_json()["code"] == code
        if field:
            assert field in response.get_json()["errors"], response.get_json()
    other = bearer(make_token("secretary", new_issuer()["id"]))
    for path, body in [
        ("conversions", convert),
        ("classes/ORD/splits", {"ratio": "2:1", **HALF_UP}),
    ]:
        # Another issuer's secretary may not see this issuer: it answers as an unknown one.
        assert post(client, company, path, body, other).status_code == 404
        assert post(client, company, path, body, {}).status_code == 401
    assert company.driver.trace(company.issuer_id) == before
