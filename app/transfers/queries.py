"""Reads of the transfer workflow: instructions, their histories, settings, what is due."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from app.models.transfers import InstructionTransition, TransferInstruction, TransferSettings
from app.register.errors import NotFound
from app.transfers.deadlines import DEFAULT_ACCEPTANCE_DAYS, DEFAULT_PRE_EMPTION_DAYS
from app.transfers.states import ACCEPTED, INSTRUCTED, PENDING


def get_instruction(session: Session, issuer_id: str, instruction_id: str) -> TransferInstruction:
    instruction = session.get(TransferInstruction, (issuer_id, instruction_id))
    if instruction is None:
        raise NotFound(f"no transfer instruction {instruction_id}", instruction_id=instruction_id)
    return instruction


def instructions_page(
    session: Session,
    issuer_id: str,
    *,
    state: str | None = None,
    holder_id: str | None = None,
    after: int | None = None,
    limit: int = 100,
    overdue_at: datetime | None = None,
) -> tuple[list[TransferInstruction], int | None]:
    """Instructions in order of receipt, a page at a time; `after` is the `instructed_index`
    the previous page ended with; `overdue_at` keeps those past a deadline at that moment.
    Returns the page and where the next one starts, if any."""
    query = select(TransferInstruction).where(TransferInstruction.issuer_id == issuer_id)
    if overdue_at is not None:
        query = query.where(_past_deadline(overdue_at))
    if state is not None:
        query = query.where(TransferInstruction.state == state)
    if holder_id is not None:
        query = query.where(
            or_(
                TransferInstruction.from_holder_id == holder_id,
                TransferInstruction.to_holder_id == holder_id,
            )
        )
    if after is not None:
        query = query.where(TransferInstruction.instructed_index > after)
    query = query.order_by(TransferInstruction.instructed_index).limit(limit + 1)
    rows = list(session.scalars(query))
    page = rows[:limit]
    return page, page[-1].instructed_index if len(rows) > limit else None


def transitions(
    session: Session, issuer_id: str, instruction_id: str
) -> list[InstructionTransition]:
    return list(
        session.scalars(
            select(InstructionTransition)
            .where(
                InstructionTransition.issuer_id == issuer_id,
                InstructionTransition.instruction_id == instruction_id,
            )
            .order_by(InstructionTransition.log_index)
        )
    )


def earlier_pending(session: Session, instruction: TransferInstruction) -> list[str]:
    """Pending instructions on the same shares received before this one, oldest first."""
    return list(
        session.scalars(
            select(TransferInstruction.instruction_id)
            .where(
                TransferInstruction.issuer_id == instruction.issuer_id,
                TransferInstruction.class_code == instruction.class_code,
                TransferInstruction.from_holder_id == instruction.from_holder_id,
                TransferInstruction.state.in_(PENDING),
                TransferInstruction.instructed_index < instruction.instructed_index,
            )
            .order_by(TransferInstruction.instructed_index)
        )
    )


def _past_deadline(now: datetime) -> ColumnElement[bool]:
    """Waiting for the transferee past the acceptance deadline, or for anyone past the
    decision deadline (as `deadlines.missed_deadline` says of one instruction)."""
    return or_(
        (TransferInstruction.state == INSTRUCTED) & (TransferInstruction.accept_by < now),
        TransferInstruction.state.in_((INSTRUCTED, ACCEPTED))
        & (TransferInstruction.decide_by < now),
    )


def due_for_expiry(session: Session, now: datetime) -> list[tuple[str, str]]:
    """(issuer_id, instruction_id) of every instruction past a deadline, in order of receipt."""
    query = (
        select(TransferInstruction.issuer_id, TransferInstruction.instruction_id)
        .where(_past_deadline(now))
        .order_by(TransferInstruction.issuer_id, TransferInstruction.instructed_index)
    )
    return [(row.issuer_id, row.instruction_id) for row in session.execute(query)]


def settings_for(session: Session, issuer_id: str, class_code: str) -> TransferSettings:
    """The class's settings, or the defaults (approval required, 14 days to accept)."""
    settings = session.get(TransferSettings, (issuer_id, class_code))
    if settings is None:
        return TransferSettings(
            issuer_id=issuer_id,
            class_code=class_code,
            approval_required=True,
            acceptance_days=DEFAULT_ACCEPTANCE_DAYS,
            pre_emption=False,
            pre_emption_days=DEFAULT_PRE_EMPTION_DAYS,
            last_log_index=-1,
        )
    return settings


def pending_in_class(
    session: Session, issuer_id: str, class_code: str
) -> list[TransferInstruction]:
    return list(
        session.scalars(
            select(TransferInstruction)
            .where(
                TransferInstruction.issuer_id == issuer_id,
                TransferInstruction.class_code == class_code,
                TransferInstruction.state.in_(PENDING),
            )
            .order_by(TransferInstruction.instructed_index)
        )
    )


def pending_on_holding(
    session: Session, issuer_id: str, class_code: str, holder_id: str
) -> list[TransferInstruction]:
    """The pending instructions reserving shares of one holding, in order of receipt."""
    return list(
        session.scalars(
            select(TransferInstruction)
            .where(
                TransferInstruction.issuer_id == issuer_id,
                TransferInstruction.class_code == class_code,
                TransferInstruction.from_holder_id == holder_id,
                TransferInstruction.state.in_(PENDING),
            )
            .order_by(TransferInstruction.instructed_index)
        )
    )


def instructions_by_id(
    session: Session, issuer_id: str, instruction_ids: Iterable[str]
) -> dict[str, TransferInstruction]:
    """The instructions named, in one query (pages describing log entries look them up)."""
    wanted = set(instruction_ids)
    if not wanted:
        return {}
    found = session.scalars(
        select(TransferInstruction).where(
            TransferInstruction.issuer_id == issuer_id,
            TransferInstruction.instruction_id.in_(wanted),
        )
    )
    return {instruction.instruction_id: instruction for instruction in found}
