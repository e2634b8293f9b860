"""The log entries that concern one holder: the list the investor's browser check and the
receipt are proven against."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.models.log import LogLeaf
from app.models.register import Holder, HoldingVersion


def entry_indexes(session: Session, holder: Holder) -> list[int]:
    """Every entry that concerns a holder: those naming them anywhere in their data
    (registration, each amendment, transfers, splits' per-holding results, pledges...) and
    those that changed their holdings without naming them (a pledge's release names only the
    pledge). The investor's browser checks its proofs against this list."""
    changes = session.scalars(
        select(HoldingVersion.from_index).where(
            HoldingVersion.issuer_id == holder.issuer_id,
            HoldingVersion.holder_id == holder.holder_id,
        )
    )
    named = _entries_naming(session, holder.issuer_id, holder.holder_id, holder.registered_index)
    return sorted({holder.registered_index, holder.last_log_index, *changes, *named})


def _entries_naming(session: Session, issuer_id: str, value: str, from_index: int) -> list[int]:
    """Indexes of the leaves from `from_index` whose data holds the string `value`.

    The database finds the leaves holding its JSON text (a scan of the issuer's leaves, no
    index serves a substring); each is then parsed, so a mere substring does not count."""
    needle = json.dumps(value).encode()
    if session.get_bind().dialect.name == "postgresql":
        holds = text("position(CAST(:needle AS bytea) IN log_leaves.leaf) > 0")
    else:
        holds = text("instr(log_leaves.leaf, :needle) > 0")
    rows = session.execute(
        select(LogLeaf.index, LogLeaf.leaf)
        .where(LogLeaf.issuer_id == issuer_id, LogLeaf.index >= from_index)
        .where(holds.bindparams(needle=needle))
    )
    return [index for index, leaf in rows if _holds_value(json.loads(leaf)["data"], value)]


def _holds_value(data: Any, value: str) -> bool:
    if isinstance(data, dict):
        return any(_holds_value(item, value) for item in data.values())
    if isinstance(data, list):
        return any(_holds_value(item, value) for item in data)
    return data == value
