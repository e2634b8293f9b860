"""Benchmark the transfer workflow: instructions through to settlement, next to lodged transfers.

    .venv/bin/python -m bench.transfer_workflow [--engine sqlite|postgresql|both] [--quick]

On a fresh database per engine (bench/common.py's `migrated_database`), two issuers of funded
holders (bench/register_commands.py's `funded_issuer`) receive the same reproducible sequence
of moves:

1. through the workflow, four commands per transfer, each run through `app.commands.command()`
   as the API runs it: `workflow.instruct`, `accept`, `approve` and `settle` (four log entries);
2. as today's lodged transfer, one `transfers.lodge_transfer` command (one log entry).

A lifecycle ends before the next begins, so no instruction waits behind an earlier one.
Figures: transfers per second, commands per second, CPU milliseconds per transfer, and SQL
statements per transfer (by first word, `before_cursor_execute`). Both issuers are replayed
afterwards (`replay_and_compare`), which also rebuilds the instruction table. Progress lines
go to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.commands import command
from app.extensions import db
from app.register.requests import LodgeTransfer
from app.transfers import workflow
from app.transfers.requests import Instruct, Step
from bench.common import Clocks, flask_app, migrated_database, print_table, step
from bench.log_append import environment
from bench.register_commands import (
    ACTOR,
    counting_statements,
    funded_issuer,
    load_average,
    lodge,
    log_size,
    replayed,
    timed_commands,
    transfer_moves,
    transfer_of,
)

STEPS = (workflow.accept, workflow.approve, workflow.settle)


@dataclass(frozen=True)
class Sizes:
    holders: int
    transfers: int
    warmup: int  # untimed transfers before each timed run


FULL = Sizes(holders=500, transfers=1_000, warmup=20)
QUICK = Sizes(holders=100, transfers=150, warmup=5)


def instruction_of(transfer: LodgeTransfer) -> Instruct:
    return Instruct(
        class_code=transfer.class_code,
        from_holder_id=transfer.from_holder_id,
        to_holder_id=transfer.to_holder_id,
        quantity=transfer.quantity,
        risk_acknowledged=True,
    )


def through_workflow(issuer_id: str, transfer: LodgeTransfer) -> None:
    """One instruction to settlement: four commands, as the secretary's API calls make them."""
    with command(ACTOR, issuer_id) as ctx:
        instruction_id = workflow.instruct(ctx, instruction_of(transfer)).instruction_id
    for service in STEPS:
        with command(ACTOR, issuer_id) as ctx:
            service(ctx, Step(instruction_id))


@dataclass(frozen=True)
class Run:
    name: str
    commands_per_transfer: int
    transfers: int
    clocks: Clocks
    statements: Counter  # per transfer
    log_size: int
    replayed: str

    @property
    def rate(self) -> float:
        return self.transfers / self.clocks.wall


def measure(
    name: str, sizes: Sizes, run: Callable[[str, LodgeTransfer], None], commands: int
) -> Run:
    issuer_id, ids = funded_issuer(name.upper().replace(" ", "-"), sizes.holders)
    moves = transfer_moves(sizes.holders, sizes.warmup + sizes.transfers)
    for n, move in enumerate(moves[: sizes.warmup]):
        run(issuer_id, transfer_of(ids, move, n))
    timed = moves[sizes.warmup :]
    step(f"{name}: {len(timed):,} transfers, {commands} command(s) each")
    with counting_statements(db.engine) as counts:
        clocks = timed_commands(name, len(timed), lambda i: run(
            issuer_id, transfer_of(ids, timed[i], sizes.warmup + i)))  # fmt: skip
    per_transfer = Counter({kind: count / len(timed) for kind, count in counts.items()})
    step(f"{name}: replaying the issuer's log")
    return Run(name, commands, len(timed), clocks, per_transfer, log_size(issuer_id),
               replayed(issuer_id))  # fmt: skip


def bench_engine(engine: str, sizes: Sizes) -> tuple[list[Run], list[tuple[str, str]]]:
    with migrated_database(engine) as url, flask_app(url):
        info = [*environment(db.engine), (f"load average at start ({engine})", load_average())]
        step(f"{engine}: two issuers of {sizes.holders:,} funded holders")
        runs = [
            measure("workflow", sizes, through_workflow, 1 + len(STEPS)),
            measure("lodged", sizes, lodge, 1),
        ]
        info.append((f"load average at end ({engine})", load_average()))
    return runs, info


HEADERS = ["engine", "path", "commands", "transfers", "wall s", "transfers/s", "commands/s",
           "CPU ms/transfer", "SQL/transfer", "by kind", "vs lodged", "log size",
           "replay = tables"]  # fmt: skip


def rows(engine: str, runs: Sequence[Run]) -> list[list[str]]:
    lodged = next(run for run in runs if run.name == "lodged")
    table = []
    for run in runs:
        kinds = ", ".join(f"{v:.1f} {k}" for k, v in sorted(run.statements.items()))
        table.append([
            engine, run.name, str(run.commands_per_transfer), f"{run.transfers:,}",
            f"{run.clocks.wall:.2f}", f"{run.rate:,.1f}",
            f"{run.rate * run.commands_per_transfer:,.0f}",
            f"{run.clocks.cpu / run.transfers * 1000:.2f}",
            f"{sum(run.statements.values()):.1f}", kinds, f"{run.rate / lodged.rate:.0%}",
            f"{run.log_size:,}", run.replayed,
        ])  # fmt: skip
    return table


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (under a minute)")
    args = parser.parse_args(argv)
    names = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    sizes = QUICK if args.quick else FULL
    started = time.perf_counter()
    table, info = [], []
    for name in names:
        runs, engine_info = bench_engine(name, sizes)
        info += [item for item in engine_info if item not in info]
        table += rows(name, runs)
    print_table("Environment", ["item", "value"], info)
    print_table("Transfer workflow (instruct, accept, approve, settle) vs a lodged transfer",
                HEADERS, table)  # fmt: skip
    mode = "quick" if args.quick else "full"
    print(f"\ntotal time {time.perf_counter() - started:.0f} s ({mode})")


if __name__ == "__main__":
    main()
