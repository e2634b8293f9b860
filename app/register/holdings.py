"""Holdings: held, frozen, pledged and reserved per (class, holder), versioned by log index."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

from app.db import execute_many, insert_many, refresh_statistics_within, transaction_cache
from app.models.register import HoldingVersion
from app.register.errors import Refused
from app.register.projection import Applied
from app.register.queries import current_versions

BUCKETS = ("held", "frozen", "pledged", "reserved")
_COLUMNS = ("issuer_id", "class_code", "holder_id", "from_index", "to_index", *BUCKETS)


class RegisterInvariantError(RuntimeError):
    """A change would make a holding negative or over-committed. Commands check first, so this
    means a bug, or (during replay) a log that the rules could never have produced."""


HoldingKey = tuple[str, str, str]  # issuer_id, class_code, holder_id


@dataclass(slots=True, eq=False)
class Holding:
    """One holding version as commands see it: a plain object, not an ORM instance.

    A batch of 100,000 allocations built 100,000 HoldingVersion instances (29% of its time:
    instrumentation, identity map, unit-of-work sorting); these rows are buffered and written
    with one executemany per statement instead (see `_Pending`)."""

    issuer_id: str
    class_code: str
    holder_id: str
    from_index: int
    to_index: int | None
    held: int
    frozen: int
    pledged: int
    reserved: int

    @property
    def available(self) -> int:
        return self.held - self.frozen - self.pledged - self.reserved

    def row(self) -> tuple[Any, ...]:  # in the order of _COLUMNS
        return (self.issuer_id, self.class_code, self.holder_id, self.from_index, self.to_index,
                self.held, self.frozen, self.pledged, self.reserved)  # fmt: skip

    def key(self) -> tuple[str, str, str, int]:  # the primary key
        return (self.issuer_id, self.class_code, self.holder_id, self.from_index)


@dataclass
class _Pending:
    """Versions this transaction changed but has not written yet.

    `new` are versions that are not in the table; `dirty` are stored versions since closed
    (to_index) or amended. Both are written by `write_pending`, which runs before any statement
    the session executes and before commit, so every read in the transaction sees them."""

    new: dict[int, Holding] = field(default_factory=dict)  # by id(): one row per version
    dirty: dict[int, Holding] = field(default_factory=dict)
    # The transaction cache these versions are in; while it is, it answers every read of a
    # current version they belong to (see `_write_before_statement`).
    cache: dict | None = None

    def __bool__(self) -> bool:
        return bool(self.new or self.dirty)


_PENDING_KEY = "shareledger.holdings.pending"
# The stored version's primary key is bound under other names than the SET columns.
_UPDATE_VERSION = (
    f"UPDATE {HoldingVersion.__tablename__} SET to_index = ?, held = ?, frozen = ?, pledged = ?,"
    " reserved = ? WHERE issuer_id = ? AND class_code = ? AND holder_id = ? AND from_index = ?"
)


def _pending(session: Session) -> _Pending:
    pending = session.info.get(_PENDING_KEY)
    if pending is None:
        pending = session.info[_PENDING_KEY] = _Pending()
    return pending


def write_pending(session: Session) -> None:
    """Write the buffered versions: one executemany UPDATE and one INSERT.

    The ORM's own pending objects are flushed first, since the versions' foreign keys may name
    a holder or class this transaction added."""
    pending = session.info.get(_PENDING_KEY)
    if not pending:
        return
    # Taken out before executing, so the statements below do not re-enter this function.
    session.info[_PENDING_KEY] = _Pending()
    session.flush()
    execute_many(
        session,
        _UPDATE_VERSION,
        [
            (v.to_index, v.held, v.frozen, v.pledged, v.reserved, *v.key())
            for v in pending.dirty.values()
        ],
    )
    if len(pending.new) >= RESAMPLE_HOLDERS_FROM:
        # Each new version's foreign key is checked against holders, on a plan made from
        # holders' statistics: if this command registered the crowd it now allots to (a CSV
        # import), PostgreSQL would scan the table once per row. Measured: a 100,000-member
        # import's COPY of versions ran for minutes on statistics that counted 305 holders.
        refresh_statistics_within(session, ("holders",), grown_by=len(pending.new))
    insert_many(
        session, HoldingVersion.__tablename__, _COLUMNS, [v.row() for v in pending.new.values()]
    )


# Below this many new versions a command's own holders cannot outgrow the statistics enough to
# matter, and an ANALYZE would cost more than the checks.
RESAMPLE_HOLDERS_FROM = 1_000

_READ_OPTION = "shareledger_current_holdings"


@event.listens_for(Session, "do_orm_execute")
def _write_before_statement(state: ORMExecuteState) -> None:
    # Reads elsewhere in the command (snapshots, reorganisations, replay's comparison) query
    # holding_versions directly, as autoflush let them see ORM changes before. This module's
    # own reads of current versions need not wait: a holding with pending versions is in the
    # cache, so it is never read from the table, unless the cache was dropped (replay drops
    # it between batches). Writing here would split a transfer's writes in two rounds.
    pending = state.session.info.get(_PENDING_KEY)
    if not pending:
        return
    if state.execution_options.get(_READ_OPTION) and pending.cache is _cache(state.session):
        return
    write_pending(state.session)


@event.listens_for(Session, "before_commit")
def _write_before_commit(session: Session) -> None:
    write_pending(session)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)


def _cache(session: Session) -> dict[HoldingKey, Holding | None]:
    # Commands touch the same holdings repeatedly (batches, checks then changes); within one
    # transaction the current version is read from the database once.
    return transaction_cache(session, "holdings")


def _read_current(session: Session, issuer_id: str, code: str, holder_ids: list[str]) -> Any:
    columns = [getattr(HoldingVersion, name) for name in _COLUMNS]
    return session.execute(
        select(*columns)
        .where(
            HoldingVersion.issuer_id == issuer_id,
            HoldingVersion.class_code == code,
            HoldingVersion.holder_id.in_(holder_ids)
            if len(holder_ids) > 1
            else HoldingVersion.holder_id == holder_ids[0],
            current_versions(),
        )
        .execution_options(**{_READ_OPTION: True})
    )


def current(session: Session, issuer_id: str, class_code: str, holder_id: str) -> Holding | None:
    cache = _cache(session)
    key = (issuer_id, class_code, holder_id)
    if key not in cache:
        row = _read_current(session, issuer_id, class_code, [holder_id]).one_or_none()
        cache[key] = Holding(*row) if row is not None else None
    return cache[key]


def preload(session: Session, issuer_id: str, keys: Iterable[tuple[str, str]]) -> None:
    """Read the current versions of many (class, holder) holdings in a few queries."""
    cache = _cache(session)
    wanted: dict[str, list[str]] = {}
    for code, holder_id in set(keys):
        if (issuer_id, code, holder_id) not in cache:
            wanted.setdefault(code, []).append(holder_id)
    for code, holder_ids in wanted.items():
        # One class at a time, so the lookup seeks the primary key (a row-value IN over
        # (class, holder) makes SQLite read every version of the issuer).
        for start in range(0, len(holder_ids), 500):
            chunk = holder_ids[start : start + 500]
            for holder_id in chunk:
                cache[(issuer_id, code, holder_id)] = None
            for row in _read_current(session, issuer_id, code, chunk):
                cache[(issuer_id, row.class_code, row.holder_id)] = Holding(*row)


def available(session: Session, issuer_id: str, class_code: str, holder_id: str) -> int:
    holding = current(session, issuer_id, class_code, holder_id)
    return holding.available if holding else 0


def require_available(
    session: Session, issuer_id: str, class_code: str, holder_id: str, quantity: int
) -> HoldingVersion:
    holding = current(session, issuer_id, class_code, holder_id)
    have = holding.available if holding else 0
    if have < quantity:
        raise Refused(
            "insufficient_available",
            f"holder {holder_id} has {have} {class_code} shares available, {quantity} needed",
            holder_id=holder_id,
            class_code=class_code,
            available=have,
            requested=quantity,
        )
    return holding


def change(
    session: Session,
    entry: Applied,
    class_code: str,
    holder_id: str,
    *,
    held: int = 0,
    frozen: int = 0,
    pledged: int = 0,
    reserved: int = 0,
) -> Holding:
    """Apply deltas as of `entry`: close the current version and open the next one."""
    previous = current(session, entry.issuer_id, class_code, holder_id)
    pending = _pending(session)
    pending.cache = _cache(session)
    if previous is not None and previous.from_index == entry.index:
        version = previous  # a second change by the same entry amends its own version
        if id(version) not in pending.new:
            pending.dirty[id(version)] = version  # already written by an earlier statement
    else:
        if previous is None:
            version = Holding(entry.issuer_id, class_code, holder_id, entry.index, None, 0, 0, 0, 0)
        else:
            version = replace(previous, from_index=entry.index, to_index=None)
            previous.to_index = entry.index
            if id(previous) not in pending.new:
                pending.dirty[id(previous)] = previous
        pending.new[id(version)] = version
        _cache(session)[(entry.issuer_id, class_code, holder_id)] = version
    version.held += held
    version.frozen += frozen
    version.pledged += pledged
    version.reserved += reserved
    if min(version.held, version.frozen, version.pledged, version.reserved) < 0 or (
        version.available < 0
    ):
        raise RegisterInvariantError(
            f"entry {entry.index} ({entry.kind}) would leave {holder_id}'s {class_code} holding "
            f"at held={version.held} frozen={version.frozen} pledged={version.pledged} "
            f"reserved={version.reserved}"
        )
    return version
