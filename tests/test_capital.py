"""Cancellation, repurchase and redemption: services and API, every refusal, replay."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.register import capital, holders
from app.register.errors import InvalidInput, NotFound, Refused
from app.register.requests import CeaseHolder
from tests.support.actions import (
    Company,
    cancellation,
    consideration,
    new_company,
    redemption,
    replays,
    repurchase,
)
from tests.support.helpers import bearer


@pytest.fixture
def company(app) -> Company:
    return new_company(app)


@pytest.fixture
def secretary(company, make_token) -> dict[str, str]:
    return bearer(make_token("secretary", company.issuer_id))


# --- the services ----------------------------------------------------------------------------


REMOVALS = [
    (capital.cancel_shares, cancellation, "shares.cancelled"),
    (capital.repurchase_shares, repurchase, "shares.repurchased"),
    (capital.redeem_shares, redemption, "shares.redeemed"),
]


@pytest.mark.parametrize(("service", "request_for", "kind"), REMOVALS)
def test_removing_shares_lowers_the_holding_and_the_issued_total(
    company, service, request_for, kind
):
    removal = company.submit(service, request_for(company, 30))
    assert removal.entry.kind == kind
    assert (removal.holding.held, removal.share_class.issued) == (70, 120)
    assert company.holding("ORD", company.a) == (70, 0, 0, 0)
    assert company.holding("ORD", company.b) == (50, 0, 0, 0)
    assert company.issued("ORD") == 120
    entry = company.last_entry()
    assert entry["kind"] == kind
    assert entry["data"]["class"] == "ORD"
    assert entry["data"]["holder_id"] == company.a
    assert entry["data"]["quantity"] == "30"
    replays(company)


def test_the_log_carries_each_removals_terms(company):
    company.submit(capital.cancel_shares, cancellation(company, reason="forfeited, call unpaid"))
    assert company.last_entry()["data"]["reason"] == "forfeited, call unpaid"
    company.submit(capital.repurchase_shares, repurchase(company, 10, price_per_share="1E+1"))
    data = company.last_entry()["data"]
    assert (data["price_per_share"], data["currency"]) == ("10", "GBP")
    company.submit(capital.redeem_shares, redemption(company, 10))
    assert company.last_entry()["data"]["consideration"] == {
        "type": "cash",
        "amount": "75.00",
        "currency": "GBP",
    }
    assert company.holding("ORD", company.a) == (50, 0, 0, 0)
    replays(company)


def test_a_brewery_redeems_shares_for_beer(company):
    vouchers = {"type": "products_or_services", "description": "12 crates of pale ale"}
    company.submit(capital.redeem_shares, redemption(company, 5, **vouchers))
    assert company.last_entry()["data"]["consideration"] == vouchers
    valued = {**vouchers, "amount": "180", "currency": "GBP"}
    company.submit(capital.redeem_shares, redemption(company, 5, **valued))
    assert company.last_entry()["data"]["consideration"] == valued
    assert company.issued("ORD") == 140
    replays(company)


def test_all_available_shares_can_go_and_then_the_holder_may_cease(company):
    company.submit(capital.cancel_shares, cancellation(company, 100))
    company.submit(capital.repurchase_shares, repurchase(company, 10, class_code="PREF"))
    assert company.issued("ORD") == 50
    assert company.issued("PREF") == 0
    company.submit(holders.cease_holder, CeaseHolder(company.a))
    replays(company)


@pytest.mark.parametrize(("service", "request_for", "kind"), REMOVALS)
def test_encumbered_shares_cannot_be_removed(company, service, request_for, kind):
    company.freeze("ORD", company.a, 60)
    company.pledge("ORD", company.a, 30)
    error = company.refused(Refused, "insufficient_available", service, request_for(company, 11))
    assert error.details["available"] == 10
    assert error.details["requested"] == 11
    company.submit(service, request_for(company, 10))
    assert company.holding("ORD", company.a) == (90, 60, 30, 0)
    replays(company)


@pytest.mark.parametrize(("service", "request_for", "kind"), REMOVALS)
def test_refusals_leave_no_trace(company, service, request_for, kind):
    one = request_for(company, 1)
    company.refused(Refused, "insufficient_available", service, request_for(company, 101))
    none_held = replace(one, holder_id=company.b, class_code="PREF")
    company.refused(Refused, "insufficient_available", service, none_held)
    company.refused(Refused, "holder_ceased", service, replace(one, holder_id=company.gone))
    company.refused(NotFound, None, service, replace(one, holder_id="nobody"))
    company.refused(NotFound, None, service, replace(one, class_code="NOPE"))
    for quantity in (0, -5):
        company.refused(InvalidInput, None, service, request_for(company, quantity))
    replays(company)


@pytest.mark.parametrize(
    ("service", "request_changes"),
    [
        (capital.cancel_shares, {"reason": ""}),
        (capital.repurchase_shares, {"price_per_share": Decimal("-1")}),
        (capital.repurchase_shares, {"price_per_share": Decimal("NaN")}),
        (capital.redeem_shares, {"consideration": consideration(type="shares")}),
        (capital.redeem_shares, {"consideration": consideration(type="cash",
                                                                description="money")}),
        (capital.redeem_shares, {"consideration": consideration(type="cash", amount="5")}),
        (capital.redeem_shares, {"consideration": consideration(type="products_or_services")}),
        (capital.redeem_shares, {"consideration": consideration(type="products_or_services",
                                                                description="beer",
                                                                currency="GBP")}),
    ],
)  # fmt: skip
def test_invalid_terms_are_refused(company, service, request_changes):
    request_for = {capital.cancel_shares: cancellation, capital.repurchase_shares: repurchase,
                   capital.redeem_shares: redemption}[service]  # fmt: skip
    request = replace(request_for(company), **request_changes)
    error = company.refused(InvalidInput, None, service, request)
    assert error.details["field"] in request_changes


# --- the API ---------------------------------------------------------------------------------


API_REMOVALS = [
    ("cancellations", {"reason": "forfeited"}, "shares.cancelled"),
    ("repurchases", {"price_per_share": "2.50", "currency": "GBP"}, "shares.repurchased"),
    ("redemptions", {"consideration": {"type": "products_or_services", "description": "beer"}},
     "shares.redeemed"),
]  # fmt: skip


def post(client, company, path, body, headers):
    return client.post(f"/api/v1/issuers/{company.issuer_id}/{path}", json=body, headers=headers)


@pytest.mark.parametrize(("path", "terms", "kind"), API_REMOVALS)
def test_api_records_a_removal(client, company, secretary, operator_headers, path, terms, kind):
    body = {"class": "ORD", "holder_id": company.a, "quantity": 40, **terms}
    response = post(client, company, path, body, secretary)
    assert response.status_code == 201, response.get_json()
    result = response.get_json()
    assert result["kind"] == kind
    assert result["log_index"] == company.last_entry()["index"]
    assert (result["class"], result["holder_id"], result["quantity"]) == ("ORD", company.a, 40)
    assert result["class_issued"] == 110
    holding = result["holding"]
    assert (holding["held"], holding["available"], holding["class"]) == (60, 60, "ORD")
    response = post(client, company, path, {**body, "quantity": 10}, operator_headers)
    assert response.status_code == 201
    assert response.get_json()["class_issued"] == 100
    replays(company)


@pytest.mark.parametrize(("path", "terms", "kind"), API_REMOVALS)
def test_api_refusals(client, company, secretary, make_token, new_issuer, path, terms, kind):
    body = {"class": "ORD", "holder_id": company.a, "quantity": 40, **terms}
    before = company.driver.trace(company.issuer_id)
    cases = [
        ({**body, "quantity": 101}, 409, "insufficient_available"),
        ({**body, "holder_id": company.gone}, 409, "holder_ceased"),
        ({**body, "holder_id": "nobody"}, 404, "not_found"),
        ({**body, "class": "NOPE"}, 404, "not_found"),
        ({**body, "quantity": 0}, 422, "invalid_input"),
        ({**body, "quantity": "40"}, 422, "invalid_input"),
        ({**body, "quantity": 1.5}, 422, "invalid_input"),
        ({**body, "class": "ord"}, 422, "invalid_input"),
        ({key: value for key, value in body.items() if key != "holder_id"}, 422, "invalid_input"),
    ]
    for request_body, status, code in cases:
        response = post(client, company, path, request_body, secretary)
        assert response.status_code == status, (request_body, response.get_json())
        assert response.get_json()["code"] == code
    refused = post(client, company, path, {**body, "quantity": 101}, secretary).get_json()
    assert refused["details"]["available"] == 100
    other_secretary = bearer(make_token("secretary", new_issuer()["id"]))
    for headers, status in [
        ({}, 401),
        (other_secretary, 404),  # may not see the issuer: as if unknown
        (bearer(make_token("regulator")), 403),
    ]:
        assert post(client, company, path, body, headers).status_code == status
    assert company.driver.trace(company.issuer_id) == before


@pytest.mark.parametrize(
    ("path", "changes", "field"),
    [
        ("cancellations", {"reason": "  "}, "reason"),
        ("repurchases", {"price_per_share": "-2"}, "price_per_share"),
        ("repurchases", {"currency": "pounds"}, "currency"),
        ("redemptions", {"consideration": {"type": "shares"}}, "consideration"),
        ("redemptions", {"consideration": {"type": "products_or_services"}}, "consideration"),
        ("redemptions", {"consideration": {"type": "cash", "amount": "5"}}, "consideration"),
    ],
)
def test_api_invalid_terms_get_422_with_the_field(client, company, secretary, path, changes, field):
    terms = next(terms for name, terms, _kind in API_REMOVALS if name == path)
    body = {"class": "ORD", "holder_id": company.a, "quantity": 1, **terms, **changes}
    before = company.driver.trace(company.issuer_id)
    response = post(client, company, path, body, secretary)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert company.driver.trace(company.issuer_id) == before
