"""Rebuild an issuer's register from its log alone and compare it with the stored tables.

The log is replayed through the same appliers the commands use, into an empty scratch SQLite
database; then every log-derived table is compared row by row, in primary-key order, so memory
stays flat however large the register.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, inspect, select
from sqlalchemy.orm import Session

from app.db import Base, make_engine
from app.ledger.canonical import parse_timestamp
from app.ledger.log import read_entries, signed_size
from app.models.disclosures import Disclosure, DisclosureAttachment
from app.models.issuer import Issuer
from app.models.notices import Notice
from app.models.register import (
    Distribution,
    Entitlement,
    FractionSettlement,
    Holder,
    HoldingVersion,
    Pledge,
    ShareClass,
    TransferInstrument,
)
from app.models.transfers import (
    InstructionTransition,
    IssuanceLockup,
    PreEmptionOffer,
    PreEmptionOfferee,
    TransferInstruction,
    TransferRules,
    TransferRulesVersion,
    TransferSettings,
)
from app.register import holdings
from app.register.appliers import APPLIERS
from app.register.projection import Applied, UnknownKind, apply_entry
from app.register.queries import current_versions

# Every table that is a function of the log, in an order that satisfies foreign keys.
LOG_DERIVED = (
    Issuer,
    ShareClass,
    Holder,
    HoldingVersion,
    Pledge,
    Distribution,
    Entitlement,
    FractionSettlement,
    TransferInstrument,
    TransferSettings,
    TransferInstruction,
    InstructionTransition,
    PreEmptionOffer,
    PreEmptionOfferee,
    TransferRules,
    TransferRulesVersion,
    IssuanceLockup,
    Notice,
    Disclosure,
    DisclosureAttachment,
)
BATCH = 2_000


class ReplayMismatch(Exception):
    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class ReplayReport:
    entries: int
    rows_compared: int


def _issuer_column(model: type) -> str:
    return "id" if model is Issuer else "issuer_id"


def _rows(session: Session, model: type, issuer_id: str) -> Iterator[tuple]:
    mapper = inspect(model)
    columns = [column for column in mapper.columns]
    keys = list(mapper.primary_key)
    query = (
        select(*columns)
        .where(getattr(model, _issuer_column(model)) == issuer_id)
        .order_by(*keys)
        .execution_options(yield_per=BATCH)
    )
    for row in session.execute(query):
        yield tuple(row)


def replay_into(
    scratch: Session,
    live: Session,
    issuer_id: str,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    size = signed_size(live, issuer_id)
    for start in range(0, size, BATCH):
        batch = [
            Applied(
                issuer_id=issuer_id,
                index=entry.index,
                recorded_at=parse_timestamp(envelope["recorded_at"]),
                kind=envelope["kind"],
                data=envelope["data"],
            )
            for entry in read_entries(live, issuer_id, start, min(start + BATCH, size))
            for envelope in (json.loads(entry.leaf),)
        ]
        # Per-entry holdings.current() SELECTs were 87% of the replay; read the batch's
        # holdings in a few queries first. A holding this misses is still read on demand.
        holdings.preload(scratch, issuer_id, _holding_keys(batch))
        for applied in batch:
            try:
                apply_entry(APPLIERS, scratch, applied)
            except UnknownKind as error:
                raise ReplayMismatch(str(error), applied.index) from error
            except Exception as error:
                raise ReplayMismatch(
                    f"replaying {applied.kind} failed: {error}", applied.index
                ) from error
        # Commit each batch: the scratch database's journal then holds one batch, not the log;
        # committing also drops the transaction caches. Detach what was written, so memory
        # stays flat however long the log.
        scratch.commit()
        scratch.expunge_all()
        if progress:
            progress(min(start + BATCH, size), size)
    return size


_CLASS_FIELDS = ("class", "from_class", "to_class")
_HOLDER_FIELDS = ("holder_id", "from_holder_id", "to_holder_id")


def _holding_keys(batch: list[Applied]) -> Iterator[tuple[str, str]]:
    for applied in batch:
        data = applied.data
        codes = [data[name] for name in _CLASS_FIELDS if isinstance(data.get(name), str)]
        holders = [data[name] for name in _HOLDER_FIELDS if isinstance(data.get(name), str)]
        for code in codes:
            for holder_id in holders:
                yield code, holder_id


def compare(scratch: Session, live: Session, issuer_id: str) -> int:
    compared = 0
    for model in LOG_DERIVED:
        names = [column.key for column in inspect(model).columns]
        expected_rows, stored_rows = _rows(scratch, model, issuer_id), _rows(live, model, issuer_id)
        while True:
            expected, stored = next(expected_rows, None), next(stored_rows, None)
            if expected is None and stored is None:
                break
            if expected != stored:
                raise ReplayMismatch(_describe(model.__tablename__, names, expected, stored))
            compared += 1
    return compared


def _describe(table: str, names: list[str], expected: tuple | None, stored: tuple | None) -> str:
    def named(values: tuple) -> dict:
        return dict(zip(names, values, strict=True))

    if stored is None:
        return f"{table}: the log implies a row the table lacks: {named(expected)}"
    if expected is None:
        return f"{table}: the table has a row the log does not imply: {named(stored)}"
    differing = {
        name: {"log": want, "table": have}
        for name, want, have in zip(names, expected, stored, strict=True)
        if want != have
    }
    return f"{table}: row {named(stored)} differs from the log: {differing}"


def replay_and_compare(
    live: Session, issuer_id: str, progress: Callable[[int, int], None] | None = None
) -> ReplayReport:
    with tempfile.TemporaryDirectory() as folder:
        engine = _scratch_engine(Path(folder) / "replay.sqlite3")
        try:
            with Session(engine) as scratch:
                entries = replay_into(scratch, live, issuer_id, progress)
                scratch.commit()
                rows = compare(scratch, live, issuer_id)
        finally:
            engine.dispose()
    check_invariants(live, issuer_id)
    return ReplayReport(entries=entries, rows_compared=rows)


def _scratch_engine(path: Path) -> Engine:
    """An empty SQLite database with the log-derived tables, tuned for being thrown away.

    The app's pragmas make every commit durable (synchronous=FULL: 95 ms a commit on a busy
    disk here); a scratch copy needs none of that, so each batch commits without an fsync and
    the rollback journal stays in memory, bounded by the batch. The secondary indexes serve
    the app's reads, not the appliers' (they look rows up by primary key) nor the comparison
    (primary-key order), so they are left out: each insert maintains one B-tree, not three."""
    engine = make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def throwaway(dbapi_connection: Any, _record: Any) -> None:
        # Runs after make_engine's own connect hook, so these settings win.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = MEMORY")
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()

    tables = [model.__table__ for model in LOG_DERIVED]
    Base.metadata.create_all(engine, tables=tables)
    with engine.begin() as connection:
        for table in tables:
            for index in table.indexes:
                index.drop(connection)
    return engine


def check_invariants(session: Session, issuer_id: str) -> None:
    """Per class, issued equals the sum of current holdings; no bucket is negative."""
    sums = dict(
        session.execute(
            select(HoldingVersion.class_code, func.sum(HoldingVersion.held))
            .where(HoldingVersion.issuer_id == issuer_id, current_versions())
            .group_by(HoldingVersion.class_code)
        ).all()
    )
    for share_class in session.scalars(select(ShareClass).where(ShareClass.issuer_id == issuer_id)):
        held = sums.get(share_class.code) or 0
        if held != share_class.issued:
            raise ReplayMismatch(
                f"class {share_class.code}: {share_class.issued} issued but {held} held"
            )
    negative = session.scalar(
        select(func.count())
        .select_from(HoldingVersion)
        .where(
            HoldingVersion.issuer_id == issuer_id,
            (HoldingVersion.held < 0)
            | (HoldingVersion.frozen < 0)
            | (HoldingVersion.pledged < 0)
            | (HoldingVersion.reserved < 0)
            | (
                HoldingVersion.held
                < HoldingVersion.frozen + HoldingVersion.pledged + HoldingVersion.reserved
            ),
        )
    )
    if negative:
        raise ReplayMismatch(f"{negative} holding versions are negative or over-committed")
