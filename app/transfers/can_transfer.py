"""The dry run: would this instruction be allowed now, and if not, every reason why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.register.errors import InvalidInput, Refused
from app.transfers.checks import Proposal, evaluate
from app.transfers.reasons import Reason
from app.transfers.requests import Instruct


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reasons: list[Reason]

    def view(self) -> dict:
        return {"allowed": self.allowed, "reasons": [reason.as_dict() for reason in self.reasons]}


def can_transfer(session: Session, issuer_id: str, request: Instruct, today: date) -> Verdict:
    """What `workflow.instruct` would say of the request's transfer, without recording it; an
    investor (`party`) may ask only about its own shares, as it may instruct only those."""
    if request.party is not None and request.party != request.from_holder_id:
        raise Refused(
            "not_your_instruction",
            f"holder {request.party} may instruct transfers of its own shares only",
            holder_id=request.party,
        )
    if request.to_holder_id is None:
        # The holder does not exist until the instruction registers them, in its own command.
        raise InvalidInput(
            "can-transfer checks a transfer to an existing member; a new transferee is "
            "registered and checked when the instruction is made (and is not KYC-verified yet)",
            field="new_transferee",
        )
    proposal = Proposal(
        request.class_code, request.from_holder_id, request.to_holder_id, request.quantity
    )
    found = evaluate(session, issuer_id, proposal, today)
    return Verdict(not found, found)
