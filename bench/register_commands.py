"""Benchmark the register's commands: holder registration, batch issuance, lodged transfers.

    .venv/bin/python -m bench.register_commands [--engine sqlite|postgresql|both] [--quick]
                                                [--profile]

1. Holder registration, 1,000 holders per command (`holders.register_holder`).
2. Batch issuance: one command issuing one allocation to each of those holders (100,000),
   split into the time in `issue_shares` and in sealing plus committing.
3. Lodged transfers on that issuer afterwards, whose log is then large (200,000 entries).
4. Lodged transfers on a small issuer, one `transfers.lodge_transfer` per command, next to plain
   SQL writing the same rows in the same transaction shape (leaf, completed nodes, checkpoint,
   log state, two new holding versions and the two they close), every row computed beforehand.

Every command runs through `app.commands.command()` on a real app, as the API does. Wall
seconds come with the process's CPU seconds (the machine may be busy; on PostgreSQL the server's
work is not in them) and, for the issuance, the seconds spent in CPython's cyclic collector.
Statements are counted per command (`before_cursor_execute`) for the batch and for a transfer,
and the five functions with the most own time (cProfile) are listed for a second batch on the
crowd (one more allocation to each holder, profiled, not timed) and for one transfer.
After the timing, both transfer issuers are replayed (`replay_and_compare`), which also proves
that the plain SQL wrote what the appliers would. --profile adds cProfile listings of an
issuance and of transfers. PostgreSQL and progress lines as in bench/log_append.py.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from app.commands import command, current_ledger
from app.extensions import db
from app.ledger import merkle, notes
from app.ledger.canonical import canonical_bytes, envelope
from app.ledger.log import Ledger, checkpoint_extensions, get_state, split_hashes
from app.models.register import HoldingVersion
from app.register import classes, holders, issuance, issuers, transfers
from app.register.replay import ReplayMismatch, check_invariants, replay_and_compare
from app.register.requests import (
    Allocation,
    CreateClass,
    HolderDetails,
    IssueShares,
    LodgeTransfer,
    RegisterHolder,
    RegisterIssuer,
)
from bench.common import (
    COST_CENTRE_HEADERS,
    Clocks,
    Progress,
    clocked,
    flask_app,
    migrated_database,
    print_profile,
    print_table,
    step,
    top_cost_centres,
)
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
    crowd_transfers: int  # lodged on the crowd issuer afterwards, whose log is large
    warmup: int  # untimed commands before each timed run


FULL = Sizes(holders=100_000, holders_per_command=1_000, transfer_holders=1_000,
             transfers=2_000, crowd_transfers=200, warmup=20)  # fmt: skip
QUICK = Sizes(holders=10_000, holders_per_command=1_000, transfer_holders=200,
              transfers=300, crowd_transfers=50, warmup=5)  # fmt: skip


# --- the commands, as the API runs them ------------------------------------------------------


def new_issuer(name: str) -> str:
    request = RegisterIssuer(legal_name=f"{name} plc", registration_number=name, jurisdiction="GB")
    with command(ACTOR) as ctx:
        issuer_id = issuers.register_issuer(ctx, request).id
        classes.create_class(ctx, CreateClass(
            code=CLASS, name="Ordinary shares", par_value=Decimal("0.01"), currency="GBP",
        ))  # fmt: skip
    return issuer_id


def holder_details(n: int) -> HolderDetails:
    return HolderDetails(
        name=f"Investor {n}",
        address=f"{n} Crowd Street, London",
        identifier=f"GB-BENCH-{n:08d}",
        country="GB",
        holder_type="person",
        email=f"investor{n}@example.test",
    )


def add_holders(issuer_id: str, first: int, count: int) -> list[str]:
    """One command registering `count` holders."""
    with command(ACTOR, issuer_id) as ctx:
        return [
            holders.register_holder(ctx, RegisterHolder(holder_details(n))).holder_id
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


def allocations(holder_ids: Sequence[str], quantity: int) -> IssueShares:
    price = Decimal("0.50")
    return IssueShares(tuple(
        Allocation(class_code=CLASS, holder_id=holder_id, quantity=quantity,
                   price_per_share=price, currency="GBP", reference=f"crowd round 1 / {n}")
        for n, holder_id in enumerate(holder_ids)
    ))  # fmt: skip


@dataclass(frozen=True)
class Split:
    """One command's seconds: in the service, then sealing and committing; CPU and collector
    seconds of the whole."""

    service: float
    clocks: Clocks

    @property
    def seal_commit(self) -> float:
        return self.clocks.wall - self.service


def issue(issuer_id: str, batch: IssueShares) -> Split:
    with clocked() as clocks:
        started = time.perf_counter()
        with command(ACTOR, issuer_id) as ctx:
            issuance.issue_shares(ctx, batch)
            service = time.perf_counter() - started
    return Split(service, clocks)


def lodge(issuer_id: str, transfer: LodgeTransfer) -> None:
    with command(ACTOR, issuer_id) as ctx:
        transfers.lodge_transfer(ctx, transfer)


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


def transfer_of(ids: Sequence[str], move: Move, n: int) -> LodgeTransfer:
    source, target, quantity = move
    return LodgeTransfer(
        class_code=CLASS,
        from_holder_id=ids[source],
        to_holder_id=ids[target],
        quantity=quantity,
        instrument_reference=f"stock transfer form {n}",
    )


def settled_data(transfer: LodgeTransfer) -> dict[str, str]:
    """The data `transfers.lodge_transfer` logs (no consideration)."""
    return {"class": transfer.class_code, "from_holder_id": transfer.from_holder_id,
            "to_holder_id": transfer.to_holder_id, "quantity": str(transfer.quantity),
            "instrument_reference": transfer.instrument_reference}  # fmt: skip


OPEN_VERSION = (
    "INSERT INTO holding_versions (issuer_id, class_code, holder_id, from_index, to_index, held,"
    " frozen, pledged, reserved) VALUES (%s, %s, %s, %s, NULL, %s, 0, 0, 0)"
)
INSTRUMENT = (
    "INSERT INTO transfer_instruments (issuer_id, log_index, instrument_reference, reused)"
    " VALUES (%s, %s, %s, %s)"
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
    instrument: tuple[Any, ...]

    @property
    def statements(self) -> int:
        rows = len(self.rows.leaves) + len(self.rows.nodes) + len(self.opens) + len(self.closes)
        return rows + 5  # BEGIN, checkpoint, state, instrument, COMMIT


@dataclass
class PlainLog:
    """What the plain-SQL run tracks between transfers: the tree and the current versions."""

    issuer_id: str
    origin: str
    size: int
    frontier: list[bytes]
    versions: dict[str, tuple[int, int]]  # holder_id -> (from_index, held) of the current one


def plain_log(issuer_id: str) -> PlainLog:
    with Session(bind=db.engine) as session:
        state = get_state(session, issuer_id)
        rows = session.execute(
            select(HoldingVersion.holder_id, HoldingVersion.from_index, HoldingVersion.held).where(
                HoldingVersion.issuer_id == issuer_id, HoldingVersion.to_index.is_(None)
            )
        )
        versions = {row.holder_id: (row.from_index, row.held) for row in rows}
        return PlainLog(issuer_id, state.origin, state.tree_size, split_hashes(state.frontier),
                        versions)  # fmt: skip


def plain_transfer(log: PlainLog, ledger: Ledger, data: dict[str, str], created_at: Any,
                   now: datetime) -> PlainTransfer:  # fmt: skip
    """The rows of one settled transfer, as the ledger and the applier would write them."""
    index, issuer_id = log.size, log.issuer_id
    leaf = canonical_bytes(envelope(origin=log.origin, index=index, recorded_at=now,
                                    kind="transfer.settled", actor=ACTOR, data=data))  # fmt: skip
    digest = merkle.leaf_hash(leaf)
    log.frontier, completed = merkle.frontier_append(log.frontier, index, digest)
    log.size = index + 1
    root = merkle.frontier_root(log.frontier)
    extensions = checkpoint_extensions(previous=index)  # one entry per command
    body = notes.format_checkpoint(notes.Checkpoint(log.origin, log.size, root, extensions))
    quantity = int(data["quantity"])
    opens, closes = [], []
    for holder_id, delta in ((data["from_holder_id"], -quantity), (data["to_holder_id"], quantity)):
        from_index, held = log.versions[holder_id]
        closes.append((index, issuer_id, CLASS, holder_id, from_index))
        opens.append((issuer_id, CLASS, holder_id, index, held + delta))
        log.versions[holder_id] = (index, held + delta)
    nodes = [(issuer_id, node.level, node.index, h) for node, h in completed]
    return PlainTransfer(
        rows=Rows([(issuer_id, index, leaf, digest)], nodes, log.frontier),
        checkpoint=(issuer_id, log.size, root, notes.sign_note(body, ledger.signers), created_at),
        state=(log.size, root, b"".join(log.frontier), log.size, issuer_id),
        opens=opens,
        closes=closes,
        instrument=(issuer_id, index, data["instrument_reference"], False),
    )


def plan_plain_transfers(
    writer: RawWriter, ledger: Ledger, issuer_id: str, ids: Sequence[str], moves: list[Move]
) -> list[PlainTransfer]:
    """Every row the plain-SQL run writes, computed beforehand."""
    log, now = plain_log(issuer_id), ledger.clock()
    created_at = writer.created_at(now)
    return [
        plain_transfer(log, ledger, settled_data(transfer_of(ids, move, n)), created_at, now)
        for n, move in enumerate(moves)
    ]


def write_plain(writer: RawWriter, transfer: PlainTransfer) -> None:
    writer.begin()
    writer.insert_rows(transfer.rows)
    writer.execute(INSERT_CHECKPOINT, transfer.checkpoint)
    writer.execute(UPDATE_STATE, transfer.state)
    for row in transfer.opens:
        writer.execute(OPEN_VERSION, row)
    for row in transfer.closes:
        writer.execute(CLOSE_VERSION, row)
    writer.execute(INSTRUMENT, transfer.instrument)
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


def timed_commands(label: str, count: int, run: Callable[[int], None]) -> Clocks:
    with clocked() as clocks:
        timed_loop(label, count, 1, run)
    return clocks


def log_size(issuer_id: str) -> int:
    with Session(bind=db.engine) as session:
        return get_state(session, issuer_id).tree_size


def replayed(issuer_id: str) -> str:
    """Replay the issuer's log and compare with its tables: "yes", or what differs."""
    with Session(bind=db.engine) as session:
        try:
            replay_and_compare(session, issuer_id)
        except ReplayMismatch as mismatch:
            return f"NO: {str(mismatch)[:160]}"
    return "yes"


