"""The register's random command sequences with the transfer workflow mixed in.

The machine of tests/test_register_properties.py, plus instructions that reserve shares and
are accepted, approved, settled, declined, cancelled or rejected at random, among lodged
transfers, restrictions, capital changes, splits and consolidations. The model tracks every
instruction: the tables must equal it after every step (reserved is the sum of the pending
quantities on each holding), every refusal must be the one the model predicts, and at the end
`flask log verify` must rebuild the instructions and the holdings from the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from app.models.transfers import TransferInstruction
from app.register import restrictions
from app.register.requests import ForcedTransfer
from app.transfers import workflow
from app.transfers.requests import ConfigureTransfers, Instruct, Reason, Reject, Step
from tests.support.register_driver import FROZEN, HELD, RESERVED, Driver, Model
from tests.test_register_properties import (
    CLASS,
    QUANTITY,
    SETTINGS,
    Clock,
    RegisterMachine,
)

WORKFLOW_SETTINGS = settings(SETTINGS, max_examples=20, stateful_step_count=60)
PENDING = ("instructed", "accepted", "approved")
# Classes the founders' register has from the start; their settings give deadlines far beyond
# the days a run can advance, so no step is refused for lateness (deadlines have own tests).
CONFIGURED = ("ORD", "PREF")
PATHS = (
    ("accept", "approve", "settle"),
    ("accept", "settle"),
    ("accept", "approve", "cancel"),
    ("accept", "reject"),
    ("decline",),
)


@dataclass
class InstructionModel:
    code: str
    source: str
    target: str
    quantity: int
    approval_required: bool
    state: str = "instructed"


class WorkflowModel(Model):
    """The register's model, plus the instructions; splits scale them as they scale holdings."""

    def __init__(self, first_day) -> None:
        super().__init__(first_day=first_day)
        self.instructions: dict[str, InstructionModel] = {}

    def pending(self, code: str) -> list[InstructionModel]:
        return [i for i in self.instructions.values() if i.code == code and i.state in PENDING]

    def splits_encumbrance(self, code: str, new: int, old: int) -> bool:
        cut = any(i.quantity * new % old for i in self.pending(code))
        return cut or super().splits_encumbrance(code, new, old)

    def reorganise(self, code: str, new: int, old: int, half_up: bool) -> None:
        for instruction in self.pending(code):
            instruction.quantity = instruction.quantity * new // old
        super().reorganise(code, new, old, half_up)


def not_a_rule(name: str):
    """The register machine's method `name`, callable but no longer drawn as a rule."""

    def method(self, *args, **kwargs):
        return getattr(super(WorkflowMachine, self), name)(*args, **kwargs)

    method.__name__ = name
    return method


