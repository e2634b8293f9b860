"""Reads of the logs for the CLI and the API that are not proofs (those are in `log`)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ledger.log import Entry
from app.models.log import LogCheckpoint, LogLeaf, LogState


def log_ids(session: Session) -> list[str]:
    """The issuer id of every log, in order."""
    return list(session.scalars(select(LogState.issuer_id).order_by(LogState.issuer_id)))


def checkpoint_notes(session: Session, issuer_id: str, up_to: int) -> list[tuple[int, str]]:
    """(tree_size, signed note) of every checkpoint of the log up to size `up_to`, in order."""
    rows = session.execute(
        select(LogCheckpoint.tree_size, LogCheckpoint.note)
        .where(LogCheckpoint.issuer_id == issuer_id, LogCheckpoint.tree_size <= up_to)
        .order_by(LogCheckpoint.tree_size)
    )
    return [(row.tree_size, row.note) for row in rows]


def entries_at(session: Session, issuer_id: str, indexes: Iterable[int]) -> list[Entry]:
    """The entries at the given indexes (any order, any gaps), in log order, in one query."""
    wanted = sorted(set(indexes))
    if not wanted:
        return []
    rows = session.execute(
        select(LogLeaf.index, LogLeaf.leaf, LogLeaf.leaf_hash)
        .where(LogLeaf.issuer_id == issuer_id, LogLeaf.index.in_(wanted))
        .order_by(LogLeaf.index)
    )
    return [Entry(index=row.index, leaf=row.leaf, leaf_hash=row.leaf_hash) for row in rows]
