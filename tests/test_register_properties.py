"""Random sequences of register commands, run through the real services and checked against a
simple model after every step.

Each example registers a fresh issuer in the test's database, then runs commands that may
succeed or be refused. A refused command must leave no trace (log and tables unchanged); one
that succeeds must write exactly the entries it should, sealed by a checkpoint. After every step
the tables must equal the model and keep the register's invariants; at the end of each example
the register must equal its replayed log and `flask log verify` must pass.

The model (tests/register_driver.py) is deliberately naive, dicts and integer arithmetic, so
that it shares no code with the services it checks.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from app.register import (
    capital,
    classes,
    conversion,
    distributions,
    holders,
    issuance,
    queries,
    reorganisation,
    restrictions,
    transfers,
)
from app.register.errors import DomainError
from app.register.replay import check_invariants
from app.register.requests import (
    AmendClass,
    AmendHolder,
    CancelShares,
    CeaseHolder,
    ChangeFreeze,
    Consideration,
    ConvertShares,
    DeclareDistribution,
    EraseHolder,
    ForcedTransfer,
    FractionTerms,
    HolderDetails,
    IssueShares,
    RedeemShares,
    RegisterPledge,
    ReleasePledge,
    ReorganiseClass,
    RepurchaseShares,
)
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    allocation,
    class_request,
    holder_request,
    transfer_request,
)
from tests.support.ocf_round_trip import assert_round_trips
from tests.support.register_driver import (
    FROZEN,
    PLEDGED,
    Driver,
    Model,
    PledgeModel,
    allotted,
)

SETTINGS = settings(
    max_examples=25,
    stateful_step_count=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CLASS_CODES = ("ORD", "PREF", "B")
AUTHORISED = st.none() | st.integers(min_value=0, max_value=600)
# Small quantities half the time, so that commands often succeed; large ones to be refused.
QUANTITY = st.integers(min_value=1, max_value=40) | st.integers(min_value=1, max_value=300)
SMALL_QUANTITY = st.integers(min_value=1, max_value=60)
# Rules name classes by code, created or not (commands on a missing class must be refused);
# mostly the class the founders hold.
CLASS = st.just("ORD") | st.sampled_from(CLASS_CODES)
DAYS_BACK = st.sampled_from((1, 1, 1, 0, 2))
PENNY = Decimal("0.01")
REMOVALS = {
    "shares.cancelled": (capital.cancel_shares, CancelShares, {"reason": "forfeiture"}),
    "shares.repurchased": (
        capital.repurchase_shares,
        RepurchaseShares,
        {"price_per_share": Decimal("1.5"), "currency": "GBP"},
    ),
    "shares.redeemed": (
        capital.redeem_shares,
        RedeemShares,
        {"consideration": Consideration("products_or_services", description="a case of beer")},
    ),
}
POLICIES = {
    "round_half_up": {},
    "round_down_cash_in_lieu": {"cash_in_lieu_price": Decimal("0.40"), "currency": "GBP"},
}
SPLITS, CONSOLIDATIONS = ((2, 1), (3, 2)), ((1, 2), (2, 3), (1, 10))


class Clock:
    """The ledger's clock: one second per reading, and a new day when the machine says so."""

    def __init__(self) -> None:
        self.now = datetime(2025, 1, 1, 9, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def next_day(self) -> None:
        self.now = datetime.combine(self.now.date() + timedelta(days=1), self.now.timetz())


class RegisterMachine(RuleBasedStateMachine):
    holders = Bundle("holders")
    pledges = Bundle("pledges")

    def __init__(self, driver: Driver, token: str, clock: Clock) -> None:
        super().__init__()
        self.driver, self.token, self.clock = driver, token, clock
        self.issuer_id = driver.new_issuer()
        self.model = Model(first_day=clock.now.date())
        self.instruments: set[str] = set()  # references of the transfers registered
        self.par_values: dict[str, Fraction] = {}  # follow splits: refused unless exact

    def attempt_request(self, service, request, *, refusals: set[str], kinds: list[str]):
        """Run `service(ctx, request)` as one command. If `refusals` is not empty the command
        must be refused with one of those codes (which one depends on the order of checks)
        and leave no trace; otherwise it must append exactly `kinds`."""
        # The full trace is read only when a refusal is expected (an unexpected one fails
        # anyway); the invariant compares the tables with the model after every step.
        before = self.driver.trace(self.issuer_id) if refusals else None
        size = before.tree_size if before else self.driver.log_size(self.issuer_id)
        try:
            result = self.driver.submit(self.issuer_id, service, request)
        except DomainError as error:
            assert error.code in refusals, f"refused with {error.code}: {error.message}"
            assert self.driver.trace(self.issuer_id) == before, "a refused command left a trace"
            return None
        assert not refusals, f"expected a refusal ({', '.join(sorted(refusals))})"
        assert self.driver.kinds_since(self.issuer_id, size) == kinds
        return result

    def missing(self, *codes: str) -> set[str]:
        return {"not_found"} if any(code not in self.model.classes for code in codes) else set()

    def identifier_taken(self, identifier: str, but: str | None = None) -> set[str]:
        """duplicate_identifier when a live member other than `but` has the identifier."""
        taken = any(
            details["identifier"] == identifier and self.model.status[holder_id] == "active"
            for holder_id, details in self.model.details.items()
            if holder_id != but
        )
        return {"duplicate_identifier"} if taken else set()

    def ceased(self, *holder_ids: str) -> set[str]:
        active = all(self.model.status[h] == "active" for h in holder_ids)
        return set() if active else {"holder_ceased"}

    def over_authorised(self, requested: Counter) -> set[str]:
        for code, quantity in requested.items():
            authorised, issued = self.model.classes.get(code, (None, 0))
            if authorised is not None and issued + quantity > authorised:
                return {"authorised_exceeded"}
        return set()

    def short(self, code: str, holder_id: str, quantity: int) -> set[str]:
        return (
            {"insufficient_available"}
            if self.model.available(code, holder_id) < quantity
            else set()
        )

    @initialize(target=holders)
    def founders(self):
        """Start from a register with something in it, on record since yesterday: class ORD
        (no authorised limit), class PREF (up to 500), and three holders of 100 ORD each."""
        self.create_class("ORD", None)
        self.create_class("PREF", 500)
        founders = [
            self.register_holder(details, different_person)
            for details, different_person in (
                (HOLDER_A, False),
                (HOLDER_B, False),
                (HOLDER_A, True),
            )
        ]
        for holder_id in founders:
            self.issue("ORD", holder_id, 100, [])
        self.next_day()
        return multiple(*founders)

    # --- holders and classes ----------------------------------------------------------------

    @rule(
        target=holders,
        details=st.sampled_from([HOLDER_A, HOLDER_B]),
        different_person=st.booleans(),
    )
    def register_holder(self, details, different_person):
        refusals = set() if different_person else self.identifier_taken(details["identifier"])
        request = replace(
            holder_request(details), same_identifier_different_person=different_person
        )
        holder = self.attempt_request(
            holders.register_holder, request, refusals=refusals, kinds=["holder.registered"]
        )
        if refusals:
            return multiple()
        self.model.status[holder.holder_id] = "active"
        self.model.details[holder.holder_id] = details
        return holder.holder_id

    @rule(holder_id=holders, details=st.sampled_from([HOLDER_A, HOLDER_B]))
    def amend_holder(self, holder_id, details):
        refusals = {"holder_erased"} if self.model.status[holder_id] == "erased" else set()
        if details == self.model.details[holder_id]:
            refusals.add("invalid_input")  # the amendment changes nothing
        if self.model.status[holder_id] == "active" and (
            details["identifier"] != self.model.details[holder_id]["identifier"]
        ):
            refusals |= self.identifier_taken(details["identifier"], but=holder_id)
        self.attempt_request(
            holders.amend_holder,
            AmendHolder(holder_id, **asdict(HolderDetails.of(details))),
            refusals=refusals,
            kinds=["holder.amended"],
        )
        if not refusals:
            self.model.details[holder_id] = details

    @rule(holder_id=holders)
    def erase_holder(self, holder_id):
        status = self.model.status[holder_id]
        refusals = {"active": {"holder_not_ceased"}, "erased": {"holder_erased"}}.get(status, set())
        self.attempt_request(
            holders.erase_holder,
            EraseHolder(holder_id),
            refusals=refusals,
            kinds=["holder.erased"],
        )
        if not refusals:
            self.model.status[holder_id] = "erased"

    @rule(holder_id=holders)
    def cease_holder(self, holder_id):
        refusals = self.ceased(holder_id)
        if self.model.total_held(holder_id):
            refusals.add("holder_still_holds")
        self.attempt_request(
            holders.cease_holder,
            CeaseHolder(holder_id),
            refusals=refusals,
            kinds=["holder.ceased"],
        )
        if not refusals:
            self.model.status[holder_id] = "ceased"

    @rule(code=CLASS, authorised=AUTHORISED)
    def create_class(self, code, authorised):
        refusals = {"duplicate"} if code in self.model.classes else set()
        self.attempt_request(
            classes.create_class,
            class_request(code=code, authorised=authorised),
            refusals=refusals,
            kinds=["class.created"],
        )
        if not refusals:
            self.model.classes[code] = [authorised, 0]
            self.par_values[code] = Fraction(class_request().par_value)

    @rule(code=CLASS, authorised=AUTHORISED)
    def amend_authorised(self, code, authorised):
        current, issued = self.model.classes.get(code, (None, 0))
        refusals = self.missing(code)
        if authorised == current:
            refusals.add("invalid_input")  # the amendment changes nothing
        elif authorised is not None and authorised < issued:
            refusals.add("authorised_below_issued")
        self.attempt_request(
            classes.amend_class,
            AmendClass(code, authorised=authorised),
            refusals=refusals,
            kinds=["class.amended"],
        )
        if not refusals:
            self.model.classes[code][0] = authorised

    # --- issuance, transfers and reductions of capital ----------------------------------------

    @rule(
        code=CLASS,
        holder_id=holders,
        quantity=QUANTITY,
        # More allocations for the same batch: drawn only once the bundles are not empty.
        more=st.lists(st.tuples(CLASS, holders, QUANTITY), max_size=3),
    )
    def issue(self, code, holder_id, quantity, more):
        allocations = [(code, holder_id, quantity), *more]
        requested = Counter()
        for class_code, _, count in allocations:
            requested[class_code] += count
        refusals = self.ceased(*(holder for _, holder, _ in allocations))
        refusals |= self.missing(*requested)
        refusals |= self.over_authorised(requested)
        self.attempt_request(
            issuance.issue_shares,
            IssueShares(tuple(allocation(h, q, c) for c, h, q in allocations)),
            refusals=refusals,
            kinds=["shares.issued"] * len(allocations),
        )
        if not refusals:
            for code, holder_id, quantity in allocations:
                self.model.issue(code, holder_id, quantity)

    @rule(
        code=CLASS,
        source=holders,
        recipient=holders,
        quantity=QUANTITY,
        reference=st.sampled_from(["STF-1", "STF-2", "STF-3", "STF-4"]),
        reuse=st.booleans(),
    )
    def lodge_transfer(self, code, source, recipient, quantity, reference, reuse):
        refusals = self.ceased(source, recipient) | self.short(code, source, quantity)
        refusals |= self.missing(code)
        if source == recipient:
            refusals.add("invalid_input")
        if reference in self.instruments and not reuse:
            refusals.add("duplicate_instrument")
        self.attempt_request(
            transfers.lodge_transfer,
            transfer_request(source, recipient, quantity, code, reference, instrument_reuse=reuse),
            refusals=refusals,
            kinds=["transfer.settled"],
        )
        if not refusals:
            self.model.move(code, source, recipient, quantity)
            self.instruments.add(reference)

    @rule(
        kind=st.sampled_from(sorted(REMOVALS)),
        code=CLASS,
        holder_id=holders,
        quantity=QUANTITY,
    )
    def remove_shares(self, kind, code, holder_id, quantity):
        service, request_type, terms = REMOVALS[kind]
        request = request_type(class_code=code, holder_id=holder_id, quantity=quantity, **terms)
        refusals = self.ceased(holder_id) | self.short(code, holder_id, quantity)
        refusals |= self.missing(code)
        self.attempt_request(service, request, refusals=refusals, kinds=[kind])
        if not refusals:
            self.model.issue(code, holder_id, -quantity)

    # --- restrictions -----------------------------------------------------------------------

    @rule(code=CLASS, holder_id=holders, quantity=SMALL_QUANTITY, lift=st.booleans())
    def freeze_or_unfreeze(self, code, holder_id, quantity, lift):
        if lift:
            frozen = self.model.holding(code, holder_id)[FROZEN]
            service, kind = restrictions.unfreeze, "holding.unfrozen"
            refusals = {"exceeds_frozen"} if quantity > frozen else set()
        else:
            service, kind = restrictions.freeze, "holding.frozen"
            refusals = self.short(code, holder_id, quantity)
        refusals |= self.missing(code)
        request = ChangeFreeze(code, holder_id, quantity, reason="order 1")
        self.attempt_request(service, request, refusals=refusals, kinds=[kind])
        if not refusals:
            self.model.holding(code, holder_id)[FROZEN] += -quantity if lift else quantity

    @rule(target=pledges, code=CLASS, holder_id=holders, quantity=SMALL_QUANTITY)
    def register_pledge(self, code, holder_id, quantity):
        refusals = self.short(code, holder_id, quantity) | self.missing(code)
        pledge = self.attempt_request(
            restrictions.register_pledge,
            RegisterPledge(code, holder_id, quantity, pledgee="Bank plc"),
            refusals=refusals,
            kinds=["pledge.registered"],
        )
        if refusals:
            return multiple()
        self.model.pledges[pledge.pledge_id] = PledgeModel(code, holder_id, quantity)
        self.model.holding(code, holder_id)[PLEDGED] += quantity
        return pledge.pledge_id

    @rule(pledge_id=pledges)
    def release_pledge(self, pledge_id):
        pledge = self.model.pledges[pledge_id]
        refusals = {"pledge_released"} if pledge.released else set()
        self.attempt_request(
            restrictions.release_pledge,
            ReleasePledge(pledge_id),
            refusals=refusals,
            kinds=["pledge.released"],
        )
        if not refusals:
            pledge.released = True
            self.model.holding(pledge.code, pledge.holder_id)[PLEDGED] -= pledge.quantity

    @rule(code=CLASS, source=holders, recipient=holders, quantity=QUANTITY)
    def forced_transfer(self, code, source, recipient, quantity):
        free = self.model.available(code, source)
        frozen = self.model.holding(code, source)[FROZEN]
        refusals = self.ceased(recipient) | self.missing(code)
        if source == recipient:
            refusals.add("invalid_input")
        if quantity > free + frozen:
            refusals.add("insufficient_transferable")
        self.attempt_request(
            restrictions.forced_transfer,
            ForcedTransfer(code, source, recipient, quantity, legal_reference="court order 2025/7"),
            refusals=refusals,
            kinds=["transfer.forced"],
        )
        if not refusals:
            self.model.holding(code, source)[FROZEN] -= max(0, quantity - free)
            self.model.move(code, source, recipient, quantity)

    # --- reorganisations --------------------------------------------------------------------

    @rule(
        holder_id=holders,
        source=CLASS,
        target_class=st.just("PREF") | st.sampled_from(CLASS_CODES),
        quantity=QUANTITY,
        ratio=st.sampled_from(((1, 1), *SPLITS, *CONSOLIDATIONS)),
        policy=st.sampled_from(sorted(POLICIES)),
    )
    def convert(self, holder_id, source, target_class, quantity, ratio, policy):
        new, old = ratio
        whole = allotted(quantity, new, old, half_up=policy == "round_half_up")
        refusals = self.ceased(holder_id) | self.short(source, holder_id, quantity)
        refusals |= self.missing(source, target_class)
        if source == target_class or whole < 1:
            refusals.add("invalid_input")
        refusals |= self.over_authorised(Counter({target_class: whole}))
        terms = FractionTerms(f"{new}:{old}", policy, **POLICIES[policy])
        request = ConvertShares(holder_id, source, target_class, quantity, terms)
        self.attempt_request(
            conversion.convert_shares,
            request,
            refusals=refusals,
            kinds=["shares.converted"],
        )
        if not refusals:
            self.model.issue(source, holder_id, -quantity)
            self.model.issue(target_class, holder_id, whole)

    @rule(
        code=CLASS,
        ratio=st.sampled_from((*SPLITS, *CONSOLIDATIONS)),
        policy=st.sampled_from(sorted(POLICIES)),
    )
    def split_or_consolidate(self, code, ratio, policy):
        (new, old), half_up = ratio, policy == "round_half_up"
        splitting = new > old
        authorised = self.model.classes.get(code, (None, 0))[0]
        refusals = self.missing(code)
        if authorised is not None and self.model.issued_after(code, new, old, half_up) > (
            authorised * new // old
        ):
            refusals.add("authorised_exceeded")
        if code in self.model.classes and self.model.splits_encumbrance(code, new, old):
            refusals.add("encumbered_fraction")
        par_after = self.par_values.get(code, Fraction(0)) * old / new
        if code in self.model.classes and (par_after * 10**10).denominator != 1:
            refusals.add("par_value_not_exact")  # no decimal of OCF's ten places states it
        service = reorganisation.split_class if splitting else reorganisation.consolidate_class
        terms = FractionTerms(f"{new}:{old}", policy, **POLICIES[policy])
        self.attempt_request(
            service,
            ReorganiseClass(code, terms),
            refusals=refusals,
            kinds=["class.split" if splitting else "class.consolidated"],
        )
        if not refusals:
            self.model.reorganise(code, new, old, half_up)
            self.par_values[code] = par_after

    # --- distributions ----------------------------------------------------------------------

    @rule()
    def next_day(self):
        self.model.close_day(self.clock.now.date())
        self.clock.next_day()

    @rule(
        code=CLASS,
        days_back=DAYS_BACK,
        per_share=st.sampled_from(("0.05", "1", "0.3333")),
    )
    def declare_distribution(self, code, days_back, per_share):
        record_date = self.clock.now.date() - timedelta(days=days_back)
        held_then = {
            holder_id: held
            for (owner_code, holder_id), held in self.model.end_of_day.get(record_date, {}).items()
            if owner_code == code and held > 0
        }
        refusals = self.missing(code)
        ahead = days_back == 0  # today has not ended: declared now, fixed after midnight
        if not ahead and record_date < self.model.first_day:
            refusals.add("no_register_at_record_date")
        elif not ahead and not held_then:
            refusals.add("no_shares_at_record_date")
        fixed_kind = [] if ahead else ["distribution.entitlements_fixed"]
        declared = self.attempt_request(
            distributions.declare_distribution,
            DeclareDistribution(code, Decimal(per_share), "GBP", record_date),
            refusals=refusals,
            kinds=["distribution.declared", *fixed_kind],
        )
        if declared is None:
            return
        lines = self.driver.read(
            lambda session: queries.entitlements(session, self.issuer_id, declared.distribution_id)
        )
        if ahead:
            assert (declared.fixed_index, lines) == (None, [])
            return
        # Each holder is paid whole pence, rounded down; the residue is what that leaves.
        exact = {holder: held * Decimal(per_share) for holder, held in held_then.items()}
        paid = {holder: amount.quantize(PENNY, ROUND_DOWN) for holder, amount in exact.items()}
        expected = {holder: (held, paid[holder]) for holder, held in held_then.items()}
        assert {line.holder_id: (line.quantity, Decimal(line.amount)) for line in lines} == expected
        assert declared.total_shares == sum(held_then.values())
        assert Decimal(declared.total_amount) == sum(exact.values())
        assert Decimal(declared.paid_amount) == sum(paid.values())
        assert Decimal(declared.rounding_residue) == sum(exact.values()) - sum(paid.values())

    # --- checks -----------------------------------------------------------------------------

    @invariant()
    def tables_match_the_model(self):
        assert self.driver.register(self.issuer_id) == self.model.view()
        self.driver.read(lambda session: check_invariants(session, self.issuer_id))

    def teardown(self):
        # `flask log verify` audits the log and replays the register (replay_and_compare).
        self.driver.verify_log(self.issuer_id)
        api = self.driver.api_register(self.issuer_id, self.token)
        expected = self.model.view()
        assert (api.classes, api.holdings) == (expected.classes, expected.holdings)
        # Its OCF export imports back into a fresh issuer with the same positions.
        assert_round_trips(self.driver.app, self.issuer_id, self.token)


def test_random_command_sequences_keep_the_register_consistent(app, make_token):
    driver, token, clock = Driver(app), make_token("operator"), Clock()
    app.config["LEDGER_CLOCK"] = clock
    run_state_machine_as_test(lambda: RegisterMachine(driver, token, clock), settings=SETTINGS)
