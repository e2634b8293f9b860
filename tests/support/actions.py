"""Builders for the corporate-action tests (capital changes, reorganisations, restrictions,
distributions): a seeded company, typed requests with test defaults, and register readers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.ledger import log
from app.models.issuer import Issuer
from app.register import classes, holders, issuance, restrictions
from app.register.context import CommandContext
from app.register.errors import DomainError
from app.register.ratios import ROUND_DOWN_CASH_IN_LIEU, ROUND_HALF_UP
from app.register.replay import LOG_DERIVED, replay_and_compare
from app.register.requests import (
    CancelShares,
    CeaseHolder,
    ChangeFreeze,
    Consideration,
    ConvertShares,
    FractionTerms,
    IssueShares,
    RedeemShares,
    RegisterPledge,
    ReorganiseClass,
    RepurchaseShares,
)
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    ORDINARY,
    allocation,
    class_request,
    holder_request,
)
from tests.support.register_driver import Driver

PREFERENCE = {**ORDINARY, "code": "PREF", "name": "Preference shares", "authorised": 1000}
HOLDER_C = {**HOLDER_A, "name": "Charles Babbage", "identifier": "GB-NI-QQ654321A"}
TERM_FIELDS = ("ratio", "fraction_policy", "cash_in_lieu_price", "currency")
CASH = {"fraction_policy": ROUND_DOWN_CASH_IN_LIEU, "cash_in_lieu_price": "0.90", "currency": "GBP"}
HALF_UP = {"fraction_policy": ROUND_HALF_UP}


@dataclass(frozen=True)
class Company:
    """An issuer with ORD (no limit) and PREF (1000 authorised): holder a has 100 ORD and
    10 PREF, holder b 50 ORD; holder gone has ceased."""

    driver: Driver
    issuer_id: str
    a: str
    b: str
    gone: str

    def submit(self, service, request):
        """Run `service(ctx, request)` as one command on the company's register."""
        return self.driver.submit(self.issuer_id, service, request)

    def holding(self, code: str, holder_id: str) -> tuple[int, int, int, int]:
        return self.driver.register(self.issuer_id).holdings.get((code, holder_id), (0, 0, 0, 0))

    def issued(self, code: str) -> int:
        return self.driver.register(self.issuer_id).classes[code][1]

    def authorised(self, code: str) -> int | None:
        return self.driver.register(self.issuer_id).classes[code][0]

    def last_entry(self) -> dict:
        return self.driver.read(lambda session: last_command_entry(session, self.issuer_id))

    def refused(self, error: type[DomainError], code: str | None, service, request) -> DomainError:
        """The command fails with `error` (and machine code) and leaves no trace at all."""
        before = self.driver.trace(self.issuer_id)
        with pytest.raises(error) as raised:
            self.submit(service, request)
        if code is not None:
            assert raised.value.code == code, raised.value.message
        assert self.driver.trace(self.issuer_id) == before
        return raised.value

    def freeze(self, code: str, holder_id: str, quantity: int) -> None:
        request = ChangeFreeze(code, holder_id, quantity, reason="court order 2026/1")
        self.submit(restrictions.freeze, request)

    def pledge(self, code: str, holder_id: str, quantity: int) -> str:
        request = RegisterPledge(code, holder_id, quantity, pledgee="Bank")
        return self.submit(restrictions.register_pledge, request).pledge_id


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


def replays(company: Company) -> None:
    company.driver.replay(company.issuer_id)


# --- typed requests with test defaults ------------------------------------------------------


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value)


def cancellation(company: Company, quantity: int = 30, **changes: Any) -> CancelShares:
    request = CancelShares("ORD", company.a, quantity, reason="forfeited")
    return replace(request, **changes)


def repurchase(company: Company, quantity: int = 30, **changes: Any) -> RepurchaseShares:
    request = RepurchaseShares("ORD", company.a, quantity, Decimal("2.50"), "GBP")
    if "price_per_share" in changes:
        changes["price_per_share"] = _money(changes["price_per_share"])
    return replace(request, **changes)


def consideration(**fields: Any) -> Consideration:
    return Consideration(**{**fields, "amount": _money(fields.get("amount"))})


def redemption(company: Company, quantity: int = 30, **fields: Any) -> RedeemShares:
    paid = consideration(**fields) if fields else Consideration("cash", Decimal("75.00"), "GBP")
    return RedeemShares("ORD", company.a, quantity, paid)


def terms(ratio: str, **fields: Any) -> FractionTerms:
    price = _money(fields.pop("cash_in_lieu_price", None))
    return FractionTerms(ratio=ratio, cash_in_lieu_price=price, **fields)


def conversion(company: Company, quantity: int, ratio: str, **changes: Any) -> ConvertShares:
    """PREF into ORD for holder a, rounding half up; `changes` may name the request's fields
    or its terms'."""
    named_terms = {**HALF_UP, "ratio": ratio}
    named_terms.update((name, changes.pop(name)) for name in TERM_FIELDS if name in changes)
    request = ConvertShares(company.a, "PREF", "ORD", quantity, terms(**named_terms))
    return replace(request, **changes)


def reorganise_class(code: str, ratio: str, fields: dict) -> ReorganiseClass:
    return ReorganiseClass(code, terms(ratio, **fields))


# --- registers read through the app ---------------------------------------------------------


def register_state(app, issuer_id: str) -> tuple[int, dict[str, list[tuple]]]:
    """The signed log size and every log-derived row of the issuer: what a refusal must not
    change."""
    with app.app_context():
        rows = {
            model.__tablename__: [
                tuple(row)
                for row in db.session.execute(
                    select(model.__table__).where(
                        getattr(model, "id" if model is Issuer else "issuer_id") == issuer_id
                    )
                )
            ]
            for model in LOG_DERIVED
        }
        return log.signed_size(db.session, issuer_id), rows


def assert_replays(app, issuer_id: str) -> None:
    with app.app_context():
        report = replay_and_compare(db.session, issuer_id)
        assert report.entries == log.signed_size(db.session, issuer_id)


def last_command_entry(session, issuer_id: str) -> dict:
    """The last entry a service recorded: the substantial-holding notices a command may add
    after it, at its end, are passed over."""
    index = log.signed_size(session, issuer_id)
    while True:
        index -= 1
        (entry,) = log.read_entries(session, issuer_id, index, index + 1)
        if not entry.envelope["kind"].startswith("notice."):
            return entry.envelope


def last_entry(app, issuer_id: str) -> dict:
    with app.app_context():
        return last_command_entry(db.session, issuer_id)