@dataclass(frozen=True)
class Crowd:
    holders: int
    holders_per_command: int
    holder_clocks: Clocks
    issuance: Split
    issuance_statements: Counter
    issuance_profile: list[list[str]]  # top cost centres of a second, profiled batch
    transfers: int  # lodged afterwards on the same issuer
    transfer_clocks: Clocks
    log_size: int


@dataclass(frozen=True)
class Transfers:
    count: int
    log_size: int
    ours: Clocks
    plain: Clocks
    statements: Counter  # ours, per transfer
    plain_statements: float  # per transfer
    checks: list[tuple[str, str]]
    profile: list[list[str]]  # top cost centres per transfer

    @property
    def ratio(self) -> float:
        return self.plain.wall / self.ours.wall


def measure_crowd(sizes: Sizes) -> Crowd:
    step(f"warm-up issuer ({sizes.warmup * 10:,} holders, one issuance)")
    funded_issuer("WARMUP", sizes.warmup * 10)
    issuer_id = new_issuer("CROWD")
    step(f"registering {sizes.holders:,} holders, {sizes.holders_per_command:,} per command")
    with clocked() as holder_clocks:
        ids = register_holders(issuer_id, sizes.holders, sizes.holders_per_command, "holders")
    step(f"issuing {len(ids):,} allocations in one command")
    with counting_statements(db.engine) as statements:
        split = issue(issuer_id, allocations(ids, 100))
    with Session(bind=db.engine) as session:
        check_invariants(session, issuer_id)
    count = sizes.crowd_transfers
    step(f"{count:,} lodged transfers on that issuer (log of {log_size(issuer_id):,})")
    moves = [(n, n + 1, 1) for n in range(sizes.warmup + count)]
    for n, move in enumerate(moves[: sizes.warmup]):
        lodge(issuer_id, transfer_of(ids, move, n))
    timed = moves[sizes.warmup :]
    clocks = timed_commands("crowd transfers", count, lambda i: lodge(
        issuer_id, transfer_of(ids, timed[i], sizes.warmup + i)))  # fmt: skip
    size = log_size(issuer_id)
    step(f"profiling a second batch of {len(ids):,} allocations (untimed)")
    profiler = cProfile.Profile()
    profiler.runcall(issue, issuer_id, allocations(ids, 1))
    return Crowd(sizes.holders, sizes.holders_per_command, holder_clocks, split, statements,
                 top_cost_centres(profiler), count, clocks, size)  # fmt: skip


