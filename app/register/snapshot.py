"""The register as of a signed tree size: the queries behind every snapshot format.

A snapshot is taken at a size that has a signed checkpoint, so a regulator can check it against
the log: a size in the middle of a command would show half a batch. Holdings as of size N are
the holding versions with from_index < N and (to_index is null or to_index >= N): those rows
never change once N is signed, so the snapshot needs no special isolation and no replay.

Everything here is sized for large registers: the totals come from one aggregate query, then
one query streams the holdings in their final order (classes by code, holders by name then
holder_id, erased holders last), fetched a few thousand rows at a time as plain tuples. Formats
(app.interchange.formats) turn the rows into text and never hold the whole register.

Percentages are exact: integer arithmetic on the quantities, rounded half up to four decimal
places, the same as `Decimal(part * 100) / Decimal(whole)` computed exactly and quantized with
ROUND_HALF_UP. No float is involved anywhere.

Known limits: personal details (names, addresses) are those on the register now, not as of N,
as holder_details is not versioned; nor are share classes, so a class amended after N shows
its amended name, votes per share and par value (the totals and holdings are as of N).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from app.ledger import log
from app.ledger.canonical import parse_timestamp
from app.models.issuer import Issuer
from app.models.log import LogCheckpoint
from app.models.register import Holder, HolderDetails, HoldingVersion, ShareClass
from app.register.errors import NotFound
from app.register.issuers import get_issuer
from app.register.queries import versions_as_of

ERASED_NAME = "[erased]"
PERCENT_PLACES = 4
ROWS_PER_FETCH = 5_000
PERCENT_MEMO = 100_000
_PERCENT_SCALE = 100 * 10**PERCENT_PLACES


class NoCheckpoint(NotFound):
    """No signed checkpoint at the requested size or before the requested moment."""

    code = "no_checkpoint"


@dataclass(frozen=True)
class ClassTotal:
    """A share class as the snapshot shows it: current attributes, totals as of the size."""

    code: str
    name: str
    votes_per_share: int
    par_value: str
    currency: str
    authorised: int | None
    issued: int
    holder_count: int

    @property
    def votes(self) -> int:
        return self.issued * self.votes_per_share


@dataclass(frozen=True)
class Snapshot:
    issuer: Issuer
    checkpoint: LogCheckpoint
    classes: tuple[ClassTotal, ...]
    holder_count: int  # members holding shares of any class as of tree_size
    total_votes: int

    @property
    def tree_size(self) -> int:
        return self.checkpoint.tree_size

    @property
    def issuer_id(self) -> str:
        return self.issuer.id


class HoldingRow(NamedTuple):
    class_code: str
    holder_id: str
    name: str
    address: str
    country: str
    quantity: int
    percentage_of_class: str
    percentage_of_votes: str


class HolderRow(NamedTuple):
    """A member registered before the snapshot's size, with the details on the register now."""

    holder_id: str
    erased: bool
    name: str
    address: str
    country: str
    holder_type: str | None


class LoggedEntry(NamedTuple):
    index: int
    recorded_at: datetime
    kind: str
    data: dict[str, Any]


def percent(part: int, whole: int) -> str:
    """`part` as a percentage of `whole`, four decimals, rounded half up ("0.0000" if whole
    is 0: nothing to be a share of)."""
    if whole <= 0:
        return "0.0000"
    scaled, remainder = divmod(part * _PERCENT_SCALE, whole)
    if 2 * remainder >= whole:
        scaled += 1
    units, fraction = divmod(scaled, 10**PERCENT_PLACES)
    return f"{units}.{fraction:0{PERCENT_PLACES}d}"


# --- which size ----------------------------------------------------------------------------


