"""Pre-emption: an accepted transfer to a non-member is first offered to the class's holders,
pro rata; take-up, waiver (and silence), the close, the rest to the transferee; allocation
properties; replay; refusals; two offerees at once on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from app.extensions import db
from app.register import holdings
from app.register.errors import InvalidInput, NotFound, Refused
from app.register.replay import ReplayMismatch, replay_and_compare
from app.transfers import offer_queries, pre_emption, queries, workflow
from app.transfers.allocation import allocate
from app.transfers.requests import ConfigureTransfers, Instruct, Step, TakeUp, Waive
from tests.support.actions import assert_replays
from tests.support.helpers import (
    Clock,
    seed_offerees,
    set_clock,
    submit,
)
from tests.support.register_driver import dialect

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock(app) -> Clock:
    return set_clock(app, START)


@dataclass
class Company:
    """A sells 30 of its 100 ORD to newcomer N; B, C and E hold 50, 30 and 20."""

    app: object
    issuer_id: str
    a: str
    b: str
    c: str
    e: str
    n: str

    def run(self, service, request):
        with self.app.app_context():
            return submit(self.issuer_id, service, request)

    def refused(self, service, request) -> Refused:
        with pytest.raises(Refused) as caught:
            self.run(service, request)
        return caught.value

    def sell(self, quantity: int = 30, target: str | None = None, **extra) -> str:
        request = Instruct("ORD", self.a, target or self.n, quantity, True, **extra)
        tid = self.run(workflow.instruct, request).instruction_id
        self.run(workflow.accept, Step(tid))
        return tid

    def held(self, holder_id: str) -> int:
        with self.app.app_context():
            holding = holdings.current(db.session, self.issuer_id, "ORD", holder_id)
            return holding.held if holding else 0

    def reserved(self, holder_id: str) -> int:
        with self.app.app_context():
            return holdings.current(db.session, self.issuer_id, "ORD", holder_id).reserved

    def offer(self, tid: str) -> tuple[str, dict[str, tuple[int, str, int]]]:
        """The offer's state and each offeree's (entitlement, answer, taken)."""
        with self.app.app_context():
            offer = offer_queries.get_offer(db.session, self.issuer_id, tid)
            rows = offer_queries.offerees(db.session, self.issuer_id, tid)
            return offer.state, {r.holder_id: (r.entitlement, r.answer, r.taken) for r in rows}

    def instruction(self, tid: str):
        with self.app.app_context():
            return queries.get_instruction(db.session, self.issuer_id, tid)


def configure(company: Company, on: bool = True, days: int = 30, approval: bool = True) -> None:
    request = ConfigureTransfers(
        "ORD", approval_required=approval, pre_emption=on, pre_emption_days=days
    )
    company.run(workflow.configure, request)


@pytest.fixture
def company(app, clock, new_issuer) -> Company:
    issuer_id = new_issuer()["id"]
    a, b, c, e, n = seed_offerees(app, issuer_id)
    company = Company(app, issuer_id, a, b, c, e, n)
    configure(company)
    return company


# --- the full path -------------------------------------------------------------------------


def test_two_takers_and_a_waiver_then_the_rest_goes_to_the_transferee(company):
    tid = company.sell(30, consideration=Decimal("300"), currency="GBP")
    state, offerees = company.offer(tid)
    # 30 shares pro rata to 50:30:20.
    assert (state, offerees) == (
        "open",
        {company.b: (15, "pending", 0), company.c: (9, "pending", 0), company.e: (6, "pending", 0)},
    )
    assert company.refused(workflow.approve, Step(tid)).code == "pre_emption_pending"
    company.run(pre_emption.take_up, TakeUp(tid, company.b, 10, party=company.b))
    company.run(pre_emption.take_up, TakeUp(tid, company.c, 9))
    assert company.reserved(company.a) == 30  # still reserved while the offer is open
    company.run(pre_emption.waive, Waive(tid, company.e, party=company.e))
    # The last answer closes the offer: the takers' parts settle at once.
    assert company.offer(tid)[0] == "closed"
    assert [company.held(h) for h in (company.a, company.b, company.c, company.e)] == [
        81,
        60,
        39,
        20,
    ]
    instruction = company.instruction(tid)
    assert (instruction.state, instruction.quantity, instruction.consideration) == (
        "accepted",
        11,
        "110.00",
    )
    assert company.reserved(company.a) == 11
    company.run(workflow.approve, Step(tid))
    company.run(workflow.settle, Step(tid))
    assert (company.held(company.a), company.held(company.n)) == (70, 11)
    assert company.reserved(company.a) == 0
    assert_replays(company.app, company.issuer_id)


def test_each_taker_pays_the_instructed_price_pro_rata(company):
    from app.ledger import log

    tid = company.sell(30, consideration=Decimal("300"), currency="GBP")
    company.run(pre_emption.take_up, TakeUp(tid, company.b, 15))
    company.run(pre_emption.take_up, TakeUp(tid, company.c, 9))
    company.run(pre_emption.take_up, TakeUp(tid, company.e, 6))
    with company.app.app_context():
        size = log.signed_size(db.session, company.issuer_id)
        entries = log.read_entries(db.session, company.issuer_id, size - 4, size)
        kinds = [entry.envelope["kind"] for entry in entries]
        settled = [entry.envelope["data"] for entry in entries[1:]]
    assert kinds == ["transfer.pre_emption_closed"] + ["transfer.settled"] * 3
    paid = {data["to_holder_id"]: (data["quantity"], data["consideration"]) for data in settled}
    assert paid == {
        company.b: ("15", "150.00"),
        company.c: ("9", "90.00"),
        company.e: ("6", "60.00"),
    }
    # Everything was taken up: the instruction ends, and nothing is left reserved.
    assert company.instruction(tid).state == "pre_empted"
    assert (company.held(company.a), company.reserved(company.a), company.held(company.n)) == (
        70,
        0,
        0,
    )
    assert company.refused(workflow.settle, Step(tid)).code == "not_pending"
    assert_replays(company.app, company.issuer_id)


def test_silence_is_waiver_when_the_window_ends(company, clock, runner):
    configure(company, days=10, approval=False)
    tid = company.sell(30)
    company.run(pre_emption.take_up, TakeUp(tid, company.b, 15))
    assert company.refused(pre_emption.close, Step(tid)).code == "not_due"
    result = runner.invoke(args=["transfers", "close-offers"])
    assert "nothing to close" in result.output
    clock.now = START + timedelta(days=10, seconds=1)
    assert company.refused(pre_emption.take_up, TakeUp(tid, company.c, 1)).code == "offer_closed"
    result = runner.invoke(args=["transfers", "expire"])
    assert result.exit_code == 0, result.output
    assert "closed 1 of 1" in result.output
    state, offerees = company.offer(tid)
    assert state == "closed"
    assert offerees[company.c][1:] == offerees[company.e][1:] == ("waived", 0)
    assert (company.held(company.b), company.instruction(tid).quantity) == (65, 15)
    company.run(workflow.settle, Step(tid))  # no approval needed in this class
    assert (company.held(company.a), company.held(company.n)) == (70, 15)
    assert_replays(company.app, company.issuer_id)


# --- when an offer opens -------------------------------------------------------------------


def test_no_offer_to_a_member_nor_where_the_class_has_none(company):
    member = company.sell(10, target=company.b)
    with company.app.app_context(), pytest.raises(NotFound):
        offer_queries.get_offer(db.session, company.issuer_id, member)
    company.run(workflow.approve, Step(member))
    configure(company, on=False)
    newcomer = company.sell(10)
    company.run(workflow.approve, Step(newcomer))
    assert company.instruction(newcomer).state == "approved"


def test_the_offer_window_never_outlasts_the_decision_deadline(company):
    configure(company, days=200)
    tid = company.sell(30)
    with company.app.app_context():
        offer = offer_queries.get_offer(db.session, company.issuer_id, tid)
        assert offer.close_by == company.instruction(tid).decide_by


def test_the_settings_default_to_off_and_bound_the_window(company):
    with company.app.app_context():
        settings = queries.settings_for(db.session, company.issuer_id, "XYZ")
    assert (settings.pre_emption, settings.pre_emption_days) == (False, 30)
    with pytest.raises(InvalidInput) as caught:
        configure(company, days=0)
    assert caught.value.details["field"] == "pre_emption_days"


# --- refusals ------------------------------------------------------------------------------


def test_illegal_answers_are_refused_with_codes(company):
    tid = company.sell(30)
    cases = [
        (TakeUp(tid, company.b, 16), "exceeds_entitlement"),
        (TakeUp(tid, company.a, 1), "not_an_offeree"),
        (TakeUp(tid, company.n, 1), "not_an_offeree"),
        (TakeUp(tid, company.b, 1, party=company.c), "not_your_offer"),
        (Waive(tid, company.b, party=company.c), "not_your_offer"),
    ]
    for request, code in cases:
        service = pre_emption.take_up if isinstance(request, TakeUp) else pre_emption.waive
        assert company.refused(service, request).code == code
    with pytest.raises(InvalidInput):
        company.run(pre_emption.take_up, TakeUp(tid, company.b, 0))
    company.run(pre_emption.waive, Waive(tid, company.b))
    assert company.refused(pre_emption.take_up, TakeUp(tid, company.b, 1)).code == (
        "already_answered"
    )
    for service in (workflow.approve, workflow.settle, workflow.cancel, workflow.expire):
        assert company.refused(service, Step(tid)).code == "pre_emption_pending"
    assert company.offer(tid)[1][company.c] == (9, "pending", 0)
    company.run(pre_emption.waive, Waive(tid, company.c))
    company.run(pre_emption.waive, Waive(tid, company.e))
    assert company.refused(pre_emption.waive, Waive(tid, company.e)).code == "offer_closed"
    assert company.refused(pre_emption.close, Step(tid)).code == "offer_closed"
    assert company.instruction(tid).quantity == 30  # everyone waived: all to the newcomer


def test_a_reorganisation_waits_for_the_open_offer_to_close(company):
    from app.register import reorganisation
    from tests.support.actions import HALF_UP, reorganise_class

    tid = company.sell(30)
    split = reorganise_class("ORD", "5:1", HALF_UP)
    assert company.refused(reorganisation.split_class, split).code == "pre_emption_pending"
    assert company.held(company.a) == 100
    for holder in (company.b, company.c, company.e):
        company.run(pre_emption.waive, Waive(tid, holder))
    company.run(reorganisation.split_class, split)
    assert (company.held(company.a), company.instruction(tid).quantity) == (500, 150)


def test_an_offer_on_an_instruction_ended_otherwise_closes_withdrawn(company, clock):
    """A forced transfer cancels pending instructions directly (the register's own command):
    the offer can no longer be answered, and closes without moving anything."""
    from app.commands import command

    tid = company.sell(30)
    company.run(pre_emption.take_up, TakeUp(tid, company.b, 5))
    with company.app.app_context(), command("test", company.issuer_id) as ctx:
        reason = {"code": "forced_transfer", "text": "court order 123"}
        ctx.record("transfer.cancelled", {"instruction_id": tid, "reasons": [reason]})
    assert company.refused(pre_emption.waive, Waive(tid, company.c)).code == "not_pending"
    clock.now = START + timedelta(days=31)
    company.run(pre_emption.close, Step(tid))
    state, offerees = company.offer(tid)
    assert (state, offerees[company.c][1]) == ("closed", "waived")
    assert (company.held(company.a), company.reserved(company.a), company.held(company.b)) == (
        100,
        0,
        50,
    )
    assert_replays(company.app, company.issuer_id)


# --- allocation ----------------------------------------------------------------------------


def test_the_rounding_rule_gives_leftovers_to_the_largest_remainders_then_larger_holdings():
    assert allocate(10, {"x": 1, "y": 1, "z": 1}) == {"x": 4, "y": 3, "z": 3}
    # a and b tie on remainder and holding: the smaller id wins.
    assert allocate(2, {"b": 1, "a": 1, "c": 2}) == {"a": 1, "b": 0, "c": 1}
    assert allocate(1, {"small": 1, "big": 2}) == {"small": 0, "big": 1}
    assert allocate(7, {"p": 0, "q": 5}) == {"p": 0, "q": 7}


holdings_strategy = st.dictionaries(
    st.text("abcdef", min_size=1, max_size=3), st.integers(0, 10**6), min_size=1, max_size=12
).filter(lambda found: sum(found.values()) > 0)


@given(quantity=st.integers(0, 10**7), basis=holdings_strategy)
def test_allocation_is_exact_whole_and_never_beyond_a_share(quantity, basis):
    parts = allocate(quantity, basis)
    total = sum(basis.values())
    assert set(parts) == set(basis)
    assert sum(parts.values()) == quantity  # never more than offered, nothing lost
    for holder, part in parts.items():
        assert part >= 0
        floor, remainder = divmod(quantity * basis[holder], total)
        # The exact share rounded down or up: never beyond a holder's pro-rata entitlement.
        assert floor <= part <= floor + (1 if remainder else 0)


@given(quantity=st.integers(0, 10**6), basis=holdings_strategy, seed=st.randoms())
def test_allocation_ignores_the_order_of_its_inputs(quantity, basis, seed):
    shuffled = list(basis.items())
    seed.shuffle(shuffled)
    assert allocate(quantity, dict(shuffled)) == allocate(quantity, basis)


# --- replay --------------------------------------------------------------------------------


def test_log_verify_rebuilds_the_offers_and_notices_tampering(company, runner):
    tid = company.sell(30)
    company.run(pre_emption.take_up, TakeUp(tid, company.b, 5))
    result = runner.invoke(args=["log", "verify", "--issuer", company.issuer_id])
    assert result.exit_code == 0, result.output
    tampering = [
        ("UPDATE pre_emption_offerees SET entitlement = entitlement + 1", "pre_emption_offerees"),
        ("UPDATE pre_emption_offers SET taken_up = 0", "pre_emption_offers"),
    ]
    for statement, table in tampering:
        with company.app.app_context():
            with db.engine.begin() as connection:
                connection.execute(text(statement))
            with pytest.raises(ReplayMismatch, match=table):
                replay_and_compare(db.session, company.issuer_id)
    result = runner.invoke(args=["log", "verify", "--issuer", company.issuer_id])
    assert result.exit_code != 0


# --- concurrency ---------------------------------------------------------------------------


def test_two_offerees_taking_up_at_once_both_count(app, company):
    if dialect(app) != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL")
    tid = company.sell(30)
    company.run(pre_emption.waive, Waive(tid, company.e))
    start = threading.Barrier(2)

    def take(holder_and_quantity: tuple[str, int]) -> str:
        holder, quantity = holder_and_quantity
        with app.app_context():
            start.wait(60)
            company.run(pre_emption.take_up, TakeUp(tid, holder, quantity, party=holder))
            return holder

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = sorted(pool.map(take, [(company.b, 15), (company.c, 9)]))
    assert done == sorted([company.b, company.c])
    assert company.offer(tid)[0] == "closed"
    assert (company.held(company.b), company.held(company.c)) == (65, 39)
    assert (company.instruction(tid).quantity, company.reserved(company.a)) == (6, 6)
    assert_replays(app, company.issuer_id)