def measure_transfers(sizes: Sizes) -> Transfers:
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
        ours = timed_commands("ours", len(timed), lambda i: lodge(
            ours_id, transfer_of(ours_holders, timed[i], sizes.warmup + i)))  # fmt: skip
    writer = RawWriter(db.engine)
    try:
        plan = plan_plain_transfers(writer, current_ledger(), plain_id, plain_holders, moves)
        for transfer in plan[: sizes.warmup]:
            write_plain(writer, transfer)
        step(f"{len(timed):,} plain-SQL transfers, one per transaction")
        rest = plan[sizes.warmup :]
        plain = timed_commands("plain SQL", len(rest), lambda i: write_plain(writer, rest[i]))
    finally:
        writer.close()
    step("profiling transfers (untimed)")
    profiler = cProfile.Profile()
    extra = transfer_moves(n, sizes.warmup, seed=13)
    for i, move in enumerate(extra):
        profiler.runcall(lodge, ours_id, transfer_of(ours_holders, move, len(moves) + i))
    step("checking: a command on top of the plain rows, then replaying both issuers")
    # Its seal checks the plain-written log state against the last plain-written checkpoint.
    lodge(plain_id, transfer_of(plain_holders, (0, 1, 1), len(moves)))
    checks = [(f"replay = tables, {name} issuer", replayed(issuer_id))
              for name, issuer_id in (("lodged", ours_id), ("plain-SQL", plain_id))]  # fmt: skip
    return Transfers(
        count=len(timed),
        log_size=log_size(ours_id),
        ours=ours,
        plain=plain,
        statements=Counter({k: v / len(timed) for k, v in counts.items()}),
        plain_statements=sum(t.statements for t in rest) / len(rest),
        checks=checks,
        profile=top_cost_centres(profiler, per=len(extra)),
    )


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


