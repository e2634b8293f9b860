"""Benchmark the register's commands: holder registration, batch issuance, lodged transfers.

    .venv/bin/python -m bench.register_commands [--engine sqlite|postgresql|both] [--quick]
                                                [--profile]

1. Holder registration, N holders per command (`holders.add_holder` after one `lock_issuer`).
2. Batch issuance: one command issuing one allocation to each of those holders (100,000).
3. Settled transfers, one `transfers.lodge_transfer` per command, next to plain SQL writing the
   same rows in the same transaction shape (leaf, completed nodes, checkpoint, log state, two
   new holding versions and the two they close), with every row computed beforehand.

Every command runs through `app.unit_of_work.command()` on a real app, as the API does. After
the timing, the transfer issuers are replayed (`replay_and_compare`), which also proves the plain
SQL wrote what the appliers would. --profile adds cProfile listings of an issuance and of the
transfers. PostgreSQL and progress lines as in bench/log_append.py.
"""

from __future__ import annotations

import argparse
import cProfile
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.ledger import merkle, notes
from app.ledger.canonical import canonical_bytes, envelope
from app.ledger.log import Ledger, get_state, split_hashes
from app.models.register import HoldingVersion
from app.register import classes, holders, issuance, issuers, transfers
from app.register.replay import check_invariants, replay_and_compare
from app.unit_of_work import command, current_ledger
from bench.common import Progress, flask_app, migrated_database, print_profile, print_table, step
from bench.log_append import (
    INSERT_CHECKPOINT,
    UPDATE_STATE,
    RawWriter,
    Rows,
    environment,
    timed_loop,
)

ACTOR = "user:bench"
CLASS = "ORD"
ISSUANCE_TARGET_S = {"sqlite": 5.0, "postgresql": 10.0}  # for 100,000 allocations
TARGET_ALLOCATIONS = 100_000
TRANSFER_RATIO_TARGET = 0.50  # ours / plain SQL
START_HOLDING = 10_000  # shares each transfer holder starts with


@dataclass(frozen=True)
class Sizes:
    holders: int  # registered, then each given one allocation in a single command
    holders_per_command: int
    transfer_holders: int
    transfers: int
    warmup: int  # untimed commands before each timed run


FULL = Sizes(holders=100_000, holders_per_command=1_000, transfer_holders=1_000,
             transfers=2_000, warmup=20)  # fmt: skip
QUICK = Sizes(holders=10_000, holders_per_command=1_000, transfer_holders=200,
              transfers=300, warmup=5)  # fmt: skip


# --- the commands, as the API runs them ------------------------------------------------------


def new_issuer(name: str) -> str:
    fields = {"legal_name": f"{name} plc", "registration_number": name, "jurisdiction": "GB"}
    with command() as (session, ledger):
        issuer_id = issuers.register_issuer(session, ledger, ACTOR, fields).id
        classes.create_class(session, ledger, ACTOR, issuer_id, {
            "code": CLASS, "name": "Ordinary shares", "par_value": "0.01", "currency": "GBP",
            "authorised": None,
        })  # fmt: skip
    return issuer_id


def holder_details(n: int) -> dict[str, Any]:
    return {
        "name": f"Investor {n}",
        "address": f"{n} Crowd Street, London",
        "identifier": f"GB-BENCH-{n:08d}",
        "country": "GB",
        "holder_type": "person",
        "email": f"investor{n}@example.test",
        "joint_holders": [],
    }


def add_holders(issuer_id: str, first: int, count: int) -> list[str]:
    """One command registering `count` holders."""
    with command() as (session, ledger):
        issuers.lock_issuer(session, ledger, issuer_id)
        return [
            holders.add_holder(session, ledger, ACTOR, issuer_id, holder_details(n)).holder_id
            for n in range(first, first + count)
        ]


def register_holders(issuer_id: str, count: int, per_command: int, label: str) -> list[str]:
    ids: list[str] = []
    progress = Progress(label, count)
    for first in range(0, count, per_command):
        ids += add_holders(issuer_id, first, min(per_command, count - first))
        progress.update(len(ids))
    progress.done()
    return ids


def allocations(holder_ids: Sequence[str], quantity: int) -> list[dict[str, Any]]:
    return [
        {"class": CLASS, "holder_id": holder_id, "quantity": quantity, "price_per_share": "0.50",
         "currency": "GBP", "reference": f"crowd round 1 / {n}"}
        for n, holder_id in enumerate(holder_ids)
    ]  # fmt: skip


@dataclass(frozen=True)
class Split:
    """Seconds spent inside the service, and sealing plus committing after it."""

    service: float
    total: float

    @property
    def seal_commit(self) -> float:
        return self.total - self.service


