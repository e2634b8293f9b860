"""The transfer workflow: instruct, accept, approve, settle; the other ends; reservations;
order of receipt; deadlines (an injected clock); replay; concurrency on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.commands import command
from app.extensions import db
from app.register import classes, conversion, holdings, reorganisation
from app.register.errors import InvalidInput, Refused
from app.register.replay import ReplayMismatch, replay_and_compare
from app.register.requests import ConvertShares
from app.transfers import queries, workflow
from app.transfers.deadlines import add_months
from app.transfers.requests import ConfigureTransfers, Instruct, Reason, Reject, Step
from tests.support.actions import HALF_UP, assert_replays, reorganise_class, terms
from tests.support.helpers import (
    ACTOR,
    HOLDER_C,
    Clock,
    add_holders,
    class_request,
    seed_register,
    set_clock,
    submit,
)
from tests.support.register_driver import dialect

START = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(app) -> Clock:
    return set_clock(app, START)


@dataclass
class Company:
    app: object
    issuer_id: str
    a: str  # holds 100 ORD
    b: str
    c: str

    def run(self, service, request):
        with self.app.app_context():
            return submit(self.issuer_id, service, request)

    def instruct(
        self, quantity: int, source: str | None = None, target: str | None = None, **extra
    ):
        request = Instruct(
            class_code="ORD",
            from_holder_id=source or self.a,
            to_holder_id=target or self.b,
            quantity=quantity,
            risk_acknowledged=extra.pop("risk_acknowledged", True),
            **extra,
        )
        return self.run(workflow.instruct, request).instruction_id

    def step(self, service, instruction_id: str, party: str | None = None):
        return self.run(service, Step(instruction_id, party))

    def refused(self, service, request) -> Refused:
        with pytest.raises(Refused) as caught:
            self.run(service, request)
        return caught.value

    def holding(self, holder_id: str) -> holdings.Holding | None:
        with self.app.app_context():
            return holdings.current(db.session, self.issuer_id, "ORD", holder_id)

    def state(self, instruction_id: str) -> str:
        with self.app.app_context():
            return queries.get_instruction(db.session, self.issuer_id, instruction_id).state

    def history(self, instruction_id: str) -> list[tuple[str, int]]:
        with self.app.app_context():
            rows = queries.transitions(db.session, self.issuer_id, instruction_id)
            return [(row.state, row.log_index) for row in rows]


@pytest.fixture
def company(app, clock, new_issuer) -> Company:
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    with app.app_context():
        (c,) = add_holders(issuer_id, HOLDER_C)
    return Company(app, issuer_id, a, b, c)


def reserved_and_available(company: Company, holder_id: str) -> tuple[int, int]:
    holding = company.holding(holder_id)
    return holding.reserved, holding.available


# --- the happy path and reservations -------------------------------------------------------


def test_instruct_accept_approve_settle_moves_the_shares_and_releases_the_reservation(company):
    tid = company.instruct(30, consideration_text="gift")
    assert reserved_and_available(company, company.a) == (30, 70)
    assert company.holding(company.a).held == 100
    company.step(workflow.accept, tid, party=company.b)
    company.step(workflow.approve, tid)
    assert company.state(tid) == "approved"
    company.step(workflow.settle, tid)
    assert company.state(tid) == "settled"
    assert (company.holding(company.a).held, company.holding(company.b).held) == (70, 30)
    assert reserved_and_available(company, company.a) == (0, 70)
    states = [state for state, _ in company.history(tid)]
    assert states == ["instructed", "accepted", "approved", "settled"]
    indexes = [index for _, index in company.history(tid)]
    assert indexes == sorted(indexes) and len(set(indexes)) == 4
    assert_replays(company.app, company.issuer_id)


@pytest.mark.parametrize(
    ("ending", "steps"),
    [
        ("declined", [(workflow.decline, "b")]),
        ("cancelled", [(workflow.cancel, "a")]),
        ("cancelled", [(workflow.accept, "b"), (workflow.approve, None), (workflow.cancel, None)]),
    ],
)
def test_each_end_gives_the_reserved_shares_back(company, ending, steps):
    tid = company.instruct(40)
    for service, party in steps:
        company.step(service, tid, getattr(company, party) if party else None)
    assert company.state(tid) == ending
    assert reserved_and_available(company, company.a) == (0, 100)
    assert_replays(company.app, company.issuer_id)


def test_a_rejection_gives_the_shares_back_and_keeps_its_reasons(company):
    tid = company.instruct(40)
    company.step(workflow.accept, tid)
    reasons = (Reason("kyc_required", "the transferee has not been verified"),)
    company.run(workflow.reject, Reject(tid, reasons))
    assert company.state(tid) == "rejected"
    assert reserved_and_available(company, company.a) == (0, 100)
    with company.app.app_context():
        last = queries.transitions(db.session, company.issuer_id, tid)[-1]
        assert last.reasons == [
            {"code": "kyc_required", "text": "the transferee has not been verified"}
        ]
    error = company.refused(workflow.reject, Reject(tid, ()))
    assert error.code == "not_pending"


def test_a_rejection_needs_a_reason(company):
    tid = company.instruct(10)
    with pytest.raises(InvalidInput):
        company.run(workflow.reject, Reject(tid, ()))
    assert company.state(tid) == "instructed"


def test_the_same_shares_cannot_be_promised_twice(company):
    company.instruct(60)
    error = company.refused(workflow.instruct, Instruct("ORD", company.a, company.c, 41, True))
    assert (error.code, error.details["available"]) == ("insufficient_available", 40)
    company.instruct(40, target=company.c)
    assert reserved_and_available(company, company.a) == (100, 0)


def test_a_lodged_transfer_cannot_take_reserved_shares(company):
    from app.register.transfers import lodge_transfer
    from tests.support.helpers import transfer_request

    company.instruct(90)
    error = company.refused(lodge_transfer, transfer_request(company.a, company.c, 11))
    assert error.code == "insufficient_available"


def test_instructions_need_the_risk_acknowledged_and_two_holders(company):
    with pytest.raises(InvalidInput) as caught:
        company.instruct(10, risk_acknowledged=False)
    assert caught.value.code == "risk_not_acknowledged"
    with pytest.raises(InvalidInput):
        company.instruct(10, target=company.a)
    assert reserved_and_available(company, company.a) == (0, 100)


# --- illegal transitions -------------------------------------------------------------------


def test_illegal_transitions_are_refused_with_codes(company):
    tid = company.instruct(10)
    assert company.refused(workflow.approve, Step(tid)).code == "wrong_state"
    assert company.refused(workflow.settle, Step(tid)).code == "wrong_state"
    assert company.refused(workflow.expire, Step(tid)).code == "not_due"
    company.step(workflow.accept, tid)
    assert company.refused(workflow.accept, Step(tid)).code == "wrong_state"
    assert company.refused(workflow.decline, Step(tid)).code == "wrong_state"
    assert company.refused(workflow.settle, Step(tid)).code == "wrong_state"
    company.step(workflow.approve, tid)
    company.step(workflow.settle, tid)
    for service in (workflow.accept, workflow.approve, workflow.cancel, workflow.settle):
        assert company.refused(service, Step(tid)).code == "not_pending"
    assert company.history(tid)[-1][0] == "settled"


def test_parties_may_act_only_on_their_own_side(company):
    tid = company.instruct(10)
    assert company.refused(workflow.accept, Step(tid, company.a)).code == "not_your_instruction"
    assert company.refused(workflow.decline, Step(tid, company.c)).code == "not_your_instruction"
    assert company.refused(workflow.cancel, Step(tid, company.b)).code == "not_your_instruction"
    company.step(workflow.accept, tid, company.b)
    assert company.refused(workflow.approve, Step(tid, company.b)).code == "not_your_instruction"
    request = Instruct("ORD", company.a, company.c, 5, True, party=company.b)
    assert company.refused(workflow.instruct, request).code == "not_your_instruction"


# --- approval settings and order of receipt ------------------------------------------------


def test_a_class_without_approval_settles_once_accepted(company):
    company.run(workflow.configure, ConfigureTransfers("ORD", approval_required=False))
    tid = company.instruct(25)
    company.step(workflow.accept, tid)
    company.step(workflow.settle, tid)
    assert company.holding(company.b).held == 25
    assert [state for state, _ in company.history(tid)] == ["instructed", "accepted", "settled"]
    assert_replays(company.app, company.issuer_id)


def test_a_later_instruction_never_settles_before_an_earlier_pending_one(company):
    company.run(workflow.configure, ConfigureTransfers("ORD", approval_required=False))
    first = company.instruct(10)
    second = company.instruct(20, target=company.c)
    company.step(workflow.accept, second)
    error = company.refused(workflow.settle, Step(second))
    assert (error.code, error.details["earlier"]) == ("earlier_pending", [first])
    # Another holder's instruction is not held up.
    other = company.instruct(5, source=company.a, target=company.c)
    assert company.refused(workflow.settle, Step(other)).code == "wrong_state"
    company.step(workflow.decline, first)
    company.step(workflow.settle, second)
    assert company.holding(company.c).held == 20


# --- deadlines -----------------------------------------------------------------------------


def test_months_end_on_the_last_day_when_shorter():
    assert add_months(datetime(2026, 12, 31, tzinfo=UTC), 2) == datetime(2027, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 12, 31, tzinfo=UTC), 2) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 3, 15, tzinfo=UTC), 2) == datetime(2026, 5, 15, tzinfo=UTC)


def test_acceptance_after_its_deadline_is_refused_and_the_instruction_expires(company, clock):
    company.run(workflow.configure, ConfigureTransfers("ORD", acceptance_days=3))
    tid = company.instruct(10)
    with company.app.app_context():
        instruction = queries.get_instruction(db.session, company.issuer_id, tid)
        assert instruction.accept_by == START + timedelta(days=3)
        assert instruction.decide_by == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    clock.now = START + timedelta(days=3)
    assert company.refused(workflow.expire, Step(tid)).code == "not_due"
    clock.now += timedelta(microseconds=1)
    assert company.refused(workflow.accept, Step(tid)).code == "deadline_passed"
    company.step(workflow.expire, tid)
    assert company.state(tid) == "expired"
    assert reserved_and_available(company, company.a) == (0, 100)
    assert_replays(company.app, company.issuer_id)


def test_the_decision_is_due_within_two_months_of_lodging(company, clock):
    tid = company.instruct(10)
    company.step(workflow.accept, tid)
    clock.now = datetime(2026, 3, 31, 9, 0, 1, tzinfo=UTC)  # lodged 31 January
    assert company.refused(workflow.approve, Step(tid)).code == "deadline_passed"
    with company.app.app_context():
        assert queries.due_for_expiry(db.session, clock.now) == [(company.issuer_id, tid)]
    company.step(workflow.expire, tid)
    with company.app.app_context():
        last = queries.transitions(db.session, company.issuer_id, tid)[-1]
        assert last.reasons[0]["code"] == "decision_deadline_passed"


def test_the_cli_expires_what_is_past_due(company, clock, runner):
    late = company.instruct(10)
    on_time = company.instruct(10, target=company.c)
    clock.now = START + timedelta(days=10)
    company.step(workflow.accept, on_time)
    clock.now = START + timedelta(days=15)
    result = runner.invoke(args=["transfers", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 of 1" in result.output and "expired 1" in result.output
    assert (company.state(late), company.state(on_time)) == ("expired", "accepted")
    result = runner.invoke(args=["transfers", "expire"])
    assert "nothing to expire" in result.output


# --- replay --------------------------------------------------------------------------------


def test_log_verify_rebuilds_the_instructions_and_notices_a_tampered_one(company, runner):
    tid = company.instruct(30)
    company.step(workflow.accept, tid)
    company.instruct(5, target=company.c)
    result = runner.invoke(args=["log", "verify", "--issuer", company.issuer_id])
    assert result.exit_code == 0, result.output
    with company.app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE transfer_instructions SET quantity = quantity + 1"))
        with pytest.raises(ReplayMismatch, match="transfer_instructions"):
            replay_and_compare(db.session, company.issuer_id)
    result = runner.invoke(args=["log", "verify", "--issuer", company.issuer_id])
    assert result.exit_code != 0


def test_a_tampered_history_is_noticed(company):
    tid = company.instruct(30)
    company.step(workflow.accept, tid)
    with company.app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE instruction_transitions SET state = 'approved'"))
        with pytest.raises(ReplayMismatch, match="instruction_transitions"):
            replay_and_compare(db.session, company.issuer_id)


# --- concurrency ---------------------------------------------------------------------------


def test_concurrent_instructions_never_reserve_more_than_available(app, company):
    if dialect(app) != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL")
    threads, each = 8, 15  # 120 shares asked for, 100 held
    start = threading.Barrier(threads)

    def instruct_once(_: int) -> str:
        with app.app_context():
            start.wait(60)
            try:
                with command(ACTOR, company.issuer_id) as ctx:
                    workflow.instruct(ctx, Instruct("ORD", company.a, company.b, each, True))
            except Refused as error:
                return error.code
            return "instructed"

    with ThreadPoolExecutor(max_workers=threads) as pool:
        outcomes = list(pool.map(instruct_once, range(threads)))
    assert outcomes.count("instructed") == 100 // each
    assert set(outcomes) == {"instructed", "insufficient_available"}
    assert reserved_and_available(company, company.a) == (90, 10)
    assert_replays(app, company.issuer_id)


# --- reorganisations while instructions are pending ----------------------------------------


def test_a_split_scales_pending_instructions_and_their_reservations(company):
    first = company.instruct(30)
    second = company.instruct(5, target=company.c)
    # 5:1 keeps the par value exact (0.01 -> 0.002); 3:1 would be refused for it.
    company.run(reorganisation.split_class, reorganise_class("ORD", "5:1", HALF_UP))
    assert reserved_and_available(company, company.a) == (175, 325)
    with company.app.app_context():
        scaled = [
            queries.get_instruction(db.session, company.issuer_id, tid).quantity
            for tid in (first, second)
        ]
    assert scaled == [150, 25]
    company.step(workflow.accept, first)
    company.step(workflow.approve, first)
    company.step(workflow.settle, first)
    company.step(workflow.cancel, second)
    assert reserved_and_available(company, company.a) == (0, 350)
    assert company.holding(company.b).held == 150
    assert_replays(company.app, company.issuer_id)


def test_a_reorganisation_that_would_cut_a_pending_quantity_is_refused(company):
    for _ in range(2):
        company.instruct(1)  # 2 reserved: whole after 5:2, but each 2.5
    error = company.refused(reorganisation.split_class, reorganise_class("ORD", "5:2", HALF_UP))
    assert error.code == "encumbered_fraction"
    assert reserved_and_available(company, company.a) == (2, 98)
    assert company.holding(company.a).held == 100


def test_two_secretaries_approving_at_once_one_wins_the_other_is_refused(app, company):
    if dialect(app) != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL")
    tid = company.instruct(10)
    company.step(workflow.accept, tid)
    start = threading.Barrier(2)

    def approve_once(_: int) -> str:
        with app.app_context():
            start.wait(60)
            try:
                company.step(workflow.approve, tid)
            except Refused as error:
                return error.code
            return "approved"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(approve_once, range(2)))
    assert outcomes == ["approved", "wrong_state"]
    assert [state for state, _ in company.history(tid)] == ["instructed", "accepted", "approved"]


def test_a_context_takes_over_a_register_kind_only_by_naming_what_it_extends():
    from app.register import appliers, capital
    from app.transfers.appliers import apply_settled

    def rogue(_session, _entry):
        raise AssertionError("never applied")

    with pytest.raises(RuntimeError, match=r"shares\.cancelled"):
        appliers.install({"shares.cancelled": rogue})
    assert appliers.APPLIERS["shares.cancelled"] is capital.apply_shares_removed
    assert appliers.APPLIERS["transfer.settled"] is apply_settled


def test_a_conversion_cannot_take_shares_reserved_for_a_pending_instruction(company):
    """Only available shares convert: the reserved ones wait in their class for the transfer."""
    company.instruct(30)  # A holds 100 ORD: 70 available
    company.run(classes.create_class, class_request(code="PREF", name="Preference"))
    into_pref = ConvertShares(company.a, "ORD", "PREF", 71, terms(**{**HALF_UP, "ratio": "1:1"}))
    error = company.refused(conversion.convert_shares, into_pref)
    assert error.code == "insufficient_available"
    assert reserved_and_available(company, company.a) == (30, 70)
    company.run(conversion.convert_shares, replace(into_pref, quantity=70))
    assert reserved_and_available(company, company.a) == (30, 0)
    assert_replays(company.app, company.issuer_id)
