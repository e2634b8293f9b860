"""Log entries and their effect on the register's tables, kept in one place.

A command validates, then calls `record()`: it appends the entry and applies it through the
applier registered for its kind. `log verify` replays a log through the very same appliers into
an empty database and compares, so the tables are provably a function of the log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.ledger.log import Ledger


@dataclass(frozen=True)
class Applied:
    """An entry as the appliers see it."""

    issuer_id: str
    index: int
    recorded_at: datetime
    kind: str
    data: Mapping[str, Any]


Applier = Callable[[Session, Applied], None]
_APPLIERS: dict[str, Applier] = {}


def applier(kind: str) -> Callable[[Applier], Applier]:
    def register(function: Applier) -> Applier:
        if kind in _APPLIERS:
            raise RuntimeError(f"two appliers for {kind}")
        _APPLIERS[kind] = function
        return function

    return register


def known_kinds() -> frozenset[str]:
    return frozenset(_APPLIERS)


class UnknownKind(LookupError):
    pass


def apply_entry(session: Session, entry: Applied) -> None:
    try:
        function = _APPLIERS[entry.kind]
    except KeyError:
        raise UnknownKind(f"no applier for entry kind {entry.kind!r}") from None
    function(session, entry)


def record(
    session: Session,
    ledger: Ledger,
    issuer_id: str,
    actor: str,
    kind: str,
    data: Mapping[str, Any],
) -> Applied:
    """Append one entry to the issuer's log and apply it to the tables, in the caller's
    transaction."""
    entry = ledger.append(session, issuer_id, kind, actor, data)
    applied = Applied(issuer_id, entry.index, entry.recorded_at, kind, data)
    apply_entry(session, applied)
    return applied


@applier("key.rotated")
def _key_rotated(_session: Session, _entry: Applied) -> None:
    """Key rotations concern the log's signatures, not the register."""
