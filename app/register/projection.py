"""Log entries as the appliers see them, and how one is applied to the register's tables.

A command validates, then records: the entry is appended and applied through the applier of
its kind (the table in `app.register.appliers`). `log verify` replays a log through the very
same table into an empty database and compares, so the tables are provably a function of the
log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Applied:
    """An entry as the appliers see it."""

    issuer_id: str
    index: int
    recorded_at: datetime
    kind: str
    data: Mapping[str, Any]


Applier = Callable[[Session, Applied], None]


class UnknownKind(LookupError):
    pass


def apply_entry(appliers: Mapping[str, Applier], session: Session, entry: Applied) -> None:
    try:
        function = appliers[entry.kind]
    except KeyError:
        raise UnknownKind(f"no applier for entry kind {entry.kind!r}") from None
    function(session, entry)


def ignore(_session: Session, _entry: Applied) -> None:
    """For entries that concern the log itself (key rotations), not the register."""
