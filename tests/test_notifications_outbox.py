"""The outbox: rows written in the command's transaction for the events a person should hear
about, to the right logins; none for a refused or rolled-back command, none from replay."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.commands import command
from app.extensions import db
from app.models.notifications import PENDING, IssuerFollow, Notification
from app.register import appliers as register_appliers
from app.register import holders
from app.register.errors import Refused
from app.register.projection import ignore
from app.register.replay import replay_and_compare
from app.register.requests import CeaseHolder
from app.transfers import pre_emption, workflow
from app.transfers.requests import Reason, Reject, TakeUp
from tests.support.helpers import ACTOR, HOLDER_A, Clock, add_holders, issue, set_clock
from tests.support.logins import make_login
from tests.support.notifications import Firm, make_firm
from tests.test_architecture import BLOCK_FLASK

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(app) -> Clock:
    return set_clock(app, START)


@pytest.fixture
def firm(app, clock, new_issuer) -> Firm:
    return make_firm(app, new_issuer(legal_name="Notify Widgets plc")["id"])


def outbox_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification))


def test_an_instruction_tells_the_transferee_it_awaits_acceptance(firm):
    tid = firm.instruct(40)
    (row,) = firm.rows("b")
    assert row.kind == "transfer.instructed"
    assert row.subject == "A transfer to you awaits your acceptance"
    assert "40 ORD shares in Notify Widgets plc" in row.body
    assert (row.state, row.attempts, row.read_at, row.link) == (PENDING, 0, None, "/me/")
    assert row.created_at == row.next_attempt_at == START
    with firm.app.app_context():
        from app.transfers import queries

        instruction = queries.get_instruction(db.session, firm.issuer_id, tid)
    assert row.log_index == instruction.instructed_index
    # The transferor and the company are told nothing yet.
    assert firm.rows("a") == firm.rows("sec1") == []


def test_large_numbers_are_written_with_separators(firm, app):
    with app.app_context():
        issue(firm.issuer_id, (firm.a, 1_234_500))
    firm.instruct(1_234_567)
    assert "1,234,567 ORD shares" in firm.rows("b")[0].body


def test_a_refused_command_writes_no_row(firm, app):
    before = outbox_size(app)
    with pytest.raises(Refused):
        firm.instruct(1_000)  # more than holder a has
    assert outbox_size(app) == before


def test_a_command_that_fails_after_recording_writes_no_row(firm, app):
    before = outbox_size(app)
    with pytest.raises(RuntimeError), app.app_context(), command(ACTOR, firm.issuer_id) as ctx:
        workflow.instruct(ctx, _instruct(firm, 10))
        assert db_rows_in(ctx.session, firm) == 1  # written in the command's transaction...
        raise RuntimeError("the command fails after its entry")
    assert outbox_size(app) == before  # ...and rolled back with it


def _instruct(firm: Firm, quantity: int):
    from app.transfers.requests import Instruct

    return Instruct("ORD", firm.a, firm.b, quantity, True)


def db_rows_in(session, firm: Firm) -> int:
    query = select(func.count()).where(Notification.issuer_id == firm.issuer_id)
    return session.scalar(query.select_from(Notification))


def test_acceptance_tells_every_secretary_when_the_company_must_decide(firm):
    tid = firm.instruct(40)
    firm.step(workflow.accept, tid, party=firm.b)
    for secretary in ("sec1", "sec2"):
        (row,) = firm.rows(secretary)
        assert row.subject == "A transfer awaits the company's decision"
        assert row.link == f"/issuers/{firm.issuer_id}/approvals"
    assert [row.kind for row in firm.rows("b")] == ["transfer.instructed"]


def test_no_decision_is_asked_for_a_class_that_needs_no_approval(firm):
    firm.configure(approval_required=False)
    tid = firm.instruct(40)
    firm.step(workflow.accept, tid, party=firm.b)
    assert firm.rows("sec1") == []


def test_approval_tells_both_parties(firm):
    tid = firm.instruct(40)
    firm.step(workflow.accept, tid, party=firm.b)
    firm.step(workflow.approve, tid)
    for party in ("a", "b"):
        assert firm.subjects(party)[-1] == "A transfer was approved"
    assert firm.rows("c") == []


def test_rejection_tells_both_parties_the_reasons(firm):
    tid = firm.instruct(40)
    reasons = (Reason("board", "The board declined to register it"),)
    firm.run(workflow.reject, Reject(tid, reasons))
    for party in ("a", "b"):
        row = firm.rows(party)[-1]
        assert row.subject == "A transfer was rejected"
        assert "Reasons: The board declined to register it." in row.body


def test_expiry_tells_both_parties(firm, clock):
    tid = firm.instruct(40)
    clock.now = START + timedelta(days=15)
    firm.step(workflow.expire, tid)
    for party in ("a", "b"):
        row = firm.rows(party)[-1]
        assert (row.kind, row.subject) == ("transfer.expired", "A transfer expired")
        assert "acceptance" in row.body


def test_a_pre_emption_offer_tells_each_offeree_its_entitlement(firm, app):
    with app.app_context():
        issue(firm.issuer_id, (firm.b, 100))
        (newcomer,) = add_holders(firm.issuer_id, {**HOLDER_A, "identifier": "NEW-1"})
    firm.configure(pre_emption=True)
    tid = firm.instruct(30, target=newcomer)
    firm.step(workflow.accept, tid)
    (offer,) = firm.rows("b")
    assert offer.kind == "transfer.pre_emption_opened"
    assert offer.subject == "A pre-emption offer: up to 30 ORD shares in Notify Widgets plc"
    assert offer.link == f"/me/offers/{tid}"
    assert "take them up or waive by 03 June 2026, 09:00 UTC" in offer.body  # 30 days
    assert firm.rows("a") == firm.rows("c") == []  # the transferor and non-holders are not offered
    # The secretaries hear once the offer has closed with shares left for the newcomer.
    assert firm.rows("sec1") == []
    firm.run(pre_emption.take_up, TakeUp(tid, firm.b, 10))
    assert [row.kind for row in firm.rows("sec1")] == ["transfer.pre_emption_closed"]
    assert "30 ORD" not in firm.rows("sec1")[0].body  # the instruction now has the rest: 20
    assert "20 ORD shares" in firm.rows("sec1")[0].body


@pytest.fixture
def extra_kinds(monkeypatch):
    """Kinds other contexts apply (notices, disclosures), with no-op appliers for this test."""
    for kind in ("notice.threshold_crossed", "disclosure.published"):
        monkeypatch.setitem(register_appliers._APPLIERS, kind, ignore)


def record(app, issuer_id: str, kind: str, data: dict) -> None:
    with app.app_context(), command(ACTOR, issuer_id) as ctx:
        ctx.record(kind, data)


def test_a_threshold_notice_tells_the_holder(firm, app, extra_kinds):
    data = {
        "holder_id": firm.a,
        "threshold": "25",
        "direction": "down",
        "before": "100",
        "after": "20",
        "trigger_index": "3",
    }
    record(app, firm.issuer_id, "notice.threshold_crossed", data)
    (row,) = firm.rows("a")
    assert row.subject == "Your voting rights in Notify Widgets plc crossed 25%"
    assert "went below 25% (from 100% to 20%)" in row.body
    assert firm.rows("b") == firm.rows("sec1") == []


def _disclosure(audience: str) -> dict:
    return {"disclosure_id": "d" * 32, "title": "Annual report 2026", "audience": audience}


def follow(app, user_id: int, issuer_id: str) -> None:
    with app.app_context(), db.write() as session:
        session.add(IssuerFollow(issuer_id=issuer_id, user_id=user_id, created_at=START))


def test_a_public_disclosure_tells_members_and_followers(firm, app, extra_kinds):
    follower = make_login(app, "follower@example.test", "regulator")
    follow(app, follower, firm.issuer_id)
    firm.logins["follower"] = follower
    # A member who has ceased is no longer told.
    firm.run(holders.cease_holder, CeaseHolder(firm.c, START.date()))
    record(app, firm.issuer_id, "disclosure.published", _disclosure("public"))
    for login in ("a", "b", "follower"):
        (row,) = firm.rows(login)
        assert row.subject == "Notify Widgets plc published: Annual report 2026"
        assert row.link == f"/issuers/{firm.issuer_id}/disclosures/{'d' * 32}"
    assert firm.rows("c") == firm.rows("sec1") == []


def test_a_members_only_disclosure_tells_no_follower(firm, app, extra_kinds):
    follower = make_login(app, "follower@example.test", "regulator")
    follow(app, follower, firm.issuer_id)
    firm.logins["follower"] = follower
    record(app, firm.issuer_id, "disclosure.published", _disclosure("members"))
    assert len(firm.rows("a")) == 1
    assert firm.rows("follower") == []


def test_a_holder_without_a_login_is_skipped(firm, app):
    with app.app_context():
        (silent,) = add_holders(firm.issuer_id, {**HOLDER_A, "identifier": "NO-LOGIN"})
    before = outbox_size(app)
    firm.instruct(10, target=silent)
    assert outbox_size(app) == before


def test_replay_writes_no_notifications(firm, app):
    tid = firm.instruct(40)
    firm.step(workflow.accept, tid, party=firm.b)
    before = outbox_size(app)
    with app.app_context():
        replay_and_compare(db.session, firm.issuer_id)
    assert outbox_size(app) == before


def test_the_notifications_package_imports_without_flask():
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_FLASK, "app.notifications"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