def issue(issuer_id: str, batch: list[dict[str, Any]]) -> Split:
    started = time.perf_counter()
    with command() as (session, ledger):
        issuance.issue_shares(session, ledger, ACTOR, issuer_id, batch)
        service = time.perf_counter() - started
    return Split(service, time.perf_counter() - started)


def lodge(issuer_id: str, transfer: dict[str, Any]) -> None:
    with command() as (session, ledger):
        transfers.lodge_transfer(session, ledger, ACTOR, issuer_id, transfer)


def funded_issuer(name: str, holder_count: int) -> tuple[str, list[str]]:
    """An issuer whose `holder_count` holders each hold START_HOLDING shares."""
    issuer_id = new_issuer(name)
    ids = add_holders(issuer_id, 0, holder_count)
    issue(issuer_id, allocations(ids, START_HOLDING))
    return issuer_id, ids


# --- transfers: a reproducible sequence, and its plain-SQL rows ------------------------------

Move = tuple[int, int, int]  # from holder number, to holder number, quantity


def transfer_moves(holder_count: int, count: int, seed: int = 7) -> list[Move]:
    rng = random.Random(seed)
    return [(*rng.sample(range(holder_count), 2), rng.randint(1, 100)) for _ in range(count)]


def transfer_of(ids: Sequence[str], move: Move, n: int) -> dict[str, Any]:
    source, target, quantity = move
    return {"class": CLASS, "from_holder_id": ids[source], "to_holder_id": ids[target],
            "quantity": quantity, "instrument_reference": f"stock transfer form {n}"}  # fmt: skip


def settled_data(transfer: dict[str, Any]) -> dict[str, str]:
    """The data `transfers.settle_transfer` logs (no consideration)."""
    return {**transfer, "quantity": str(transfer["quantity"])}


OPEN_VERSION = (
    "INSERT INTO holding_versions (issuer_id, class_code, holder_id, from_index, to_index, held,"
    " frozen, pledged, reserved) VALUES (%s, %s, %s, %s, NULL, %s, 0, 0, 0)"
)
CLOSE_VERSION = (
    "UPDATE holding_versions SET to_index = %s"
    " WHERE issuer_id = %s AND class_code = %s AND holder_id = %s AND from_index = %s"
)


@dataclass
class PlainTransfer:
    rows: Rows
    checkpoint: tuple[Any, ...]
    state: tuple[Any, ...]
    opens: list[tuple[Any, ...]]
    closes: list[tuple[Any, ...]]

    @property
    def statements(self) -> int:
        return 4 + len(self.rows.leaves) + len(self.rows.nodes) + len(self.opens) + len(
            self.closes
        )  # BEGIN, checkpoint, state, COMMIT


def current_versions(session: Session, issuer_id: str) -> dict[str, tuple[int, int]]:
    """holder_id -> (from_index, held) of each current holding."""
    rows = session.execute(
        select(HoldingVersion.holder_id, HoldingVersion.from_index, HoldingVersion.held).where(
            HoldingVersion.issuer_id == issuer_id, HoldingVersion.to_index.is_(None)
        )
    )
    return {row.holder_id: (row.from_index, row.held) for row in rows}


def plan_plain_transfers(
    writer: RawWriter, ledger: Ledger, issuer_id: str, ids: Sequence[str], moves: list[Move]
) -> list[PlainTransfer]:
    """Every row the plain-SQL run writes: what the ledger and the appliers would write."""
    with Session(bind=db.engine) as session:
        state = get_state(session, issuer_id)
        origin, size, frontier = state.origin, state.tree_size, split_hashes(state.frontier)
        versions = current_versions(session, issuer_id)
    now = ledger.clock()
    created_at = writer.created_at(now)
    plan = []
    for n, move in enumerate(moves):
        index = size + n
        data = settled_data(transfer_of(ids, move, n))
        leaf = canonical_bytes(envelope(origin=origin, index=index, recorded_at=now,
                                        kind="transfer.settled", actor=ACTOR, data=data))  # fmt: skip
        digest = merkle.leaf_hash(leaf)
        frontier, completed = merkle.frontier_append(frontier, index, digest)
        root = merkle.frontier_root(frontier)
        note = notes.sign_note(notes.format_checkpoint(notes.Checkpoint(origin, index + 1, root)),
                               ledger.signers)  # fmt: skip
        opens, closes = [], []
        for holder_id, delta in ((data["from_holder_id"], -move[2]), (data["to_holder_id"], move[2])):
            from_index, held = versions[holder_id]
            closes.append((index, issuer_id, CLASS, holder_id, from_index))
            opens.append((issuer_id, CLASS, holder_id, index, held + delta))
            versions[holder_id] = (index, held + delta)
        plan.append(PlainTransfer(
            rows=Rows([(issuer_id, index, leaf, digest)],
                      [(issuer_id, node.level, node.index, h) for node, h in completed], frontier),
            checkpoint=(issuer_id, index + 1, root, note, created_at),
            state=(index + 1, root, b"".join(frontier), index + 1, issuer_id),
            opens=opens, closes=closes,
        ))  # fmt: skip
    return plan


