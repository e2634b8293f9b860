"""How each `transfer.*` entry of the workflow changes the tables: the instruction, its
history and the transferor's reservation. Commands and replay both go through these."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.ledger.canonical import parse_timestamp
from app.models.transfers import (
    InstructionTransition,
    IssuanceLockup,
    TransferInstruction,
    TransferSettings,
)
from app.register import holdings, issuance, reorganisation
from app.register import transfers as register_transfers
from app.register.appliers import install
from app.register.errors import Refused
from app.register.fraction_terms import recorded_terms
from app.register.projection import Applied, Applier
from app.transfers import offer_queries, queries, states
from app.transfers.deadlines import DEFAULT_PRE_EMPTION_DAYS
from app.transfers.rules import apply_rules_changed, scale_lockups


def apply_instructed(session: Session, entry: Applied) -> None:
    data = entry.data
    quantity = int(data["quantity"])
    session.add(
        TransferInstruction(
            issuer_id=entry.issuer_id,
            instruction_id=data["instruction_id"],
            class_code=data["class"],
            quantity=quantity,
            from_holder_id=data["from_holder_id"],
            to_holder_id=data["to_holder_id"],
            consideration=data.get("consideration"),
            currency=data.get("currency"),
            consideration_text=data.get("consideration_text"),
            risk_acknowledged=data["risk_acknowledged"],
            approval_required=data["approval_required"],
            state=states.INSTRUCTED,
            instructed_index=entry.index,
            instructed_at=entry.recorded_at,
            accept_by=parse_timestamp(data["accept_by"]),
            decide_by=parse_timestamp(data["decide_by"]),
            last_log_index=entry.index,
        )
    )
    # The history's rows name the instruction (a foreign key the unit of work cannot order).
    session.flush()
    _add_transition(session, entry, states.INSTRUCTED)
    holdings.change(session, entry, data["class"], data["from_holder_id"], reserved=quantity)


def _add_transition(session: Session, entry: Applied, state: str) -> None:
    session.add(
        InstructionTransition(
            issuer_id=entry.issuer_id,
            log_index=entry.index,
            instruction_id=entry.data["instruction_id"],
            state=state,
            recorded_at=entry.recorded_at,
            reasons=entry.data.get("reasons"),
        )
    )


def move_to(session: Session, entry: Applied, state: str) -> TransferInstruction:
    instruction = session.get(TransferInstruction, (entry.issuer_id, entry.data["instruction_id"]))
    if instruction is None or instruction.state not in states.PENDING:
        # Commands check first; in replay this is a log the workflow could not have written.
        raise holdings.RegisterInvariantError(
            f"entry {entry.index} ({entry.kind}) moves instruction "
            f"{entry.data['instruction_id']} that is not pending"
        )
    instruction.state = state
    instruction.last_log_index = entry.index
    _add_transition(session, entry, state)
    return instruction


def _stepper(state: str) -> Applier:
    def apply(session: Session, entry: Applied) -> None:
        move_to(session, entry, state)

    apply.__name__ = f"apply_{state}"
    return apply


def _releaser(state: str) -> Applier:
    """An end that gives the reserved shares back to the transferor."""

    def apply(session: Session, entry: Applied) -> None:
        instruction = move_to(session, entry, state)
        holdings.change(
            session,
            entry,
            instruction.class_code,
            instruction.from_holder_id,
            reserved=-instruction.quantity,
        )

    apply.__name__ = f"apply_{state}"
    return apply


def apply_settled(session: Session, entry: Applied) -> None:
    """A settled transfer; one that settles an instruction also ends it (the register's applier
    moves the shares and releases their reservation)."""
    register_transfers.apply_transfer_settled(session, entry)
    if "instruction_id" in entry.data:
        move_to(session, entry, states.SETTLED)


def apply_reorganised(session: Session, entry: Applied) -> None:
    """A split or consolidation also scales the pending instructions on the class, exactly as
    it scales their reservations; one that would cut an instruction into a fraction of a share
    is refused here, the only place that sees each instruction's share of the reservation
    (the register refuses a holding's reservation that would not come out whole)."""
    reorganisation.apply_class_reorganised(session, entry)
    refuse_open_offers(session, entry)
    ratio = recorded_terms(entry.data).ratio
    scale_lockups(session, entry.issuer_id, entry.data["class"], ratio.new, ratio.old)
    for instruction in queries.pending_in_class(session, entry.issuer_id, entry.data["class"]):
        scaled, fraction = divmod(instruction.quantity * ratio.new, ratio.old)
        if fraction:
            raise Refused(
                "encumbered_fraction",
                f"pending transfer instruction {instruction.instruction_id} of "
                f"{instruction.quantity} shares would become a fraction under {ratio}; "
                "settle, cancel or reject it first",
                instruction_id=instruction.instruction_id,
                quantity=instruction.quantity,
            )
        instruction.quantity = scaled
        instruction.last_log_index = entry.index


def refuse_open_offers(session: Session, entry: Applied) -> None:
    """Entitlements are counted in the shares the offer opened with: it must close first."""
    open_offers = offer_queries.open_offers_in_class(session, entry.issuer_id, entry.data["class"])
    if open_offers:
        raise Refused(
            "pre_emption_pending",
            f"the pre-emption offer on instruction {open_offers[0]} is open on class "
            f"{entry.data['class']}; it must close before the class is reorganised",
            instruction_id=open_offers[0],
        )


def apply_configured(session: Session, entry: Applied) -> None:
    data = entry.data
    settings = session.get(TransferSettings, (entry.issuer_id, data["class"]))
    if settings is None:
        settings = TransferSettings(issuer_id=entry.issuer_id, class_code=data["class"])
        session.add(settings)
    settings.approval_required = data["approval_required"]
    settings.acceptance_days = int(data["acceptance_days"])
    # Entries from before pre-emption existed leave it off.
    settings.pre_emption = data.get("pre_emption", False)
    settings.pre_emption_days = int(data.get("pre_emption_days", DEFAULT_PRE_EMPTION_DAYS))
    settings.last_log_index = entry.index


def apply_issued(session: Session, entry: Applied) -> None:
    """Shares issued, and the lock-up they were issued under, if any."""
    issuance.apply_shares_issued(session, entry)
    if "locked_until" in entry.data:
        session.add(
            IssuanceLockup(
                issuer_id=entry.issuer_id,
                log_index=entry.index,
                class_code=entry.data["class"],
                holder_id=entry.data["holder_id"],
                quantity=int(entry.data["quantity"]),
                locked_until=date.fromisoformat(entry.data["locked_until"]),
            )
        )


TRANSFER_APPLIERS: dict[str, Applier] = {
    "transfer.configured": apply_configured,
    "transfer.instructed": apply_instructed,
    "transfer.accepted": _stepper(states.ACCEPTED),
    "transfer.approved": _stepper(states.APPROVED),
    "transfer.declined": _releaser(states.DECLINED),
    "transfer.rejected": _releaser(states.REJECTED),
    "transfer.cancelled": _releaser(states.CANCELLED),
    "transfer.expired": _releaser(states.EXPIRED),
    "transfer.settled": apply_settled,
    "class.split": apply_reorganised,
    "class.consolidated": apply_reorganised,
    "rules.changed": apply_rules_changed,
    "shares.issued": apply_issued,
}


def install_appliers() -> None:
    install(
        TRANSFER_APPLIERS,
        extends={
            "transfer.settled": register_transfers.apply_transfer_settled,
            "class.split": reorganisation.apply_class_reorganised,
            "class.consolidated": reorganisation.apply_class_reorganised,
            "shares.issued": issuance.apply_shares_issued,
        },
    )
