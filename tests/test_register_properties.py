"""Random sequences of register commands, run through the real services and checked against a
simple model after every step.

Each example registers a fresh issuer in the test's database, then runs commands that may
succeed or be refused. A refused command must leave no trace (log and tables unchanged); one
that succeeds must write exactly the entries it should, sealed by a checkpoint. After every step
the tables must equal the model and keep the register's invariants; at the end of each example
the register must equal its replayed log and `flask log verify` must pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from app.register import classes, holders, issuance, transfers
from app.register.errors import DomainError
from app.register.replay import check_invariants
from tests.helpers import HOLDER_A, HOLDER_B, ORDINARY
from tests.register_driver import ACTOR, Driver, RegisterView

SETTINGS = settings(
    max_examples=25,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
CLASS_CODES = ("ORD", "PREF", "B")
AUTHORISED = st.none() | st.integers(min_value=0, max_value=600)
QUANTITY = st.integers(min_value=1, max_value=250)
HELD, FROZEN, PLEDGED, RESERVED = range(4)


@dataclass
class Model:
    """What the register should hold, kept by the machine independently of the tables."""

    classes: dict[str, list] = field(default_factory=dict)  # code -> [authorised, issued]
    ceased: dict[str, bool] = field(default_factory=dict)
    holdings: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    pledges: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # unreleased only

    def holding(self, code: str, holder_id: str) -> list[int]:
        return self.holdings.setdefault((code, holder_id), [0, 0, 0, 0])

    def available(self, code: str, holder_id: str) -> int:
        held, frozen, pledged, reserved = self.holding(code, holder_id)
        return held - frozen - pledged - reserved

    def total_held(self, holder_id: str) -> int:
        return sum(values[HELD] for (_, holder), values in self.holdings.items() if holder == holder_id)

    def change(self, code: str, holder_id: str, bucket: int, delta: int) -> None:
        self.holding(code, holder_id)[bucket] += delta

    def issue(self, code: str, holder_id: str, quantity: int) -> None:
        self.change(code, holder_id, HELD, quantity)
        self.classes[code][1] += quantity

    def view(self) -> RegisterView:
        return RegisterView(
            classes={code: tuple(values) for code, values in self.classes.items()},
            ceased=dict(self.ceased),
            holdings={key: tuple(values) for key, values in self.holdings.items() if any(values)},
        )


def _ceased_refusal(model: Model, *holder_ids: str) -> set[str]:
    return {"holder_ceased"} if any(model.ceased[h] for h in holder_ids) else set()


class RegisterMachine(RuleBasedStateMachine):
    holders = Bundle("holders")
    share_classes = Bundle("share_classes")
    pledges = Bundle("pledges")

    def __init__(self, driver: Driver, token: str) -> None:
        super().__init__()
        self.driver, self.token = driver, token
        self.issuer_id = driver.new_issuer()
        self.model = Model()

    # --- the one way a command is run and judged --------------------------------------------

    def attempt(self, service, *, refusals: set[str], kinds: list[str]):
        """Run `service(session, ledger, actor, issuer_id)` as one command. If `refusals` is not
        empty the command must be refused with one of those codes (which one depends on the
        order of checks) and leave no trace; otherwise it must append exactly `kinds`."""
        before = self.driver.trace(self.issuer_id)
        try:
            result = self.driver.run(
                lambda session, ledger: service(session, ledger, ACTOR, self.issuer_id)
            )
        except DomainError as error:
            assert error.code in refusals, f"refused with {error.code}: {error.message}"
            assert self.driver.trace(self.issuer_id) == before, "a refused command left a trace"
            return None
        assert not refusals, f"expected a refusal ({', '.join(sorted(refusals))})"
        assert self.driver.kinds_since(self.issuer_id, before.tree_size) == kinds
        return result

    # --- holders and classes ----------------------------------------------------------------

    @rule(target=holders, details=st.sampled_from([HOLDER_A, HOLDER_B]))
    def register_holder(self, details):
        holder = self.attempt(
            lambda *args: holders.register_holder(*args, details),
            refusals=set(),
            kinds=["holder.registered"],
        )
        self.model.ceased[holder.holder_id] = False
        return holder.holder_id

    @rule(holder_id=holders)
    def cease_holder(self, holder_id):
        refusals = _ceased_refusal(self.model, holder_id)
        if self.model.total_held(holder_id):
            refusals.add("holder_still_holds")
        self.attempt(
            lambda *args: holders.cease_holder(*args, holder_id),
            refusals=refusals,
            kinds=["holder.ceased"],
        )
        if not refusals:
            self.model.ceased[holder_id] = True

    @rule(target=share_classes, code=st.sampled_from(CLASS_CODES), authorised=AUTHORISED)
    def create_class(self, code, authorised):
        fields = {**ORDINARY, "code": code, "authorised": authorised}
        refusals = {"duplicate"} if code in self.model.classes else set()
        self.attempt(
            lambda *args: classes.create_class(*args, fields),
            refusals=refusals,
            kinds=["class.created"],
        )
        if refusals:
            return multiple()
        self.model.classes[code] = [authorised, 0]
        return code

    @rule(code=share_classes, authorised=AUTHORISED)
    def amend_authorised(self, code, authorised):
        current, issued = self.model.classes[code]
        refusals = set()
        if authorised == current:
            refusals.add("invalid_input")  # the amendment changes nothing
        elif authorised is not None and authorised < issued:
            refusals.add("authorised_below_issued")
        self.attempt(
            lambda *args: classes.amend_class(*args, code, {"authorised": authorised}),
            refusals=refusals,
            kinds=["class.amended"],
        )
        if not refusals:
            self.model.classes[code][0] = authorised

    # --- issuance and transfers -------------------------------------------------------------

    @rule(allocations=st.lists(st.tuples(share_classes, holders, QUANTITY), min_size=1, max_size=4))
    def issue(self, allocations):
        requested = Counter()
        for code, _, quantity in allocations:
            requested[code] += quantity
        refusals = _ceased_refusal(self.model, *(holder for _, holder, _ in allocations))
        for code, quantity in requested.items():
            authorised, issued = self.model.classes[code]
            if authorised is not None and issued + quantity > authorised:
                refusals.add("authorised_exceeded")
        self.attempt(
            lambda *args: issuance.issue_shares(
                *args,
                [{"class": c, "holder_id": h, "quantity": q} for c, h, q in allocations],
            ),
            refusals=refusals,
            kinds=["shares.issued"] * len(allocations),
        )
        if not refusals:
            for code, holder_id, quantity in allocations:
                self.model.issue(code, holder_id, quantity)

    @rule(code=share_classes, source=holders, recipient=holders, quantity=QUANTITY)
    def lodge_transfer(self, code, source, recipient, quantity):
        refusals = _ceased_refusal(self.model, source, recipient)
        if source == recipient:
            refusals.add("invalid_input")
        if self.model.available(code, source) < quantity:
            refusals.add("insufficient_available")
        transfer = {
            "class": code,
            "from_holder_id": source,
            "to_holder_id": recipient,
            "quantity": quantity,
            "instrument_reference": "stock transfer form",
        }
        self.attempt(
            lambda *args: transfers.lodge_transfer(*args, transfer),
            refusals=refusals,
            kinds=["transfer.settled"],
        )
        if not refusals:
            self.model.change(code, source, HELD, -quantity)
            self.model.change(code, recipient, HELD, quantity)

    # --- checks -----------------------------------------------------------------------------

    @invariant()
    def tables_match_the_model(self):
        assert self.driver.register(self.issuer_id) == self.model.view()
        self.driver.read(lambda session: check_invariants(session, self.issuer_id))

    def teardown(self):
        self.driver.replay(self.issuer_id)
        self.driver.verify_log(self.issuer_id)
        api = self.driver.api_register(self.issuer_id, self.token)
        expected = self.model.view()
        assert (api.classes, api.holdings) == (expected.classes, expected.holdings)


def test_random_command_sequences_keep_the_register_consistent(app, make_token):
    driver, token = Driver(app), make_token("operator")
    run_state_machine_as_test(lambda: RegisterMachine(driver, token), settings=SETTINGS)
    driver.verify_log()  # every issuer the examples registered, in one go