def write_plain(writer: RawWriter, transfer: PlainTransfer) -> None:
    writer.begin()
    writer.insert_rows(transfer.rows)
    writer.execute(INSERT_CHECKPOINT, transfer.checkpoint)
    writer.execute(UPDATE_STATE, transfer.state)
    for row in transfer.opens:
        writer.execute(OPEN_VERSION, row)
    for row in transfer.closes:
        writer.execute(CLOSE_VERSION, row)
    writer.commit()


# --- measuring -------------------------------------------------------------------------------


@contextmanager
def counting_statements(engine: Engine) -> Iterator[Counter]:
    """Count the SQL statements the engine runs, by their first word."""
    counts: Counter = Counter()

    def count(_conn, _cursor, statement: str, *_args) -> None:
        counts[statement.split(None, 1)[0].upper()] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(engine, "before_cursor_execute", count)


@dataclass(frozen=True)
class Results:
    engine: str
    holders: int
    holders_per_command: int
    holder_seconds: float
    issuance: Split
    transfers: int
    transfer_seconds: float
    plain_seconds: float
    statements: Counter  # ours, per transfer
    plain_statements: float  # per transfer


def measure_holders_and_issuance(sizes: Sizes) -> tuple[float, Split]:
    step(f"warm-up issuer ({sizes.warmup * 10:,} holders, one issuance)")
    funded_issuer("WARMUP", sizes.warmup * 10)
    issuer_id = new_issuer("CROWD")
    step(f"registering {sizes.holders:,} holders, {sizes.holders_per_command:,} per command")
    started = time.perf_counter()
    ids = register_holders(issuer_id, sizes.holders, sizes.holders_per_command, "holders")
    holder_seconds = time.perf_counter() - started
    step(f"issuing {len(ids):,} allocations in one command")
    split = issue(issuer_id, allocations(ids, 100))
    with Session(bind=db.engine) as session:
        check_invariants(session, issuer_id)
    return holder_seconds, split


def measure_transfers(sizes: Sizes) -> tuple[float, float, Counter, float]:
    n = sizes.transfer_holders
    step(f"transfers: two issuers of {n:,} funded holders")
    ours_id, ours_holders = funded_issuer("TRANSFERS", n)
    plain_id, plain_holders = funded_issuer("PLAIN", n)
    moves = transfer_moves(n, sizes.warmup + sizes.transfers)
    for i, move in enumerate(moves[: sizes.warmup]):
        lodge(ours_id, transfer_of(ours_holders, move, i))
    timed = moves[sizes.warmup :]
    step(f"{len(timed):,} lodged transfers, one per command")
    with counting_statements(db.engine) as counts:
        ours = timed_loop("ours", len(timed), 1, lambda i: lodge(
            ours_id, transfer_of(ours_holders, timed[i], sizes.warmup + i)))  # fmt: skip
    writer = RawWriter(db.engine)
    try:
        plan = plan_plain_transfers(writer, current_ledger(), plain_id, plain_holders, moves)
        for transfer in plan[: sizes.warmup]:
            write_plain(writer, transfer)
        step(f"{len(timed):,} plain-SQL transfers, one per transaction")
        rest = plan[sizes.warmup :]
        plain = timed_loop("plain SQL", len(rest), 1, lambda i: write_plain(writer, rest[i]))
    finally:
        writer.close()
    step("checking: a command on top of the plain rows, then replaying both issuers")
    lodge(plain_id, transfer_of(plain_holders, (0, 1, 1), len(moves)))  # seal checks the nodes
    with Session(bind=db.engine) as session:
        for issuer_id in (ours_id, plain_id):
            replay_and_compare(session, issuer_id)
    per_transfer = Counter({k: v / len(timed) for k, v in counts.items()})
    return ours, plain, per_transfer, sum(t.statements for t in rest) / len(rest)


def profile(sizes: Sizes) -> None:
    """cProfile listings of one issuance command and of lodged transfers (not timed runs)."""
    issuer_id = new_issuer("PROFILED")
    step(f"profile: registering {sizes.holders:,} more holders (untimed)")
    ids = register_holders(issuer_id, sizes.holders, sizes.holders_per_command, "holders")
    profiler = cProfile.Profile()
    profiler.runcall(issue, issuer_id, allocations(ids, 100))
    print_profile(f"issuance of {len(ids):,} allocations in one command", profiler)
    transfer_id, transfer_ids = funded_issuer("PROFILED-TRANSFERS", sizes.transfer_holders)
    moves = transfer_moves(sizes.transfer_holders, sizes.transfers, seed=11)
    profiler = cProfile.Profile()
    for n, move in enumerate(moves):
        profiler.runcall(lodge, transfer_id, transfer_of(transfer_ids, move, n))
    print_profile(f"{len(moves):,} lodged transfers, one per command", profiler)