def find_checkpoint(
    session: Session, issuer_id: str, tree_size: int | None = None, as_of: datetime | None = None
) -> LogCheckpoint:
    """The checkpoint a snapshot is taken at: of size `tree_size`, or the last one signed at or
    before `as_of`, or the latest. Raises LogRangeError beyond the signed log, NoCheckpoint
    where no checkpoint was signed."""
    if tree_size is not None and as_of is not None:
        raise ValueError("give tree_size or as_of, not both")
    if tree_size is not None:
        signed = log.signed_size(session, issuer_id)
        if not 0 < tree_size <= signed:
            raise log.LogRangeError(
                f"tree_size {tree_size} is outside the log's signed size {signed}"
            )
        found = log.checkpoint_at(session, issuer_id, tree_size)
        if found is None:
            raise NoCheckpoint(
                f"no checkpoint was signed at size {tree_size}: checkpoints exist at the size "
                "after each command, and a snapshot in the middle of one would show half of it",
                tree_size=tree_size,
            )
        return found
    if as_of is not None:
        found = log.checkpoint_as_of(session, issuer_id, as_of)
        if found is None:
            raise NoCheckpoint(f"no checkpoint was signed at or before {as_of.isoformat()}")
        return found
    found = log.latest_checkpoint(session, issuer_id)
    if found is None:
        raise NoCheckpoint("this log has no checkpoint yet")
    return found


# --- totals --------------------------------------------------------------------------------


def _as_of(issuer_id: str, tree_size: int, versions: Any = HoldingVersion) -> tuple:
    """The holding versions in force at `tree_size` that hold shares."""
    return (
        versions.issuer_id == issuer_id,
        versions_as_of(tree_size, versions),
        versions.held > 0,
    )


def totals_query(issuer_id: str, tree_size: int) -> Any:
    return (
        select(HoldingVersion.class_code, func.sum(HoldingVersion.held), func.count())
        .where(*_as_of(issuer_id, tree_size))
        .group_by(HoldingVersion.class_code)
    )


def take_snapshot(
    session: Session, issuer_id: str, tree_size: int | None = None, as_of: datetime | None = None
) -> Snapshot:
    """Resolve the size and compute the totals; the rows are streamed by `holdings()`."""
    issuer = get_issuer(session, issuer_id)
    checkpoint = find_checkpoint(session, issuer_id, tree_size, as_of)
    size = checkpoint.tree_size
    totals = {
        code: (issued, count)
        for code, issued, count in session.execute(totals_query(issuer_id, size))
    }
    classes = tuple(
        ClassTotal(
            code=share_class.code,
            name=share_class.name,
            votes_per_share=share_class.votes_per_share,
            par_value=share_class.par_value,
            currency=share_class.currency,
            authorised=share_class.authorised,
            issued=int(totals.get(share_class.code, (0, 0))[0]),
            holder_count=totals.get(share_class.code, (0, 0))[1],
        )
        for share_class in session.scalars(
            select(ShareClass)
            .where(ShareClass.issuer_id == issuer_id, ShareClass.created_index < size)
            .order_by(ShareClass.code)
        )
    )
    return Snapshot(
        issuer=issuer,
        checkpoint=checkpoint,
        classes=classes,
        holder_count=_holder_count(session, issuer_id, size, classes),
        total_votes=sum(share_class.votes for share_class in classes),
    )


def _holder_count(
    session: Session, issuer_id: str, size: int, classes: tuple[ClassTotal, ...]
) -> int:
    """Members holding shares of any class, without a COUNT(DISTINCT) (a sort of every row):
    the largest class's holders, plus, for each other class, its holders found in none of the
    classes counted before it (an index probe per row of the smaller classes)."""
    held = sorted(
        (share_class for share_class in classes if share_class.holder_count),
        key=lambda share_class: -share_class.holder_count,
    )
    count = held[0].holder_count if held else 0
    earlier = aliased(HoldingVersion)
    for position in range(1, len(held)):
        seen_before = (
            select(earlier.holder_id)
            .where(
                *_as_of(issuer_id, size, earlier),
                earlier.class_code.in_([share_class.code for share_class in held[:position]]),
                earlier.holder_id == HoldingVersion.holder_id,
            )
            .exists()
        )
        count += session.scalar(
            select(func.count())
            .select_from(HoldingVersion)
            .where(
                *_as_of(issuer_id, size),
                HoldingVersion.class_code == held[position].code,
                ~seen_before,
            )
        )
    return count


# --- rows ----------------------------------------------------------------------------------


def stream(session: Session, query: Select) -> Iterator[tuple]:
    """Run a Core select in the session's transaction and yield the driver's own tuples,
    `ROWS_PER_FETCH` at a time (a server-side cursor on PostgreSQL). For a million rows,
    building SQLAlchemy Row objects would cost more than the query itself; the selects here
    bind and return only strings and integers, which need no type processing."""
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    driver = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        cursor = driver.cursor(name=f"snapshot_{uuid.uuid4().hex}")
    else:
        cursor = driver.cursor()
    try:
        cursor.execute(compiled.string, params)
        while rows := cursor.fetchmany(ROWS_PER_FETCH):
            yield from rows
    finally:
        cursor.close()


