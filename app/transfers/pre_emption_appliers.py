"""How the pre-emption entries change the tables: the offer, its offerees' answers and, at the
close, the instruction's quantity and reservation. Commands and replay both go through these.

`transfer.pre_emption_closed` releases the reservation on the shares taken up and cuts the
instruction to the rest; the `transfer.settled` entries that follow it in the same command move
the taken-up shares to the takers, so no other command ever sees them unreserved."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.ledger.canonical import parse_timestamp
from app.models.transfers import PreEmptionOffer, PreEmptionOfferee, TransferInstruction
from app.register import holdings
from app.register.appliers import install
from app.register.projection import Applied, Applier
from app.transfers import states
from app.transfers.appliers import move_to
from app.transfers.offer_states import CLOSED, OPEN, PENDING_ANSWER, TAKEN_UP, WAIVED


def _invalid(entry: Applied, why: str) -> holdings.RegisterInvariantError:
    # Commands check first; in replay this is a log the workflow could not have written.
    return holdings.RegisterInvariantError(f"entry {entry.index} ({entry.kind}): {why}")


def apply_opened(session: Session, entry: Applied) -> None:
    data = entry.data
    session.add(
        PreEmptionOffer(
            issuer_id=entry.issuer_id,
            instruction_id=data["instruction_id"],
            class_code=data["class"],
            quantity=int(data["quantity"]),
            consideration=data.get("consideration"),
            currency=data.get("currency"),
            state=OPEN,
            opened_index=entry.index,
            opened_at=entry.recorded_at,
            close_by=parse_timestamp(data["close_by"]),
            closed_index=None,
            taken_up=0,
            last_log_index=entry.index,
        )
    )
    # The offerees' rows name the offer (a foreign key the unit of work cannot order).
    session.flush()
    for offeree in data["offerees"]:
        session.add(
            PreEmptionOfferee(
                issuer_id=entry.issuer_id,
                instruction_id=data["instruction_id"],
                holder_id=offeree["holder_id"],
                holding=int(offeree["holding"]),
                entitlement=int(offeree["entitlement"]),
                answer=PENDING_ANSWER,
                taken=0,
                answered_index=None,
            )
        )


def _open_offer(session: Session, entry: Applied) -> PreEmptionOffer:
    offer = session.get(PreEmptionOffer, (entry.issuer_id, entry.data["instruction_id"]))
    if offer is None or offer.state != OPEN:
        raise _invalid(entry, f"no open offer on instruction {entry.data['instruction_id']}")
    offer.last_log_index = entry.index
    return offer


def _answering(session: Session, entry: Applied) -> tuple[PreEmptionOffer, PreEmptionOfferee]:
    offer = _open_offer(session, entry)
    key = (entry.issuer_id, offer.instruction_id, entry.data["holder_id"])
    offeree = session.get(PreEmptionOfferee, key)
    if offeree is None or offeree.answer != PENDING_ANSWER:
        raise _invalid(entry, f"holder {entry.data['holder_id']} has no unanswered offer")
    offeree.answered_index = entry.index
    return offer, offeree


def apply_taken_up(session: Session, entry: Applied) -> None:
    offer, offeree = _answering(session, entry)
    quantity = int(entry.data["quantity"])
    if not 0 < quantity <= offeree.entitlement:
        raise _invalid(entry, f"takes up {quantity} of an entitlement of {offeree.entitlement}")
    offeree.answer, offeree.taken = TAKEN_UP, quantity
    offer.taken_up += quantity


def apply_waived(session: Session, entry: Applied) -> None:
    _, offeree = _answering(session, entry)
    offeree.answer = WAIVED


def apply_closed(session: Session, entry: Applied) -> None:
    """Close the offer (the silent offerees waive), release the reservation on the shares
    taken up and leave the instruction with the rest, or end it if nothing is left. An offer
    whose instruction has ended otherwise is `withdrawn`: it closes and nothing moves."""
    data = entry.data
    offer = _open_offer(session, entry)
    offer.state, offer.closed_index = CLOSED, entry.index
    for holder_id in data["waived_by_silence"]:
        offeree = session.get(PreEmptionOfferee, (entry.issuer_id, offer.instruction_id, holder_id))
        if offeree is None or offeree.answer != PENDING_ANSWER:
            raise _invalid(entry, f"holder {holder_id} cannot waive by silence")
        offeree.answer, offeree.answered_index = WAIVED, entry.index
    if "withdrawn" in data:
        return  # the instruction ended first (e.g. cancelled by a forced transfer): no sale
    taken = sum(int(part["quantity"]) for part in data["taken_up"])
    instruction = session.get(TransferInstruction, (entry.issuer_id, offer.instruction_id))
    remaining = int(data["remaining"])
    if taken != offer.taken_up or remaining != instruction.quantity - taken or remaining < 0:
        raise _invalid(entry, f"{taken} taken up and {remaining} left do not add up")
    if taken:
        holdings.change(
            session, entry, instruction.class_code, instruction.from_holder_id, reserved=-taken
        )
    instruction.quantity = remaining
    if "remaining_consideration" in data:
        instruction.consideration = data["remaining_consideration"]
    instruction.last_log_index = entry.index
    if remaining == 0:
        move_to(session, entry, states.PRE_EMPTED)


PRE_EMPTION_APPLIERS: dict[str, Applier] = {
    "transfer.pre_emption_opened": apply_opened,
    "transfer.pre_emption_taken_up": apply_taken_up,
    "transfer.pre_emption_waived": apply_waived,
    "transfer.pre_emption_closed": apply_closed,
}


def install_pre_emption_appliers() -> None:
    install(PRE_EMPTION_APPLIERS)