def bench_engine(name: str, sizes: Sizes, with_profile: bool) -> tuple[Results, list]:
    with migrated_database(name) as url, flask_app(url):
        info = environment(db.engine)
        holder_seconds, split = measure_holders_and_issuance(sizes)
        ours, plain, counts, plain_statements = measure_transfers(sizes)
        if with_profile:
            profile(sizes)
    results = Results(name, sizes.holders, sizes.holders_per_command, holder_seconds, split,
                      sizes.transfers, ours, plain, counts, plain_statements)  # fmt: skip
    return results, info


# --- reporting -------------------------------------------------------------------------------


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


COMMAND_HEADERS = ["engine", "measurement", "items", "seconds", "items/s", "target", "met"]
ISSUANCE_HEADERS = ["engine", "allocations", "in service s", "seal+commit s", "total s",
                    "allocations/s", "100k projected s"]  # fmt: skip
TRANSFER_HEADERS = ["engine", "transfers", "ours/s", "plain SQL/s", "ours/plain", "target",
                    "met", "SQL/transfer ours", "plain"]  # fmt: skip


def issuance_target(r: Results) -> tuple[str, bool]:
    limit = ISSUANCE_TARGET_S[r.engine]
    projected = r.issuance.total * TARGET_ALLOCATIONS / r.holders
    return f"100k <= {limit:g} s", projected <= limit


def command_rows(r: Results) -> list[list[str]]:
    target, met = issuance_target(r)
    return [
        [r.engine, f"holder registration, {r.holders_per_command:,}/command", f"{r.holders:,}",
         f"{r.holder_seconds:.2f}", f"{r.holders / r.holder_seconds:,.0f}", "(none)", "n/a"],
        [r.engine, "batch issuance, 1 command", f"{r.holders:,}", f"{r.issuance.total:.2f}",
         f"{r.holders / r.issuance.total:,.0f}", target, _yes(met)],
        [r.engine, "lodged transfers, 1/command", f"{r.transfers:,}",
         f"{r.transfer_seconds:.2f}", f"{r.transfers / r.transfer_seconds:,.0f}", "(none)", "n/a"],
    ]  # fmt: skip


def issuance_rows(r: Results) -> list[list[str]]:
    s = r.issuance
    return [[r.engine, f"{r.holders:,}", f"{s.service:.2f}", f"{s.seal_commit:.2f}",
             f"{s.total:.2f}", f"{r.holders / s.total:,.0f}",
             f"{s.total * TARGET_ALLOCATIONS / r.holders:.2f}"]]  # fmt: skip


def transfer_rows(r: Results) -> list[list[str]]:
    ours, plain = r.transfers / r.transfer_seconds, r.transfers / r.plain_seconds
    statements = ", ".join(f"{v:.1f} {k}" for k, v in sorted(r.statements.items()))
    return [[r.engine, f"{r.transfers:,}", f"{ours:,.0f}", f"{plain:,.0f}", f"{ours / plain:.0%}",
             f"ours/plain >= {TRANSFER_RATIO_TARGET:.0%}",
             _yes(ours / plain >= TRANSFER_RATIO_TARGET),
             f"{sum(r.statements.values()):.1f} ({statements})", f"{r.plain_statements:.1f}"]]  # fmt: skip


def print_results(results: Sequence[Results], title: str = "") -> None:
    def rows(make: Callable[[Results], list[list[str]]]) -> list[list[str]]:
        return [row for r in results for row in make(r)]

    print_table(f"Register commands{title}", COMMAND_HEADERS, rows(command_rows))
    print_table(f"Batch issuance, one command{title}", ISSUANCE_HEADERS, rows(issuance_rows))
    print_table(f"Lodged transfers vs plain SQL, one per transaction{title}", TRANSFER_HEADERS,
                rows(transfer_rows))  # fmt: skip


def run(engine_names: Sequence[str], sizes: Sizes, with_profile: bool) -> None:
    info: list[tuple[str, str]] = []
    results = []
    for name in engine_names:
        result, engine_info = bench_engine(name, sizes, with_profile)
        info += [item for item in engine_info if item not in info]
        results.append(result)
        print_results([result], f" ({name})")
    print_table("Environment", ["item", "value"], info)
    print_results(results)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (under 2 minutes)")
    parser.add_argument("--profile", action="store_true", help="add cProfile listings")
    args = parser.parse_args(argv)
    names = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    started = time.perf_counter()
    run(names, QUICK if args.quick else FULL, args.profile)
    mode = "quick" if args.quick else "full"
    print(f"\ntotal time {time.perf_counter() - started:.0f} s ({mode})")


if __name__ == "__main__":
    main()