@dataclass(frozen=True)
class Results:
    engine: str
    crowd: Crowd
    transfers: Transfers


def measure_loading(count: int) -> list[list[str]]:
    """Seconds to load a batch request of `count` allocations: the marshmallow schema against
    app.api.batch_rows (the same rows, as JSON would decode them)."""
    from app.api.batch_rows import load_allocations
    from app.api.register_schemas import NestedIssuanceSchema

    step(f"loading a request of {count:,} allocations: schema, then batch_rows")
    rows = [
        {"class": row.class_code, "holder_id": row.holder_id, "quantity": row.quantity,
         "price_per_share": str(row.price_per_share), "currency": row.currency,
         "reference": row.reference}
        for row in allocations([f"h{n:07d}" for n in range(count)], 100).allocations
    ]  # fmt: skip
    loaders: list[tuple[str, Callable[[], object]]] = [
        (
            "marshmallow NestedIssuanceSchema",
            lambda: NestedIssuanceSchema().load({"allocations": rows}),
        ),
        ("app.api.batch_rows", lambda: load_allocations(rows)),
    ]
    timings = []
    for name, load in loaders:
        with clocked() as clocks:
            load()
        timings.append((name, clocks))
    schema = timings[0][1].wall
    return [[name, f"{count:,}", f"{c.wall:.2f}", f"{c.cpu:.2f}", f"{schema / c.wall:.1f}x"]
            for name, c in timings]  # fmt: skip


def load_average() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg())


def bench_engine(name: str, sizes: Sizes, with_profile: bool) -> tuple[Results, list]:
    with migrated_database(name) as url, flask_app(url):
        info = [*environment(db.engine), (f"load average at start ({name})", load_average())]
        results = Results(name, measure_crowd(sizes), measure_transfers(sizes))
        info.append((f"load average at end ({name})", load_average()))
        if with_profile:
            profile(sizes)
    return results, info


# --- reporting -------------------------------------------------------------------------------


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}"


COMMAND_HEADERS = ["engine", "measurement", "items", "wall s", "CPU s", "items/s", "target",
                   "met"]  # fmt: skip
ISSUANCE_HEADERS = ["engine", "allocations", "in service s", "seal+commit s", "total s",
                    "CPU s", "collector s", "allocations/s", "100k projected s"]  # fmt: skip
TRANSFER_HEADERS = ["engine", "transfers", "ours/s", "plain SQL/s", "ours/plain", "target",
                    "met", "CPU ms ours", "CPU ms plain", "SQL/transfer ours",
                    "plain"]  # fmt: skip


def projected(r: Results) -> float:
    return r.crowd.issuance.clocks.wall * TARGET_ALLOCATIONS / r.crowd.holders


