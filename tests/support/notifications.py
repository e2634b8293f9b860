"""Builders for the notifications tests: a company whose holders and secretaries have logins,
and readers of the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from app.extensions import db
from app.models.notifications import Notification
from app.transfers import workflow
from app.transfers.requests import ConfigureTransfers, Instruct, Step
from tests.support.helpers import HOLDER_C, add_holders, seed_register, submit
from tests.support.logins import make_login


@dataclass
class Firm:
    """An issuer with class ORD: holder a has 100, b and c none; each has a login, and the
    company has two secretaries."""

    app: Flask
    issuer_id: str
    a: str
    b: str
    c: str
    logins: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)

    def run(self, service, request):
        with self.app.app_context():
            return submit(self.issuer_id, service, request)

    def configure(self, **settings) -> None:
        self.run(workflow.configure, ConfigureTransfers("ORD", **settings))

    def instruct(self, quantity: int, source: str | None = None, target: str | None = None):
        request = Instruct("ORD", source or self.a, target or self.b, quantity, True)
        return self.run(workflow.instruct, request).instruction_id

    def step(self, service, instruction_id: str, party: str | None = None):
        return self.run(service, Step(instruction_id, party))

    def rows(self, login: str | None = None) -> list[Notification]:
        """The outbox rows of one login (all of the issuer's without), oldest first."""
        with self.app.app_context():
            query = select(Notification).where(Notification.issuer_id == self.issuer_id)
            if login is not None:
                query = query.where(Notification.user_id == self.logins[login])
            return list(db.session.scalars(query.order_by(Notification.log_index)))

    def subjects(self, login: str) -> list[str]:
        return [row.subject for row in self.rows(login)]


def make_firm(app: Flask, issuer_id: str) -> Firm:
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    with app.app_context():
        (c,) = add_holders(issuer_id, HOLDER_C)
    firm = Firm(app, issuer_id, a, b, c)
    tag = issuer_id[:8]
    for name, holder in (("a", a), ("b", b), ("c", c)):
        firm.emails[name] = f"{name}-{tag}@example.test"
        firm.logins[name] = make_login(app, firm.emails[name], "investor", issuer_id, holder)
    for name in ("sec1", "sec2"):
        firm.emails[name] = f"{name}-{tag}@example.test"
        firm.logins[name] = make_login(app, firm.emails[name], "secretary", issuer_id)
    return firm