class WorkflowMachine(RegisterMachine):
    instructions = Bundle("instructions")

    def __init__(self, driver: Driver, token: str, clock: Clock) -> None:
        super().__init__(driver, token, clock)
        self.model = WorkflowModel(first_day=clock.now.date())
        self.approval = {code: True for code in CONFIGURED}

    # The register's rules that matter least to the workflow become plain methods (an
    # override without @rule is no rule), so the workflow's rules run often; the register's own
    # machine covers those. Kept: holders, issuance, lodged and forced transfers, freezes,
    # ceasing, splits and consolidations.
    amend_holder = not_a_rule("amend_holder")
    erase_holder = not_a_rule("erase_holder")
    create_class = not_a_rule("create_class")
    amend_authorised = not_a_rule("amend_authorised")
    remove_shares = not_a_rule("remove_shares")
    register_pledge = not_a_rule("register_pledge")
    release_pledge = not_a_rule("release_pledge")
    convert = not_a_rule("convert")
    declare_distribution = not_a_rule("declare_distribution")
    next_day = not_a_rule("next_day")

    @initialize(target=RegisterMachine.holders)
    def founders(self):
        """The register's founders, then settings with long deadlines for their classes."""
        founders = super().founders()
        for code in CONFIGURED:
            self.configure(code, approval_required=True)
        return founders

    @rule(code=st.sampled_from(CONFIGURED), approval_required=st.booleans())
    def configure(self, code, approval_required):
        request = ConfigureTransfers(code, approval_required, acceptance_days=366)
        self.attempt_request(
            workflow.configure, request, refusals=set(), kinds=["transfer.configured"]
        )
        self.approval[code] = approval_required

    @rule(
        target=instructions,
        code=st.sampled_from(CONFIGURED),
        source=RegisterMachine.holders,
        recipient=RegisterMachine.holders,
        quantity=QUANTITY,
    )
    def instruct(self, code, source, recipient, quantity):
        refusals = self.ceased(source, recipient) | self.short(code, source, quantity)
        if source == recipient:
            refusals.add("invalid_input")
        result = self.attempt_request(
            workflow.instruct,
            Instruct(code, source, recipient, quantity, risk_acknowledged=True),
            refusals=refusals,
            kinds=["transfer.instructed"],
        )
        if refusals:
            return multiple()  # nothing for the bundle
        self.model.holding(code, source)[RESERVED] += quantity
        model = InstructionModel(code, source, recipient, quantity, self.approval[code])
        self.model.instructions[result.instruction_id] = model
        return result.instruction_id

    def wrong_state(self, instruction_id: str, allowed: tuple[str, ...]) -> set[str]:
        state = self.model.instructions[instruction_id].state
        if state in allowed:
            return set()
        return {"wrong_state"} if state in PENDING else {"not_pending"}

    def step(self, service, request, instruction_id: str, state: str, refusals: set[str]) -> bool:
        self.attempt_request(service, request, refusals=refusals, kinds=[f"transfer.{state}"])
        if refusals:
            return False
        self.model.instructions[instruction_id].state = state
        return True

    @rule(
        target=instructions,
        code=st.sampled_from(CONFIGURED),
        source=RegisterMachine.holders,
        recipient=RegisterMachine.holders,
        quantity=st.integers(min_value=1, max_value=30),
    )
    def instruct_a_few(self, code, source, recipient, quantity):
        """Among the register's many rules instructions would be rare: a second rule, of
        quantities that mostly succeed, gives the workflow's rules something to work on."""
        return self.instruct(code, source, recipient, quantity)

    @rule(instruction_id=instructions, path=st.sampled_from(PATHS))
    def follow(self, instruction_id, path):
        """Take an instruction along a whole path, one command a step."""
        for action in path:
            if action in ("decline", "cancel", "reject"):
                self.end_without_settling(instruction_id, action)
            else:
                getattr(self, action)(instruction_id)

    @rule(instruction_id=instructions)
    def accept(self, instruction_id):
        refusals = self.wrong_state(instruction_id, ("instructed",))
        self.step(workflow.accept, Step(instruction_id), instruction_id, "accepted", refusals)

    @rule(instruction_id=instructions)
    def approve(self, instruction_id):
        refusals = self.wrong_state(instruction_id, ("accepted",))
        self.step(workflow.approve, Step(instruction_id), instruction_id, "approved", refusals)

    @rule(instruction_id=instructions, how=st.sampled_from(("decline", "cancel", "reject")))
    def end_without_settling(self, instruction_id, how):
        allowed = {"decline": ("instructed",), "cancel": PENDING, "reject": PENDING[:2]}[how]
        refusals = self.wrong_state(instruction_id, allowed)
        request = Step(instruction_id)
        if how == "reject":
            request = Reject(instruction_id, (Reason("other", "the board refused"),))
        service = getattr(workflow, how)
        state = {"decline": "declined", "cancel": "cancelled", "reject": "rejected"}[how]
        if self.step(service, request, instruction_id, state, refusals):
            instruction = self.model.instructions[instruction_id]
            self.model.holding(instruction.code, instruction.source)[RESERVED] -= (
                instruction.quantity
            )

    @rule(instruction_id=instructions)
    def settle(self, instruction_id):
        instruction = self.model.instructions[instruction_id]
        ready = ("approved",) if instruction.approval_required else ("accepted", "approved")
        refusals = self.wrong_state(instruction_id, ready)
        if not refusals:
            earlier = [
                other
                for other_id, other in self.model.instructions.items()
                if other_id != instruction_id
                and (other.code, other.source) == (instruction.code, instruction.source)
                and other.state in PENDING
                and list(self.model.instructions).index(other_id)
                < list(self.model.instructions).index(instruction_id)
            ]
            refusals = {"earlier_pending"} if earlier else self.ceased(instruction.target)
        if self.step(workflow.settle, Step(instruction_id), instruction_id, "settled", refusals):
            holding = self.model.holding(instruction.code, instruction.source)
            holding[RESERVED] -= instruction.quantity
            holding[HELD] -= instruction.quantity
            self.model.holding(instruction.code, instruction.target)[HELD] += instruction.quantity

    @rule(code=CLASS, source=RegisterMachine.holders, recipient=RegisterMachine.holders,
          quantity=QUANTITY)  # fmt: skip
    def forced_transfer(self, code, source, recipient, quantity):
        """The register's forced transfer, which may also take reserved shares: it cancels the
        source's pending instructions, newest first, until enough is free."""
        holding = self.model.holding(code, source)
        free = self.model.available(code, source)
        frozen, reserved = holding[FROZEN], holding[RESERVED]
        refusals = self.ceased(recipient) | self.missing(code)
        if source == recipient:
            refusals.add("invalid_input")
        if quantity > free + frozen + reserved:
            refusals.add("insufficient_transferable")
        cancelled, needed = [], quantity - free - frozen
        pending = [i for i in self.model.pending(code) if i.source == source]
        for instruction in reversed(pending):
            if sum(i.quantity for i in cancelled) >= needed:
                break
            cancelled.append(instruction)
        request = ForcedTransfer(code, source, recipient, quantity, legal_reference="order 9")
        kinds = ["transfer.cancelled"] * len(cancelled) + ["transfer.forced"]
        self.attempt_request(restrictions.forced_transfer, request, refusals=refusals, kinds=kinds)
        if refusals:
            return
        for instruction in cancelled:
            instruction.state = "cancelled"
            holding[RESERVED] -= instruction.quantity
        holding[FROZEN] -= min(frozen, max(0, quantity - free))
        self.model.move(code, source, recipient, quantity)

    @rule(instruction_id=instructions, recipient=RegisterMachine.holders,
          extra=st.integers(min_value=1, max_value=40))  # fmt: skip
    def forced_transfer_into_reservations(self, instruction_id, recipient, extra):
        """A forced transfer of more than the transferor's available and frozen shares, so
        that it needs reserved ones (random quantities rarely do)."""
        instruction = self.model.instructions[instruction_id]
        code, source = instruction.code, instruction.source
        _, frozen, _, reserved = self.model.holding(code, source)
        quantity = self.model.available(code, source) + frozen + min(extra, max(reserved, 1))
        self.forced_transfer(code, source, recipient, quantity)

    @invariant()
    def instructions_match_the_model(self):
        stored = self.driver.read(
            lambda session: {
                row.instruction_id: (row.state, row.quantity)
                for row in session.query(TransferInstruction).filter_by(issuer_id=self.issuer_id)
            }
        )
        expected = {
            instruction_id: (instruction.state, instruction.quantity)
            for instruction_id, instruction in self.model.instructions.items()
        }
        assert stored == expected


def test_random_sequences_with_the_workflow_keep_the_register_consistent(app, make_token):
    driver, token, clock = Driver(app), make_token("operator"), Clock()
    app.config["LEDGER_CLOCK"] = clock
    run_state_machine_as_test(
        lambda: WorkflowMachine(driver, token, clock), settings=WORKFLOW_SETTINGS
    )
