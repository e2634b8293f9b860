"""Cancellation, repurchase and redemption: services and API, every refusal, replay.

The fixtures and helpers at the top are shared with test_reorganisation.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.register import capital, classes, holders, issuance, restrictions
from app.register.context import CommandContext
from app.register.errors import DomainError, InvalidInput, NotFound, Refused
from app.register.requests import CeaseHolder, IssueShares
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    ORDINARY,
    allocation,
    bearer,
    class_request,
    holder_request,
)
from tests.support.register_driver import ACTOR, Driver

PREFERENCE = {**ORDINARY, "code": "PREF", "name": "Preference shares", "authorised": 1000}


@dataclass(frozen=True)
class Company:
    """An issuer with ORD (no limit) and PREF (1000 authorised): holder a has 100 ORD and
    10 PREF, holder b 50 ORD; holder gone has ceased."""

    driver: Driver
    issuer_id: str
    a: str
    b: str
    gone: str

    def run(self, service, *args):
        """TRANSITION: run `service(session, ledger, ACTOR, issuer_id, *args)` as one
        command (the services not yet taking a typed request)."""
        return self.driver.run(
            lambda session, ledger: service(session, ledger, ACTOR, self.issuer_id, *args)
        )

    def submit(self, service, request):
        """Run `service(ctx, request)` as one command on the company."""
        return self.driver.submit(self.issuer_id, service, request)

    def holding(self, code: str, holder_id: str) -> tuple[int, int, int, int]:
        return self.driver.register(self.issuer_id).holdings.get((code, holder_id), (0, 0, 0, 0))

    def issued(self, code: str) -> int:
        return self.driver.register(self.issuer_id).classes[code][1]

    def authorised(self, code: str) -> int | None:
        return self.driver.register(self.issuer_id).classes[code][0]

    def last_entry(self) -> dict:
        from app.ledger import log

        def read(session):
            size = log.signed_size(session, self.issuer_id)
            return log.read_entries(session, self.issuer_id, size - 1, size)[0].envelope

        return self.driver.read(read)

    def refused(self, error: type[DomainError], code: str | None, service, *args) -> DomainError:
        """The command fails with `error` (and machine code) and leaves no trace at all."""
        before = self.driver.trace(self.issuer_id)
        with pytest.raises(error) as raised:
            self.run(service, *args)
        if code is not None:
            assert raised.value.code == code, raised.value.message
        assert self.driver.trace(self.issuer_id) == before
        return raised.value

    def freeze(self, code: str, holder_id: str, quantity: int) -> None:
        fields = {"class_code": code, "holder_id": holder_id, "quantity": quantity}
        self.run(lambda *a: restrictions.freeze(*a, **fields, reason="court order 2026/1"))

    def pledge(self, code: str, holder_id: str, quantity: int) -> str:
        fields = {"class_code": code, "holder_id": holder_id, "quantity": quantity}
        pledge = self.run(lambda *a: restrictions.register_pledge(*a, **fields, pledgee="Bank"))
        return pledge.pledge_id


def _set_up(ctx: CommandContext) -> tuple[str, str, str]:
    for fields in (ORDINARY, PREFERENCE):
        classes.create_class(ctx, class_request(fields))
    gone_details = {**HOLDER_B, "name": "Gone Ltd", "identifier": "GB-CRN-00000099"}
    a, b, gone = (
        holders.register_holder(ctx, holder_request(details)).holder_id
        for details in (HOLDER_A, HOLDER_B, gone_details)
    )
    allocations = (allocation(a, 100), allocation(b, 50), allocation(a, 10, "PREF"))
    issuance.issue_shares(ctx, IssueShares(allocations))
    holders.cease_holder(ctx, CeaseHolder(gone))
    return a, b, gone


def new_company(app) -> Company:
    driver = Driver(app)
    issuer_id = driver.new_issuer()
    with driver.command(issuer_id) as ctx:
        a, b, gone = _set_up(ctx)
    return Company(driver, issuer_id, a, b, gone)


@pytest.fixture
def company(app) -> Company:
    return new_company(app)


@pytest.fixture
def secretary(company, make_token) -> dict[str, str]:
    return bearer(make_token("secretary", company.issuer_id))


def replays(company: Company) -> None:
    company.driver.replay(company.issuer_id)


# --- the services ----------------------------------------------------------------------------


def cancellation(company: Company, quantity: int = 30, **changes) -> dict:
    return {"class": "ORD", "holder_id": company.a, "quantity": quantity, "reason": "forfeited",
            **changes}  # fmt: skip


def repurchase(company: Company, quantity: int = 30, **changes) -> dict:
    return {"class": "ORD", "holder_id": company.a, "quantity": quantity,
            "price_per_share": "2.50", "currency": "GBP", **changes}  # fmt: skip


def redemption(company: Company, quantity: int = 30, **consideration) -> dict:
    consideration = consideration or {"type": "cash", "amount": "75.00", "currency": "GBP"}
    return {"class": "ORD", "holder_id": company.a, "quantity": quantity,
            "consideration": consideration}  # fmt: skip


REMOVALS = [
    (capital.cancel_shares, cancellation, "shares.cancelled"),
    (capital.repurchase_shares, repurchase, "shares.repurchased"),
    (capital.redeem_shares, redemption, "shares.redeemed"),
]


@pytest.mark.parametrize(("service", "request_for", "kind"), REMOVALS)
def test_removing_shares_lowers_the_holding_and_the_issued_total(
    company, service, request_for, kind
):
    removal = company.run(service, request_for(company, 30))
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
    company.run(capital.cancel_shares, cancellation(company, reason="forfeited, call unpaid"))
    assert company.last_entry()["data"]["reason"] == "forfeited, call unpaid"
    company.run(capital.repurchase_shares, repurchase(company, 10, price_per_share="1E+1"))
    data = company.last_entry()["data"]
    assert (data["price_per_share"], data["currency"]) == ("10", "GBP")
    company.run(capital.redeem_shares, redemption(company, 10))
    assert company.last_entry()["data"]["consideration"] == {
        "type": "cash",
        "amount": "75.00",
        "currency": "GBP",
    }
    assert company.holding("ORD", company.a) == (50, 0, 0, 0)
    replays(company)


def test_a_brewery_redeems_shares_for_beer(company):
    vouchers = {"type": "products_or_services", "description": "12 crates of pale ale"}
    company.run(capital.redeem_shares, redemption(company, 5, **vouchers))
    assert company.last_entry()["data"]["consideration"] == vouchers
    valued = {**vouchers, "amount": "180", "currency": "GBP"}
    company.run(capital.redeem_shares, redemption(company, 5, **valued))
    assert company.last_entry()["data"]["consideration"] == valued
    assert company.issued("ORD") == 140
    replays(company)


def test_all_available_shares_can_go_and_then_the_holder_may_cease(company):
    company.run(capital.cancel_shares, cancellation(company, 100))
    company.run(capital.repurchase_shares, repurchase(company, 10, **{"class": "PREF"}))
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
    company.run(service, request_for(company, 10))
    assert company.holding("ORD", company.a) == (90, 60, 30, 0)
    replays(company)


@pytest.mark.parametrize(("service", "request_for", "kind"), REMOVALS)
def test_refusals_leave_no_trace(company, service, request_for, kind):
    one = request_for(company, 1)
    company.refused(Refused, "insufficient_available", service, request_for(company, 101))
    none_held = {**one, "holder_id": company.b, "class": "PREF"}
    company.refused(Refused, "insufficient_available", service, none_held)
    company.refused(Refused, "holder_ceased", service, {**one, "holder_id": company.gone})
    company.refused(NotFound, None, service, {**one, "holder_id": "nobody"})
    company.refused(NotFound, None, service, {**one, "class": "NOPE"})
    for quantity in (0, -5):
        company.refused(InvalidInput, None, service, request_for(company, quantity))
    replays(company)


@pytest.mark.parametrize(
    ("service", "request_changes"),
    [
        (capital.cancel_shares, {"reason": ""}),
        (capital.repurchase_shares, {"price_per_share": "-1"}),
        (capital.repurchase_shares, {"price_per_share": "NaN"}),
        (capital.redeem_shares, {"consideration": {"type": "shares"}}),
        (capital.redeem_shares, {"consideration": {"type": "cash", "description": "money"}}),
        (capital.redeem_shares, {"consideration": {"type": "cash", "amount": "5"}}),
        (capital.redeem_shares, {"consideration": {"type": "products_or_services"}}),
        (capital.redeem_shares, {"consideration": {"type": "products_or_services",
                                                   "description": "beer", "currency": "GBP"}}),
    ],
)  # fmt: skip
def test_invalid_terms_are_refused(company, service, request_changes):
    request_for = {capital.cancel_shares: cancellation, capital.repurchase_shares: repurchase,
                   capital.redeem_shares: redemption}[service]  # fmt: skip
    error = company.refused(
        InvalidInput, None, service, {**request_for(company), **request_changes}
    )
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
        (other_secretary, 403),
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
