"""Reads of pre-emption: an instruction's offer, its offerees, the offers due to close."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.transfers import PreEmptionOffer, PreEmptionOfferee
from app.register.errors import NotFound
from app.transfers.offer_states import OPEN


def find_offer(session: Session, issuer_id: str, instruction_id: str) -> PreEmptionOffer | None:
    return session.get(PreEmptionOffer, (issuer_id, instruction_id))


def get_offer(session: Session, issuer_id: str, instruction_id: str) -> PreEmptionOffer:
    offer = find_offer(session, issuer_id, instruction_id)
    if offer is None:
        raise NotFound(
            f"instruction {instruction_id} has no pre-emption offer", instruction_id=instruction_id
        )
    return offer


def offerees(session: Session, issuer_id: str, instruction_id: str) -> list[PreEmptionOfferee]:
    return list(
        session.scalars(
            select(PreEmptionOfferee)
            .where(
                PreEmptionOfferee.issuer_id == issuer_id,
                PreEmptionOfferee.instruction_id == instruction_id,
            )
            .order_by(PreEmptionOfferee.holder_id)
        )
    )


def due_to_close(session: Session, now: datetime) -> list[tuple[str, str]]:
    """(issuer_id, instruction_id) of every open offer whose window has passed."""
    query = (
        select(PreEmptionOffer.issuer_id, PreEmptionOffer.instruction_id)
        .where(PreEmptionOffer.state == OPEN, PreEmptionOffer.close_by < now)
        .order_by(PreEmptionOffer.issuer_id, PreEmptionOffer.opened_index)
    )
    return [(row.issuer_id, row.instruction_id) for row in session.execute(query)]


def open_offers_in_class(session: Session, issuer_id: str, class_code: str) -> list[str]:
    """The instruction ids of the class's open offers, oldest first."""
    return list(
        session.scalars(
            select(PreEmptionOffer.instruction_id)
            .where(
                PreEmptionOffer.issuer_id == issuer_id,
                PreEmptionOffer.class_code == class_code,
                PreEmptionOffer.state == OPEN,
            )
            .order_by(PreEmptionOffer.opened_index)
        )
    )


def offers_to_holder(
    session: Session, issuer_id: str, holder_id: str, limit: int
) -> list[tuple[PreEmptionOffer, PreEmptionOfferee]]:
    """The offers made to the holder with its part of each, open ones first, newest first."""
    query = (
        select(PreEmptionOffer, PreEmptionOfferee)
        .join(
            PreEmptionOfferee,
            (PreEmptionOfferee.issuer_id == PreEmptionOffer.issuer_id)
            & (PreEmptionOfferee.instruction_id == PreEmptionOffer.instruction_id),
        )
        .where(PreEmptionOffer.issuer_id == issuer_id, PreEmptionOfferee.holder_id == holder_id)
        .order_by((PreEmptionOffer.state == OPEN).desc(), PreEmptionOffer.opened_index.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.execute(query)]