def command_rows(r: Results) -> list[list[str]]:
    crowd, transfers = r.crowd, r.transfers
    limit = ISSUANCE_TARGET_S[r.engine]
    issued = crowd.issuance.clocks
    return [
        [r.engine, f"holder registration, {crowd.holders_per_command:,}/command",
         f"{crowd.holders:,}", f"{crowd.holder_clocks.wall:.2f}", f"{crowd.holder_clocks.cpu:.2f}",
         _rate(crowd.holders, crowd.holder_clocks.wall), "(none)", "n/a"],
        [r.engine, "batch issuance, 1 command", f"{crowd.holders:,}", f"{issued.wall:.2f}",
         f"{issued.cpu:.2f}", _rate(crowd.holders, issued.wall), f"100k <= {limit:g} s",
         _yes(projected(r) <= limit)],
        [r.engine, f"lodged transfers, 1/command, log of {transfers.log_size:,}",
         f"{transfers.count:,}", f"{transfers.ours.wall:.2f}", f"{transfers.ours.cpu:.2f}",
         _rate(transfers.count, transfers.ours.wall), "(see below)", ""],
        [r.engine, f"lodged transfers, 1/command, log of {crowd.log_size:,}",
         f"{crowd.transfers:,}", f"{crowd.transfer_clocks.wall:.2f}",
         f"{crowd.transfer_clocks.cpu:.2f}", _rate(crowd.transfers, crowd.transfer_clocks.wall),
         "(none)", "n/a"],
    ]  # fmt: skip


def issuance_rows(r: Results) -> list[list[str]]:
    split, n = r.crowd.issuance, r.crowd.holders
    c = split.clocks
    return [[r.engine, f"{n:,}", f"{split.service:.2f}", f"{split.seal_commit:.2f}",
             f"{c.wall:.2f}", f"{c.cpu:.2f}", f"{c.collector:.2f}", _rate(n, c.wall),
             f"{projected(r):.2f}"]]  # fmt: skip


def transfer_rows(r: Results) -> list[list[str]]:
    t = r.transfers
    statements = ", ".join(f"{v:.1f} {k}" for k, v in sorted(t.statements.items()))
    return [[r.engine, f"{t.count:,}", _rate(t.count, t.ours.wall), _rate(t.count, t.plain.wall),
             f"{t.ratio:.0%}", f"ours/plain >= {TRANSFER_RATIO_TARGET:.0%}",
             _yes(t.ratio >= TRANSFER_RATIO_TARGET), f"{t.ours.cpu / t.count * 1000:.2f}",
             f"{t.plain.cpu / t.count * 1000:.2f}",
             f"{sum(t.statements.values()):.1f} ({statements})",
             f"{t.plain_statements:.1f}"]]  # fmt: skip


def statement_rows(r: Results) -> list[list[str]]:
    def listed(counts: Counter, per: float) -> list[str]:
        detail = ", ".join(f"{v / per:,.1f} {k}" for k, v in sorted(counts.items()))
        return [f"{sum(counts.values()) / per:,.1f}", detail]

    return [
        [
            r.engine,
            f"batch issuance of {r.crowd.holders:,}",
            *listed(r.crowd.issuance_statements, 1),
        ],
        [r.engine, "lodged transfer", *listed(r.transfers.statements, 1)],
    ]


def profile_rows(r: Results) -> list[list[str]]:
    return [
        *([r.engine, f"batch of {r.crowd.holders:,}", *row] for row in r.crowd.issuance_profile),
        *([r.engine, "one transfer", *row] for row in r.transfers.profile),
    ]


def check_rows(r: Results) -> list[list[str]]:
    return [[r.engine, name, outcome] for name, outcome in r.transfers.checks]


def print_results(results: Sequence[Results], title: str = "") -> None:
    def rows(make: Callable[[Results], list[list[str]]]) -> list[list[str]]:
        return [row for r in results for row in make(r)]

    print_table(f"Register commands{title}", COMMAND_HEADERS, rows(command_rows))
    print_table(f"Batch issuance, one command{title}", ISSUANCE_HEADERS, rows(issuance_rows))
    print_table(f"Lodged transfers vs plain SQL, one per transaction{title}", TRANSFER_HEADERS,
                rows(transfer_rows))  # fmt: skip
    print_table(f"Statements per command{title}", ["engine", "command", "statements", "by kind"],
                rows(statement_rows))  # fmt: skip
    print_table(f"Top five cost centres by own time (cProfile){title}",
                ["engine", "command", *COST_CENTRE_HEADERS], rows(profile_rows))  # fmt: skip
    print_table(f"Checks{title}", ["engine", "check", "passed"], rows(check_rows))


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
    print_table("Batch request loading (no database)", ["loader", "rows", "wall s", "CPU s",
                "vs schema"], measure_loading(sizes.holders))  # fmt: skip


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
