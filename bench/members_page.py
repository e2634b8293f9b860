"""Benchmark the secretary's members pages on a register of 100,000 members.

    .venv/bin/python -m bench.members_page [--engine sqlite|postgresql|both] [--holders N] [--quick]

The register is bulk-loaded as bench.snapshot loads it (its holders, details and holdings as
the commands would have written them). Each figure is the median of repeated calls of the
query behind a page (app.register.member_search): the first page, a page deep in the register
(after member 90% of the way through), a search by part of a name, a search by a member
number, and the member picker's 20 choices. Target: every one under 200 ms at 100,000.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from app.db import make_engine
from app.ledger import keys, notes
from app.register.member_search import members_page
from bench.common import migrated_database, print_table, step
from bench.snapshot import LOG_ORIGIN, load, plan

PAGE = 50
REPEATS = 5


def _median_ms(call: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_engine(name: str, holders: int) -> list[list[str]]:
    register = plan(holders)
    signer = notes.Signer(name=LOG_ORIGIN, private_key=keys.generate_key())
    step(f"{name}: loading {holders:,} members")
    with migrated_database(name) as url:
        engine = make_engine(url)
        load(engine, register, signer, with_leaves=False)
        issuer_id, a_name = register.issuer_id, register.names[holders // 2].split()[-1]
        deep = int(holders * 0.9)
        cases = {
            "first page": lambda s: members_page(s, issuer_id, "", None, PAGE),
            f"page after No. {deep:,}": lambda s: members_page(s, issuer_id, "", deep, PAGE),
            f"name contains “{a_name}”": lambda s: members_page(s, issuer_id, a_name, None, PAGE),
            f"member No. {deep:,}": lambda s: members_page(s, issuer_id, str(deep), None, PAGE),
            "picker, 20 choices": lambda s: members_page(s, issuer_id, a_name[:3], None, 20),
        }
        rows = []
        try:
            with Session(engine) as session:
                for label, case in cases.items():
                    step(f"{name}: {label}")
                    found = len(case(session).items)
                    took = _median_ms(lambda case=case: case(session))
                    rows.append([name, label, f"{found:,}", f"{took:.1f}"])
        finally:
            engine.dispose()
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--holders", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 members")
    args = parser.parse_args(argv)
    holders = 10_000 if args.quick else args.holders
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    rows = [row for name in engines for row in bench_engine(name, holders)]
    print_table(
        f"Members pages, {holders:,} members (median of {REPEATS} calls)",
        ["engine", "query", "rows", "ms"],
        rows,
    )


if __name__ == "__main__":
    main()
