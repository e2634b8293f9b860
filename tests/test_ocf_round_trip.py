"""An OCF export imports back: into a fresh issuer, every demo register and registers built
by the corporate actions the register knows come back with the same positions, per class and
holder (tests/support/ocf_round_trip.py says what is compared)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.extensions import db
from app.models.issuer import Issuer
from app.register import (
    capital,
    classes,
    issuance,
    reorganisation,
    restrictions,
    transfers,
)
from app.register.conversion import convert_shares
from app.register.requests import AmendClass, CreateClass, ForcedTransfer
from tests.support.actions import (
    CASH,
    HALF_UP,
    cancellation,
    conversion,
    new_company,
    redemption,
    reorganise_class,
    repurchase,
)
from tests.support.helpers import issue_request, transfer_request
from tests.support.ocf_round_trip import assert_round_trips
from tests.support.snapshots import build_register


def test_every_demo_register_round_trips(app, runner, make_token):
    loaded = runner.invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    with app.app_context():
        issuer_ids = list(db.session.scalars(select(Issuer.id).order_by(Issuer.id)))
    assert len(issuer_ids) >= 2
    token = make_token("regulator")
    for issuer_id in issuer_ids:
        report = assert_round_trips(app, issuer_id, token)
        assert report["imported"]


def test_splits_consolidations_conversions_and_reductions_round_trip(app, make_token):
    """Each kind that changes holdings, with rounding half up and with cash in lieu, across
    holders with several OCF securities each."""
    company = new_company(app)
    a, b = company.a, company.b
    company.submit(classes.amend_class, AmendClass("ORD", par_value=Decimal("0.03")))
    for holder_id, quantity in ((a, 7), (b, 3), (a, 5)):
        company.submit(issuance.issue_shares, issue_request((holder_id, quantity)))
    # a: 100 + 7 + 5 in three securities, b: 50 + 3; at 3:2 a's 107 -> 160.5 -> 161
    company.submit(reorganisation.split_class, reorganise_class("ORD", "3:2", HALF_UP))
    company.submit(convert_shares, conversion(company, 10, "3:1"))
    into_pref = conversion(company, 40, "1:3", from_class="ORD", to_class="PREF", **CASH)
    company.submit(convert_shares, into_pref)
    company.submit(transfers.lodge_transfer, transfer_request(a, b, 33))
    company.submit(capital.cancel_shares, cancellation(company, 4))
    company.submit(capital.repurchase_shares, repurchase(company, 6))
    company.submit(capital.redeem_shares, redemption(company, 5))
    forced = ForcedTransfer("ORD", b, a, 11, legal_reference="court order 2026/9")
    company.submit(restrictions.forced_transfer, forced)
    company.submit(reorganisation.consolidate_class, reorganise_class("ORD", "1:3", CASH))
    # No limit any more, then more shares than the old one allowed.
    company.submit(classes.amend_class, AmendClass("PREF", authorised=None))
    company.submit(issuance.issue_shares, issue_request((b, 1_500), class_code="PREF"))
    # None may be issued (yet): a limit of 0, at creation and by amendment.
    company.submit(classes.create_class, CreateClass("NIL", "Nil shares", "GBP", authorised=0))
    company.submit(classes.create_class, CreateClass("LATER", "Later", "GBP", authorised=9))
    company.submit(classes.amend_class, AmendClass("LATER", authorised=0))
    report = assert_round_trips(app, company.issuer_id, make_token("regulator"))
    counts = report["counts"]
    assert (counts["splits"], counts["consolidations"]) == (1, 1)
    assert counts["conversions"] >= 2 and counts["repurchases"] >= 1


def test_a_register_with_an_erased_holder_round_trips(app, new_issuer, make_token):
    register = build_register(app, new_issuer()["id"])
    assert_round_trips(app, register.issuer_id, make_token("regulator"))
