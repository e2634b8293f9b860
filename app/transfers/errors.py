"""The workflow's refusals, each with a stable code (409 unless it is bad input, 422)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from app.ledger.canonical import format_timestamp
from app.register.errors import InvalidInput, Refused
from app.transfers.states import PENDING

if TYPE_CHECKING:
    from app.models.transfers import PreEmptionOffer, PreEmptionOfferee


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


# --- pre-emption -----------------------------------------------------------------------------


def pre_emption_pending(instruction_id: str, action: str, close_by: datetime) -> Refused:
    return Refused(
        "pre_emption_pending",
        f"instruction {instruction_id} cannot be {action} while its pre-emption offer is open "
        f"(until {format_timestamp(close_by)})",
        instruction_id=instruction_id,
        close_by=format_timestamp(close_by),
    )


def offer_closed(offer: PreEmptionOffer) -> Refused:
    when = "was closed" if offer.state != "open" else "ended"
    return Refused(
        "offer_closed",
        f"the pre-emption offer on instruction {offer.instruction_id} {when} "
        f"(window until {format_timestamp(offer.close_by)})",
        instruction_id=offer.instruction_id,
    )


def not_an_offeree(instruction_id: str, holder_id: str) -> Refused:
    return Refused(
        "not_an_offeree",
        f"holder {holder_id} was not offered the shares of instruction {instruction_id}",
        instruction_id=instruction_id,
        holder_id=holder_id,
    )


def not_your_offer(instruction_id: str, party: str, holder_id: str) -> Refused:
    return Refused(
        "not_your_offer",
        f"holder {party} may answer only its own pre-emption offer, not {holder_id}'s",
        instruction_id=instruction_id,
        holder_id=party,
    )


def already_answered(offeree: PreEmptionOfferee) -> Refused:
    return Refused(
        "already_answered",
        f"holder {offeree.holder_id} has already answered ({offeree.answer}) the offer on "
        f"instruction {offeree.instruction_id}",
        instruction_id=offeree.instruction_id,
        holder_id=offeree.holder_id,
        answer=offeree.answer,
    )


def exceeds_entitlement(offeree: PreEmptionOfferee, quantity: int) -> Refused:
    return Refused(
        "exceeds_entitlement",
        f"holder {offeree.holder_id} may take up at most {offeree.entitlement} shares, "
        f"not {quantity}",
        instruction_id=offeree.instruction_id,
        holder_id=offeree.holder_id,
        entitlement=offeree.entitlement,
        requested=quantity,
    )
