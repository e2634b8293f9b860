"""Transfer rules per class: every reason code alone and together, lock-ups under an injected
clock, KYC, versions on the log and their replay, the non-compliance report, approval above a
quantity, and the rules at instruction, on lodged transfers and (not) on forced ones."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from app.extensions import db
from app.register import holders, issuance, restrictions, transfers
from app.register.errors import InvalidInput, Refused
from app.register.replay import ReplayMismatch, replay_and_compare
from app.register.requests import CeaseHolder, ForcedTransfer, IssueShares, SetKyc
from app.transfers import checks, reasons, workflow
from app.transfers.requests import ChangeRules, Instruct, Step
from app.transfers.rule_changes import change_rules
from app.transfers.rules import RuleSet, current_rules, history
from tests.support.actions import assert_replays, last_entry
from tests.support.helpers import (
    HOLDER_C,
    Clock,
    add_holders,
    allocation,
    seed_register,
    submit,
    transfer_request,
)

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Company:
    app: object
    clock: Clock
    issuer_id: str
    a: str  # holds 100 ORD
    b: str  # holds none
    c: str  # holds none

    def run(self, service, request):
        with self.app.app_context():
            return submit(self.issuer_id, service, request)

    def rules(self, **fields):
        return self.run(change_rules, ChangeRules("ORD", RuleSet(**fields)))

    def codes(self, quantity: int, source: str | None = None, target: str | None = None):
        proposal = checks.Proposal("ORD", source or self.a, target or self.b, quantity)
        with self.app.app_context():
            found = checks.evaluate(db.session, self.issuer_id, proposal, self.clock().date())
        return [reason.code for reason in found]

    def instruction(self, quantity: int, target: str | None = None) -> Instruct:
        return Instruct("ORD", self.a, target or self.b, quantity, risk_acknowledged=True)


@pytest.fixture
def company(app, new_issuer) -> Company:
    clock = Clock(START)
    app.config["LEDGER_CLOCK"] = clock
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    with app.app_context():
        (c,) = add_holders(issuer_id, HOLDER_C)
    return Company(app, clock, issuer_id, a, b, c)


# --- every reason code on its own ----------------------------------------------------------

SINGLE_RULES = [
    ("trading_halted", {"trading_halted": True}, 30),
    ("locked_up", {"lockup_until": START.date() + timedelta(days=1)}, 30),
    ("kyc_required", {"kyc_required": True}, 30),
    ("country_blocked", {"blocked_countries": ("GB",)}, 30),
    ("country_blocked", {"allowed_countries": ("FR", "DE")}, 30),
    ("max_holders_exceeded", {"max_holders": 1}, 30),
    ("max_percentage_exceeded", {"max_vote_percentage": Decimal("25")}, 30),
    ("below_minimum_lot", {"minimum_lot": 10}, 5),
]


@pytest.mark.parametrize(("code", "fields", "quantity"), SINGLE_RULES)
def test_each_rule_alone_gives_its_code_and_the_transfer_is_allowed_without_it(
    company, code, fields, quantity
):
    assert company.codes(quantity) == []
    company.rules(**fields)
    assert company.codes(quantity) == [code]
    with pytest.raises(checks.TransferNotAllowed) as caught:
        company.run(workflow.instruct, company.instruction(quantity))
    assert [reason.code for reason in caught.value.reasons] == [code]
    (reason,) = caught.value.reasons
    assert (reason.rule_version, reason.erc1066) == (1, reasons.ERC1066[code])
    company.rules()
    assert company.codes(quantity) == []


def test_insufficient_available_is_a_reason_too(company):
    assert company.codes(101) == ["insufficient_available"]
    with pytest.raises(checks.TransferNotAllowed) as caught:
        company.run(workflow.instruct, company.instruction(101))
    assert caught.value.code == "insufficient_available"
    assert (caught.value.details["available"], caught.value.reasons[0].erc1066) == (100, "0x52")


def test_a_ceased_transferor_or_transferee_is_not_eligible(company):
    company.run(holders.cease_holder, CeaseHolder(company.c))
    assert company.codes(1, target=company.c) == ["transferee_not_eligible"]
    # A ceased member holds nothing, so its shares are never available either.
    assert company.codes(1, source=company.c) == [
        "transferor_not_eligible",
        "insufficient_available",
    ]
    assert reasons.ERC1066["transferor_not_eligible"] == "0x56"
    assert reasons.ERC1066["transferee_not_eligible"] == "0x57"


def test_holder_and_percentage_limits_count_what_the_transfer_changes(company):
    company.rules(max_holders=1, max_vote_percentage=Decimal("60"))
    # The whole holding keeps one holder, but gives B 100% of the votes.
    assert company.codes(100) == ["max_percentage_exceeded"]
    company.rules(max_holders=1)
    assert company.codes(100) == []
    company.rules(max_vote_percentage=Decimal("30"))
    assert company.codes(30) == []
    assert company.codes(31) == ["max_percentage_exceeded"]


def test_every_failing_rule_is_listed_not_only_the_first(company):
    company.rules(
        trading_halted=True,
        kyc_required=True,
        blocked_countries=("GB",),
        minimum_lot=500,
        max_vote_percentage=Decimal("1"),
    )
    expected = [
        "insufficient_available",
        "trading_halted",
        "kyc_required",
        "country_blocked",
        "max_percentage_exceeded",
        "below_minimum_lot",
    ]
    assert company.codes(200) == expected
    with pytest.raises(checks.TransferNotAllowed) as caught:
        company.run(workflow.instruct, company.instruction(200))
    assert [reason.code for reason in caught.value.reasons] == expected
    assert {reason.rule_version for reason in caught.value.reasons} == {1}


def test_pre_emption_pending_is_a_defined_code():
    assert reasons.PRE_EMPTION_PENDING in reasons.CODES
    assert len(set(reasons.CODES)) == len(reasons.CODES) == 11


# --- lock-ups with an injected clock -------------------------------------------------------


def test_a_class_lock_up_ends_on_its_date(company):
    company.rules(lockup_until=date(2026, 6, 1))
    assert company.codes(30) == ["locked_up"]
    company.clock.now = datetime(2026, 5, 31, 23, 59, tzinfo=UTC)
    assert company.codes(30) == ["locked_up"]
    company.clock.now = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
    assert company.codes(30) == []
    company.run(workflow.instruct, company.instruction(30))


def test_shares_issued_with_a_lock_up_stay_locked_for_that_holder(company):
    locked = allocation(company.a, 50, locked_until=date(2026, 9, 1))
    company.run(issuance.issue_shares, IssueShares((locked,)))
    assert last_entry(company.app, company.issuer_id)["data"]["locked_until"] == "2026-09-01"
    assert company.codes(100) == []  # the 100 issued before are free
    assert company.codes(101) == ["locked_up"]
    company.run(workflow.instruct, company.instruction(60))
    assert company.codes(41) == ["locked_up"]  # 40 free shares left: the rest are locked
    company.clock.now = datetime(2026, 9, 1, tzinfo=UTC)
    assert company.codes(90) == []
    assert_replays(company.app, company.issuer_id)


def test_issuance_entries_without_a_lock_up_keep_their_shape_and_lock_nothing(company):
    company.run(issuance.issue_shares, IssueShares((allocation(company.a, 5),)))
    entry = last_entry(company.app, company.issuer_id)
    assert entry["kind"] == "shares.issued"
    assert set(entry["data"]) == {"class", "holder_id", "quantity"}
    assert company.codes(105) == []
    assert_replays(company.app, company.issuer_id)


# --- KYC -----------------------------------------------------------------------------------


def test_kyc_is_set_by_a_logged_command_and_satisfies_the_rule(company):
    company.rules(kyc_required=True)
    assert company.codes(30) == ["kyc_required"]
    company.run(holders.set_kyc, SetKyc(company.b, True))
    entry = last_entry(company.app, company.issuer_id)
    assert (entry["kind"], entry["data"]) == (
        "holder.kyc_changed",
        {"holder_id": company.b, "verified": True},
    )
    assert company.codes(30) == []
    with pytest.raises(InvalidInput):
        company.run(holders.set_kyc, SetKyc(company.b, True))
    company.run(holders.set_kyc, SetKyc(company.b, False))
    assert company.codes(30) == ["kyc_required"]
    assert_replays(company.app, company.issuer_id)


# --- versions, replay, tampering -----------------------------------------------------------


def test_rules_are_versioned_on_the_log_and_replay_rebuilds_them(company, runner):
    first = company.rules(minimum_lot=10)
    second = company.rules(trading_halted=True, allowed_countries=("GB",))
    assert (first.current.version, second.current.version) == (1, 2)
    entry = last_entry(company.app, company.issuer_id)
    assert (entry["kind"], entry["data"]["version"]) == ("rules.changed", "2")
    with company.app.app_context():
        assert current_rules(db.session, company.issuer_id, "ORD").rules == RuleSet(
            trading_halted=True, allowed_countries=("GB",)
        )
        versions = history(db.session, company.issuer_id, "ORD")
        assert [row.version for row in versions] == [1, 2]
        assert RuleSet.from_data(versions[0].rules) == RuleSet(minimum_lot=10)
    result = runner.invoke(args=["log", "verify", "--issuer", company.issuer_id])
    assert result.exit_code == 0, result.output
    with company.app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE transfer_rules SET version = 7"))
        with pytest.raises(ReplayMismatch, match="transfer_rules"):
            replay_and_compare(db.session, company.issuer_id)
    result = runner.invoke(args=["log", "verify", "--issuer", company.issuer_id])
    assert result.exit_code != 0


def test_a_tampered_lock_up_or_kyc_flag_is_noticed(company):
    company.run(holders.set_kyc, SetKyc(company.b, True))
    locked = allocation(company.a, 5, locked_until=date(2026, 9, 1))
    company.run(issuance.issue_shares, IssueShares((locked,)))
    for statement, table in [
        ("UPDATE issuance_lockups SET locked_until = '2026-04-01'", "issuance_lockups"),
        ("UPDATE holders SET kyc_verified = NOT kyc_verified", "holders"),
    ]:
        with company.app.app_context():
            with db.engine.begin() as connection:
                connection.execute(text(statement))
            with pytest.raises(ReplayMismatch, match=table):
                replay_and_compare(db.session, company.issuer_id)
            with db.engine.begin() as connection:
                connection.execute(text(statement.replace("2026-04-01", "2026-09-01")))


def test_bad_rules_are_refused_and_write_nothing(company):
    cases = [
        RuleSet(allowed_countries=("XX",)),
        RuleSet(blocked_countries=("EU",)),
        RuleSet(allowed_countries=("GB",), blocked_countries=("GB",)),
        RuleSet(max_vote_percentage=Decimal("100.5")),
        RuleSet(max_vote_percentage=Decimal("0")),
        RuleSet(max_holders=0),
    ]
    for rules in cases:
        with pytest.raises(InvalidInput):
            company.run(change_rules, ChangeRules("ORD", rules))
    assert last_entry(company.app, company.issuer_id)["kind"] == "holder.registered"


# --- the non-compliance report -------------------------------------------------------------


def test_a_rule_change_that_existing_holdings_breach_is_made_and_reported(company):
    company.run(transfers.lodge_transfer, transfer_request(company.a, company.b, 40))
    company.run(holders.set_kyc, SetKyc(company.b, True))
    changed = company.rules(kyc_required=True, max_vote_percentage=Decimal("50"), max_holders=1)
    assert changed.current.version == 1
    found = sorted((b.holder_id or "", b.rule, b.code) for b in changed.breaches)
    assert found == [
        ("", "max_holders", "max_holders_exceeded"),
        (company.a, "kyc_required", "kyc_required"),
        (company.a, "max_vote_percentage", "max_percentage_exceeded"),
    ]
    changed = company.rules(blocked_countries=("GB",))
    assert {(b.holder_id, b.code) for b in changed.breaches} == {
        (company.a, "country_blocked"),
        (company.b, "country_blocked"),
    }
    assert company.rules().breaches == []


# --- approval above a quantity -------------------------------------------------------------


def test_approval_is_needed_only_above_the_quantity(company):
    company.rules(approval_above=10)
    small = company.run(workflow.instruct, company.instruction(10))
    large = company.run(workflow.instruct, company.instruction(11))
    assert (small.approval_required, large.approval_required) == (False, True)
    company.run(workflow.accept, Step(small.instruction_id))
    company.run(workflow.settle, Step(small.instruction_id))  # no approval step
    company.run(workflow.accept, Step(large.instruction_id))
    with pytest.raises(Refused, match="approved"):
        company.run(workflow.settle, Step(large.instruction_id))
    assert_replays(company.app, company.issuer_id)


# --- lodged, settled and forced transfers --------------------------------------------------


def test_lodged_transfers_meet_the_rules_and_forced_ones_do_not(company):
    company.rules(trading_halted=True, minimum_lot=50)
    with pytest.raises(checks.TransferNotAllowed) as caught:
        company.run(transfers.lodge_transfer, transfer_request(company.a, company.b, 30))
    assert [r.code for r in caught.value.reasons] == ["trading_halted", "below_minimum_lot"]
    order = ForcedTransfer("ORD", company.a, company.b, 30, legal_reference="court order 7")
    company.run(restrictions.forced_transfer, order)
    assert last_entry(company.app, company.issuer_id)["kind"] == "transfer.forced"


def test_settling_an_instruction_meets_the_rules_of_the_day(company):
    pending = company.run(workflow.instruct, company.instruction(100))
    company.run(workflow.accept, Step(pending.instruction_id))
    company.run(workflow.approve, Step(pending.instruction_id))
    company.rules(trading_halted=True)
    with pytest.raises(checks.TransferNotAllowed) as caught:
        company.run(workflow.settle, Step(pending.instruction_id))
    assert [r.code for r in caught.value.reasons] == ["trading_halted"]
    company.rules()
    # Its own reservation holds the shares it settles: all 100, though none is "available".
    company.run(workflow.settle, Step(pending.instruction_id))
    assert_replays(company.app, company.issuer_id)


def test_a_refused_instruction_writes_nothing(company):
    company.rules(minimum_lot=10)
    before = last_entry(company.app, company.issuer_id)
    with pytest.raises(checks.TransferNotAllowed):
        company.run(workflow.instruct, replace(company.instruction(5)))
    assert last_entry(company.app, company.issuer_id) == before


def test_a_split_scales_the_locked_shares_with_the_holding(company):
    from app.register import reorganisation
    from tests.support.actions import HALF_UP, reorganise_class

    locked = allocation(company.a, 50, locked_until=date(2026, 9, 1))
    company.run(issuance.issue_shares, IssueShares((locked,)))
    company.run(reorganisation.split_class, reorganise_class("ORD", "2:1", HALF_UP))
    # 300 held, 100 of them locked: 200 may move, 201 may not.
    assert company.codes(200) == []
    assert company.codes(201) == ["locked_up"]
    assert_replays(company.app, company.issuer_id)
