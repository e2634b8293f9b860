"""Benchmark threshold crossings: batch issuance and transfers with and without notices.

    .venv/bin/python -m bench.notices [--engine sqlite|postgresql|both] [--quick]

Two issuers (UK profile: 3% and every 1% above, the most thresholds) get the same holders
(100,000; 10,000 with --quick). On each, one command issues one allocation to every holder
(round 1: nobody held anything before), a second command issues another round, in which the
first holder also gets as many shares as the crowd holds (so the denominator doubles and that
holder crosses thresholds up to 50%), then transfers are lodged one per command. The issuer
"without" runs with the notices' listener and finisher taken off the command hooks, so the
difference is what computing and recording crossings costs. Statements are counted with a
`before_cursor_execute` listener (an executemany counts once): the crossings of a batch take
a fixed handful of queries, however many allocations it has.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from app.models.notices import Notice
from app.notices.crossings import hear_entry, record_crossings
from app.register import context as command_context
from app.register import holdings
from app.register.requests import Allocation, IssueShares
from bench.common import flask_app, migrated_database, print_table, step
from bench.register_commands import (
    CLASS,
    allocations,
    counting_statements,
    issue,
    lodge,
    new_issuer,
    register_holders,
    transfer_of,
)


@dataclass(frozen=True)
class Sizes:
    holders: int
    transfers: int


FULL = Sizes(holders=100_000, transfers=50)
QUICK = Sizes(holders=10_000, transfers=20)


@contextmanager
def notices_off() -> Iterator[None]:
    """The commands in the block run without the notices context's hooks."""
    command_context._ENTRY_LISTENERS.remove(hear_entry)
    command_context._FINISHERS.remove(record_crossings)
    try:
        yield
    finally:
        command_context.listen_to_entries(hear_entry)
        command_context.finish_commands_with(record_crossings)


@dataclass
class Figures:
    seconds: float
    statements: int
    # Of which in the notices' finisher (computing and recording the crossings).
    finisher_seconds: float = 0.0
    finisher_statements: int = 0


@dataclass
class _InFinisher:
    seconds: float = 0.0
    statements: int = 0


_in_finisher = _InFinisher()


def _timed_finisher(ctx) -> None:
    # The batch's buffered holding versions are written by the first statement the finisher
    # runs; without notices they are written at commit. Written here first, they are not
    # counted as the crossings' cost.
    holdings.write_pending(ctx.session)
    with counting_statements(db.engine) as counts:
        started = time.perf_counter()
        record_crossings(ctx)
        _in_finisher.seconds += time.perf_counter() - started
    _in_finisher.statements += sum(counts.values())


@contextmanager
def notices_on() -> Iterator[None]:
    """The commands in the block run with the notices' finisher timed (the machine may be
    busy: the finisher's own seconds are the figure that does not depend on the other run)."""
    finishers = command_context._FINISHERS
    finishers[finishers.index(record_crossings)] = _timed_finisher
    try:
        yield
    finally:
        finishers[finishers.index(_timed_finisher)] = record_crossings


def _measured(run) -> Figures:
    _in_finisher.seconds, _in_finisher.statements = 0.0, 0
    with counting_statements(db.engine) as counts:
        started = time.perf_counter()
        run()
        seconds = time.perf_counter() - started
    total = sum(counts.values())
    return Figures(seconds, total, _in_finisher.seconds, _in_finisher.statements)


def _notices(issuer_id: str) -> int:
    query = select(func.count()).select_from(Notice).where(Notice.issuer_id == issuer_id)
    return db.session.scalar(query)


def _second_round(holder_ids: Sequence[str]) -> IssueShares:
    crowd = allocations(holder_ids, 1).allocations
    whale = Allocation(class_code=CLASS, holder_id=holder_ids[0], quantity=2 * len(holder_ids))
    return IssueShares((*crowd, whale))


def measure(label: str, mode, sizes: Sizes) -> dict[str, Figures | int]:
    issuer_id = new_issuer(f"NOTICES-{label.upper()}")
    holder_ids = register_holders(issuer_id, sizes.holders, 1_000, f"{label}: holders")
    figures: dict[str, Figures | int] = {}
    with mode():
        step(f"{label}: round 1, {sizes.holders:,} allocations")
        figures["round 1"] = _measured(lambda: issue(issuer_id, allocations(holder_ids, 1)))
        step(f"{label}: round 2, {sizes.holders + 1:,} allocations")
        figures["round 2"] = _measured(lambda: issue(issuer_id, _second_round(holder_ids)))
        step(f"{label}: {sizes.transfers} transfers")

        def transfers() -> None:
            for n in range(sizes.transfers):
                lodge(issuer_id, transfer_of(holder_ids, (0, 1 + n, 1 + n), n))

        total = _measured(transfers)
        figures["a transfer"] = Figures(
            total.seconds / sizes.transfers,
            round(total.statements / sizes.transfers),
            total.finisher_seconds / sizes.transfers,
            round(total.finisher_statements / sizes.transfers),
        )
    figures["notices"] = _notices(issuer_id)
    return figures


def run(engine_names: Sequence[str], sizes: Sizes) -> None:
    for engine_name in engine_names:
        step(f"{engine_name}: migrating a fresh database")
        with migrated_database(engine_name) as url, flask_app(url):
            without = measure("without", notices_off, sizes)
            with_notices = measure("with", notices_on, sizes)
        rows = [
            [
                name,
                f"{with_notices[name].seconds:.3f}",
                f"{without[name].seconds:.3f}",
                f"{with_notices[name].finisher_seconds:.3f}",
                f"{with_notices[name].statements:,}",
                f"{without[name].statements:,}",
                f"{with_notices[name].finisher_statements:,}",
            ]
            for name in ("round 1", "round 2", "a transfer")
        ]
        print_table(
            f"{engine_name}: {sizes.holders:,} holders; notices written: "
            f"{with_notices['notices']:,} (without: {without['notices']:,})",
            [
                "command",
                "s with",
                "s without",
                "s in crossings",
                "queries with",
                "queries without",
                "queries in crossings",
            ],
            rows,
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="10,000 holders, not 100,000")
    args = parser.parse_args(argv)
    names = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    started = time.perf_counter()
    run(names, QUICK if args.quick else FULL)
    mode = "quick" if args.quick else "full"
    print(f"\ntotal time {time.perf_counter() - started:.0f} s ({mode})")


if __name__ == "__main__":
    main()
