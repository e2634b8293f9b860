"""Transfer instructions as the pages show them: people by name and member number, the date
of each instruction's latest step, and a missed deadline said in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.models.transfers import TransferInstruction
from app.register import members, queries
from app.register.snapshot import ERASED_NAME
from app.transfers import queries as transfer_queries
from app.transfers.deadlines import ACCEPTANCE_MISSED, missed_deadline
from app.transfers.states import PENDING

# Enough for a page; the API pages through the rest.
INSTRUCTIONS_SHOWN = 100

STATE_WORDS = {
    "instructed": "waiting for the transferee to accept",
    "accepted": "accepted; waiting for the company's approval",
    "approved": "approved; waiting to be registered",
    "settled": "registered: the shares have moved",
    "declined": "declined by the transferee",
    "rejected": "refused by the company",
    "cancelled": "cancelled",
    "expired": "expired: a deadline passed",
}


@dataclass(frozen=True)
class Party:
    holder_id: str
    name: str
    number: int


@dataclass(frozen=True)
class InstructionRow:
    instruction: TransferInstruction
    transferor: Party
    transferee: Party
    changed_at: datetime
    reasons: tuple[str, ...]  # a refusal's or expiry's reasons, in words
    overdue: str | None  # the deadline missed, in words

    @property
    def state_words(self) -> str:
        return STATE_WORDS.get(self.instruction.state, self.instruction.state)

    @property
    def pending(self) -> bool:
        return self.instruction.state in PENDING

    @property
    def consideration(self) -> str:
        instruction = self.instruction
        parts = []
        if instruction.consideration is not None:
            parts.append(f"{instruction.currency} {_money(instruction.consideration)}")
        if instruction.consideration_text:
            parts.append(instruction.consideration_text)
        return "; ".join(parts) or "not stated"


def _money(amount: str) -> str:
    whole, _, fraction = amount.partition(".")
    return f"{int(whole):,}" + (f".{fraction}" if fraction else "")


def overdue_words(instruction: TransferInstruction, now: datetime) -> str | None:
    missed = missed_deadline(instruction.state, instruction.accept_by, instruction.decide_by, now)
    if missed is None:
        return None
    reason, deadline = missed
    what = "acceptance" if reason == ACCEPTANCE_MISSED else "the company's decision"
    return f"Overdue: {what} was due by {deadline.strftime('%Y-%m-%d %H:%M')} UTC"


class _People:
    """Names and member numbers, each looked up once per page."""

    def __init__(self, session: Session, issuer_id: str) -> None:
        self.session, self.issuer_id = session, issuer_id
        self.known: dict[str, Party] = {}

    def __call__(self, holder_id: str) -> Party:
        if holder_id not in self.known:
            _, details = queries.holder_with_details(self.session, self.issuer_id, holder_id)
            number = members.member_number(self.session, self.issuer_id, holder_id)
            name = details.name if details is not None else ERASED_NAME
            self.known[holder_id] = Party(holder_id, name, number)
        return self.known[holder_id]


def rows_of(
    session: Session, issuer_id: str, instructions: list[TransferInstruction], now: datetime
) -> list[InstructionRow]:
    person = _People(session, issuer_id)
    rows = []
    for instruction in instructions:
        history = transfer_queries.transitions(session, issuer_id, instruction.instruction_id)
        last = history[-1]
        reasons = tuple(reason["text"] for reason in last.reasons or ())
        rows.append(
            InstructionRow(
                instruction,
                person(instruction.from_holder_id),
                person(instruction.to_holder_id),
                last.recorded_at,
                reasons,
                overdue_words(instruction, now),
            )
        )
    return rows


def instructions_of_holder(
    session: Session, issuer_id: str, holder_id: str, now: datetime
) -> list[InstructionRow]:
    """The holder's instructions, either side, newest first."""
    page, _ = transfer_queries.instructions_page(
        session, issuer_id, holder_id=holder_id, limit=INSTRUCTIONS_SHOWN
    )
    return list(reversed(rows_of(session, issuer_id, page, now)))


def instructions_in_state(
    session: Session, issuer_id: str, state: str, now: datetime
) -> list[InstructionRow]:
    """Instructions in one state, oldest first (the order they must be dealt with)."""
    page, _ = transfer_queries.instructions_page(
        session, issuer_id, state=state, limit=INSTRUCTIONS_SHOWN
    )
    return rows_of(session, issuer_id, page, now)
