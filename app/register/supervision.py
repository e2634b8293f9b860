"""Reads a supervisor needs without asking anyone: issuers by jurisdiction, every signed
checkpoint of a log, a holder looked up by identifier across issuers, the settled transfers.

Every read that spans issuers takes the issuers the caller may see as an explicit set (the
caller's principal decides, issuer by issuer), so that a token scoped to one issuer cannot
see another's rows by any of these queries. Lookups probe each visible issuer's own index
(`issuer_id` leads every index), as they would across shards.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from app.models.issuer import Issuer
from app.models.log import LogCheckpoint, LogLeaf
from app.models.register import Holder, HolderDetails, TransferInstrument


def issuers_in(session: Session, jurisdiction: str | None) -> list[Issuer]:
    """Every issuer by name, or those registered in `jurisdiction` (ISO 3166-1 alpha-2)."""
    query = select(Issuer).order_by(Issuer.legal_name, Issuer.id)
    if jurisdiction is not None:
        code = jurisdiction.upper()
        places = [Issuer.jurisdiction == code]
        if len(code) == 2:  # a country includes its subdivisions (US: US-DE, US-NY, ...)
            places.append(Issuer.jurisdiction.startswith(f"{code}-", autoescape=True))
        query = query.where(or_(*places))
    return list(session.scalars(query))


@dataclass(frozen=True)
class SignedCheckpoint:
    tree_size: int
    root_hash: bytes
    note: str
    created_at: datetime


def checkpoints_page(
    session: Session, issuer_id: str, after: int | None, limit: int
) -> tuple[list[SignedCheckpoint], int | None]:
    """The log's signed checkpoints by size, from just after size `after`; and the size to
    continue after (None on the last page)."""
    query = (
        select(LogCheckpoint)
        .where(LogCheckpoint.issuer_id == issuer_id)
        .order_by(LogCheckpoint.tree_size)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(LogCheckpoint.tree_size > after)
    rows = list(session.scalars(query))
    page = [
        SignedCheckpoint(row.tree_size, row.root_hash, row.note, row.created_at)
        for row in rows[:limit]
    ]
    return page, (page[-1].tree_size if len(rows) > limit else None)


def holders_by_identifier(
    session: Session, identifier: str, issuer_ids: Collection[str]
) -> list[tuple[Holder, HolderDetails]]:
    """Every member registered under `identifier` at the given issuers, current or ceased
    (erased details are gone, and with them the identifier)."""
    if not issuer_ids:
        return []
    rows = session.execute(
        select(Holder, HolderDetails)
        .join(
            HolderDetails,
            (HolderDetails.issuer_id == Holder.issuer_id)
            & (HolderDetails.holder_id == Holder.holder_id),
        )
        .where(HolderDetails.issuer_id.in_(sorted(issuer_ids)))
        .where(HolderDetails.identifier == identifier)
        .order_by(Holder.issuer_id, Holder.holder_id)
    )
    return [(row.Holder, row.HolderDetails) for row in rows]


def settled_transfers_page(
    session: Session, issuer_id: str, after: int | None, limit: int
) -> tuple[list[dict[str, Any]], int | None]:
    """Settled transfers (lodged instruments and settled instructions) in log order, from just
    after log index `after`, each as its log entry says it; and where to continue."""
    query = (
        select(TransferInstrument.log_index)
        .where(TransferInstrument.issuer_id == issuer_id)
        .order_by(TransferInstrument.log_index)
        .limit(limit + 1)
    )
    if after is not None:
        query = query.where(TransferInstrument.log_index > after)
    indexes = list(session.scalars(query))
    leaves = session.execute(
        select(LogLeaf.index, LogLeaf.leaf)
        .where(LogLeaf.issuer_id == issuer_id, LogLeaf.index.in_(indexes[:limit]))
        .order_by(LogLeaf.index)
    )
    page = [_settled(index, json.loads(leaf)) for index, leaf in leaves]
    return page, (indexes[limit - 1] if len(indexes) > limit else None)


def _settled(index: int, envelope: dict[str, Any]) -> dict[str, Any]:
    data = envelope["data"]
    return {
        "log_index": index,
        "recorded_at": envelope["recorded_at"],
        "class": data["class"],
        "from_holder_id": data["from_holder_id"],
        "to_holder_id": data["to_holder_id"],
        "quantity": int(data["quantity"]),
        "instrument_reference": data.get("instrument_reference"),
        "instruction_id": data.get("instruction_id"),
    }