def _details_join() -> Any:
    return and_(
        HolderDetails.issuer_id == HoldingVersion.issuer_id,
        HolderDetails.holder_id == HoldingVersion.holder_id,
    )


def holdings_query(snapshot: Snapshot) -> Any:
    """One query, rows in final order: class code, then name (erased holders, who have no
    name any more, last), then holder_id."""
    return (
        select(
            HoldingVersion.class_code,
            HoldingVersion.holder_id,
            HolderDetails.name,
            HolderDetails.address,
            HolderDetails.country,
            HoldingVersion.held,
        )
        .select_from(HoldingVersion)
        .outerjoin(HolderDetails, _details_join())
        .where(*_as_of(snapshot.issuer_id, snapshot.tree_size))
        .order_by(
            HoldingVersion.class_code,
            HolderDetails.name.asc().nulls_last(),
            HoldingVersion.holder_id,
        )
    )


def holdings(session: Session, snapshot: Snapshot) -> Iterator[HoldingRow]:
    """Stream every holding as of the snapshot's size, with its percentages."""
    for (code, holder_id, name, address, country, held), percentages in with_percentages(
        snapshot, stream(session, holdings_query(snapshot))
    ):
        yield HoldingRow(
            code,
            holder_id,
            ERASED_NAME if name is None else name,
            address or "",
            country or "",
            held,
            *percentages,
        )


def with_percentages(
    snapshot: Snapshot, rows: Iterable[tuple], held_at: int = 5
) -> Iterator[tuple[tuple, tuple[str, str]]]:
    """Each row of a holdings query (class code first, in class order; the quantity held at
    `held_at`) with its percentage of the class and of the votes of all classes."""
    classes = {share_class.code: share_class for share_class in snapshot.classes}
    total_votes = snapshot.total_votes
    current_code, issued, votes_per_share = None, 0, 0
    # Percentages by quantity, per class: registers repeat quantities (the same allotment to
    # many subscribers) and a lookup costs far less than the arithmetic. Bounded in size.
    memo: dict[int, tuple[str, str]] = {}
    for row in rows:
        code, held = row[0], row[held_at]
        if code != current_code:
            share_class = classes[code]
            current_code, issued = code, share_class.issued
            votes_per_share, memo = share_class.votes_per_share, {}
        percentages = memo.get(held)
        if percentages is None:
            percentages = (percent(held, issued), percent(held * votes_per_share, total_votes))
            if len(memo) < PERCENT_MEMO:
                memo[held] = percentages
        yield row, percentages


def registered_holders(session: Session, snapshot: Snapshot) -> Iterator[HolderRow]:
    """Every member registered before the snapshot's size, in holder_id order (streamed)."""
    query = (
        select(
            Holder.holder_id,
            Holder.erased,
            HolderDetails.name,
            HolderDetails.address,
            HolderDetails.country,
            HolderDetails.holder_type,
        )
        .select_from(Holder)
        .outerjoin(
            HolderDetails,
            and_(
                HolderDetails.issuer_id == Holder.issuer_id,
                HolderDetails.holder_id == Holder.holder_id,
            ),
        )
        .where(Holder.issuer_id == snapshot.issuer_id, Holder.registered_index < snapshot.tree_size)
        .order_by(Holder.holder_id)
    )
    for holder_id, erased, name, address, country, holder_type in stream(session, query):
        gone = name is None
        yield HolderRow(
            holder_id,
            erased or gone,
            ERASED_NAME if gone else name,
            address or "",
            country or "",
            holder_type,
        )


def logged_entries(
    session: Session, snapshot: Snapshot, page: int = 1_000
) -> Iterator[LoggedEntry]:
    """The log's entries below the snapshot's size, a page at a time."""
    for start in range(0, snapshot.tree_size, page):
        end = min(start + page, snapshot.tree_size)
        for entry in log.read_entries(session, snapshot.issuer_id, start, end):
            envelope = json.loads(entry.leaf)
            yield LoggedEntry(
                entry.index,
                parse_timestamp(envelope["recorded_at"]),
                envelope["kind"],
                envelope["data"],
            )
