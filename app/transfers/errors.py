"""The workflow's refusals, each with a stable code (409 unless it is bad input, 422)."""

from __future__ import annotations

from app.register.errors import InvalidInput, Refused
from app.transfers.states import PENDING


class RiskNotAcknowledged(InvalidInput):
    code = "risk_not_acknowledged"


def not_your_instruction(instruction_id: str, party: str, role: str) -> Refused:
    return Refused(
        "not_your_instruction",
        f"holder {party} is not the {role} of instruction {instruction_id}",
        instruction_id=instruction_id,
        holder_id=party,
    )


def wrong_state(instruction_id: str, state: str, action: str, allowed: tuple[str, ...]) -> Refused:
    if state not in PENDING:
        return Refused(
            "not_pending",
            f"instruction {instruction_id} is {state}: it can no longer be {action}",
            instruction_id=instruction_id,
            state=state,
        )
    return Refused(
        "wrong_state",
        f"instruction {instruction_id} is {state}; to be {action} it must be "
        f"{' or '.join(allowed)}",
        instruction_id=instruction_id,
        state=state,
        allowed=list(allowed),
    )
