"""Benchmark the verifiable log: append throughput and proof latency, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.log_append [--engine sqlite|postgresql|both] [--quick]

1. One entry per transaction (BEGIN write, append, seal = sign a checkpoint, COMMIT), next to
   the same rows written with plain SQL in the same transaction shape: the database's share.
   Plain SQL inserts the leaf, its completed nodes and the checkpoint and updates the state row
   (no reads: precomputed bytes, the UPDATE takes the row lock), through the bare driver.
2. Batches of 1,000 entries per transaction, next to plain SQL in the same batch shape.
3. Inclusion and consistency proof latency on a log of 1,000,000 leaves, bulk-loaded, each proof
   in a fresh session as a request has it; then single-entry appends to that big log.

PostgreSQL: BENCH_DATABASE_URL names the admin database (default postgres on 127.0.0.1); a
database shareledger_bench_<pid> is created and dropped. SQLite uses a temporary file. Progress
goes to stderr (BENCH_PROGRESS=1 forces the live line when stderr is not a terminal).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib.metadata
import itertools
import os
import platform
import random
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.db import begin_write, make_engine
from app.ledger import keyring, keys, merkle, notes
from app.ledger.canonical import canonical_bytes, envelope
from app.ledger.log import Ledger, consistency_proof, inclusion_proof, root_at
from bench.common import (
    Progress,
    fsync_latency_ms,
    migrated_database,
    percentile,
    print_table,
    step,
)

KIND = "shares.issued"
ACTOR = "user:7"
ORIGIN_PREFIX = "bench.shareledger.localhost"
# Precomputed leaves (plain SQL, bulk load) carry this timestamp; the ledger uses its clock.
RECORDED_AT = datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=UTC)
SINGLE_TX_TARGET = 0.50  # ours / plain SQL
BATCH_TARGET_SQLITE = 10_000  # entries per second
PROOF_TARGET_MS = 2.0  # p95 (issue 6; was 5 ms)
BULK_CHUNK = 50_000
ROUNDS = 10  # ledger and plain SQL take turns this many times


@dataclass(frozen=True)
class Sizes:
    single_tx: int  # transactions of one entry
    batched: int  # entries, in transactions of `batch`
    batch: int
    big_log: int  # leaves in the proof log
    proofs: int  # of each kind
    warmup_tx: int  # untimed transactions before each append run
    big_log_appends: int  # transactions of one entry on the big log, after the proofs


FULL = Sizes(single_tx=2_000, batched=100_000, batch=1_000, big_log=1_000_000, proofs=1_000,
             warmup_tx=20, big_log_appends=100)  # fmt: skip
QUICK = Sizes(single_tx=300, batched=10_000, batch=1_000, big_log=100_000, proofs=300,
              warmup_tx=5, big_log_appends=50)  # fmt: skip


# --- what is appended ------------------------------------------------------------------------


def _uuid(name: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://bench.shareledger/{name}"))


def event_data(issuer_id: str) -> dict[str, Any]:
    """The data of a realistic `shares.issued` entry: one allocation of one class."""
    return {
        "issuer_id": issuer_id,
        "allocation_id": _uuid("allocation/1"),
        "class_id": _uuid("class/ORD"),
        "class_code": "ORD",
        "holder_id": _uuid("holder/42"),
        "holder_commitment": hashlib.sha256(b"salt|holder-42").hexdigest(),
        "quantity": "1500",
        "price_per_share": "0.0100",
        "currency": "GBP",
        "consideration": "cash",
        "board_resolution": "BR-2026-014",
    }


class LeafMaker:
    """Leaf bytes of one issuer's entries at any index, without running JCS per leaf.

    JCS writes an integer as its plain decimal digits, so the canonical envelope with the index
    spliced in is byte for byte what `canonical_bytes(envelope(...))` gives (checked below).
    """

    _MARK = 8_675_309_123_457  # below 2**53, as JCS requires

    def __init__(self, origin: str, data: dict[str, Any]) -> None:
        self.origin, self.data = origin, data
        head, *tail = self._canonical(self._MARK).split(str(self._MARK).encode())
        if len(tail) != 1:
            raise RuntimeError("the index marker must occur exactly once in the envelope")
        self.head, self.tail = head, tail[0]
        for index in (0, 7, 123_456):
            if self.leaf(index) != self._canonical(index):
                raise RuntimeError("spliced leaf differs from the canonical envelope")

    def _canonical(self, index: int) -> bytes:
        return canonical_bytes(
            envelope(
                origin=self.origin,
                index=index,
                recorded_at=RECORDED_AT,
                kind=KIND,
                actor=ACTOR,
                data=self.data,
            )
        )

    def leaf(self, index: int) -> bytes:
        return b"%s%d%s" % (self.head, index, self.tail)


@dataclass
class Rows:
    """Leaf and node rows as DBAPI parameter tuples, in table column order."""

    leaves: list[tuple[Any, ...]]
    nodes: list[tuple[Any, ...]]
    frontier: list[bytes]

    @property
    def root(self) -> bytes:
        return merkle.frontier_root(self.frontier)


def grow(maker: LeafMaker, issuer_id: str, frontier: list[bytes], start: int, stop: int) -> Rows:
    """The rows that appending leaves [start, stop) to a tree with `frontier` stores."""
    leaves: list[tuple[Any, ...]] = []
    nodes: list[tuple[Any, ...]] = []
    for index in range(start, stop):
        leaf = maker.leaf(index)
        digest = merkle.leaf_hash(leaf)
        frontier, completed = merkle.frontier_append(frontier, index, digest)
        leaves.append((issuer_id, index, leaf, digest))
        nodes.extend((issuer_id, node.level, node.index, h) for node, h in completed)
    return Rows(leaves, nodes, frontier)


# --- plain SQL: the same rows through the bare driver ----------------------------------------

INSERT_LEAF = "INSERT INTO log_leaves (issuer_id, idx, leaf, leaf_hash) VALUES (%s, %s, %s, %s)"
INSERT_NODE = "INSERT INTO log_nodes (issuer_id, level, idx, hash) VALUES (%s, %s, %s, %s)"
INSERT_CHECKPOINT = (
    "INSERT INTO log_checkpoints (issuer_id, tree_size, root_hash, note, created_at) "
    "VALUES (%s, %s, %s, %s, %s)"
)
UPDATE_STATE = (
    "UPDATE log_states SET tree_size = %s, root_hash = %s, frontier = %s, checkpoint_size = %s "
    "WHERE issuer_id = %s"
)
INSERT_STATE = (
    "INSERT INTO log_states (issuer_id, origin, tree_size, root_hash, frontier, checkpoint_size) "
    "VALUES (%s, %s, %s, %s, %s, %s)"
)


@dataclass
class PlainTransaction:
    rows: Rows
    checkpoint: tuple[Any, ...]
    state: tuple[Any, ...]


class RawWriter:
    """One pooled DBAPI connection of the app's engine (so SQLite keeps the app's pragmas)."""

    def __init__(self, engine: Engine) -> None:
        self.sqlite = engine.dialect.name == "sqlite"
        self.proxy = engine.raw_connection()
        self.connection = self.proxy.driver_connection
        self.cursor = self.connection.cursor()

    def sql(self, statement: str) -> str:
        return statement.replace("%s", "?") if self.sqlite else statement

    def created_at(self, moment: datetime) -> Any:
        # The app's UTCDateTime stores naive UTC text on SQLite.
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment

    def begin(self) -> None:
        if self.sqlite:  # the app's engine runs pysqlite without implicit transactions
            self.cursor.execute("BEGIN IMMEDIATE")

    def commit(self) -> None:
        if self.sqlite:
            self.cursor.execute("COMMIT")
        else:
            self.connection.commit()

    def execute(self, statement: str, params: Sequence[Any]) -> None:
        self.cursor.execute(self.sql(statement), params)

    def insert_rows(self, rows: Rows) -> None:
        for statement, params in ((INSERT_LEAF, rows.leaves), (INSERT_NODE, rows.nodes)):
            if len(params) == 1:
                self.execute(statement, params[0])
            elif params:
                self.cursor.executemany(self.sql(statement), params)

    def run(self, transaction: PlainTransaction) -> None:
        self.begin()
        self.insert_rows(transaction.rows)
        self.execute(INSERT_CHECKPOINT, transaction.checkpoint)
        self.execute(UPDATE_STATE, transaction.state)
        self.commit()

    def close(self) -> None:
        self.cursor.close()
        self.proxy.close()


def plan_plain(
    writer: RawWriter, ledger: Ledger, issuer_id: str, entries: int, per_tx: int
) -> list[PlainTransaction]:
    """Every row, checkpoint note and state the plain-SQL run writes, computed beforehand."""
    origin = ledger.origin(issuer_id)
    maker = LeafMaker(origin, event_data(issuer_id))
    created_at = writer.created_at(RECORDED_AT)
    frontier: list[bytes] = []
    plan = []
    for start in range(0, entries, per_tx):
        stop = min(start + per_tx, entries)
        rows = grow(maker, issuer_id, frontier, start, stop)
        frontier, root = rows.frontier, rows.root
        body = notes.format_checkpoint(notes.Checkpoint(origin, stop, root))
        note = notes.sign_note(body, ledger.signers)
        plan.append(
            PlainTransaction(
                rows=rows,
                checkpoint=(issuer_id, stop, root, note, created_at),
                state=(stop, root, b"".join(frontier), stop, issuer_id),
            )
        )
    return plan


# --- the ledger ------------------------------------------------------------------------------


def make_ledger() -> Ledger:
    signer = notes.Signer(name=ORIGIN_PREFIX, private_key=keys.generate_key())
    return Ledger(ORIGIN_PREFIX, (signer,))


def publish_key(engine: Engine, ledger: Ledger) -> None:
    with Session(bind=engine, expire_on_commit=False) as session:
        begin_write(session)
        keyring.publish_first_key(session, ledger.signers[0], ledger.clock())
        session.commit()


def new_log(engine: Engine, ledger: Ledger) -> str:
    issuer_id = str(uuid.uuid4())
    with Session(bind=engine, expire_on_commit=False) as session:
        begin_write(session)
        ledger.create_log(session, issuer_id)
        session.commit()
    return issuer_id


def append_transaction(engine: Engine, ledger: Ledger, issuer_id: str, data: dict, n: int) -> None:
    """What a command does: BEGIN (write), append n entries, seal, COMMIT."""
    with Session(bind=engine, expire_on_commit=False) as session:
        begin_write(session)
        for _ in range(n):
            ledger.append(session, issuer_id, KIND, ACTOR, data)
        ledger.seal(session)
        session.commit()


# --- 1 and 2: append throughput --------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    label: str
    entries: int
    ours: float  # entries per second
    plain: float

    @property
    def ratio(self) -> float:
        return self.ours / self.plain


def timed_loop(label: str, count: int, per_item: int, run: Callable[[int], None]) -> float:
    """Call run(i) for i in range(count) with a progress line; return the seconds taken."""
    progress = Progress(label, count * per_item)
    started = time.perf_counter()
    for i in range(count):
        run(i)
        progress.update((i + 1) * per_item)
    elapsed = time.perf_counter() - started
    progress.done()
    return elapsed


def ours_rate(
    engine: Engine, ledger: Ledger, issuer_id: str, transactions: int, per_tx: int, warmup: int
) -> float:
    data = event_data(issuer_id)
    for _ in range(warmup):
        append_transaction(engine, ledger, issuer_id, data, per_tx)
    seconds = timed_loop(
        f"ledger, {per_tx:,}/tx",
        transactions,
        per_tx,
        lambda _: append_transaction(engine, ledger, issuer_id, data, per_tx),
    )
    return transactions * per_tx / seconds


def alternate(
    label: str, count: int, per_item: int, runs: dict[str, Callable[[int], None]]
) -> dict[str, float]:
    """Seconds each of `runs` takes for items 0..count-1, timed in alternating rounds.

    A shared machine's disk and CPU vary from minute to minute; taking turns gives both sides
    the same conditions, so their ratio holds even when the absolute rates drift.
    """
    seconds = dict.fromkeys(runs, 0.0)
    bounds = [count * r // ROUNDS for r in range(ROUNDS + 1)]
    progress = Progress(label, count * per_item * len(runs))
    done = 0
    for low, high in itertools.pairwise(bounds):
        for name, run in runs.items():
            started = time.perf_counter()
            for i in range(low, high):
                run(i)
            seconds[name] += time.perf_counter() - started
            done += (high - low) * per_item
            progress.update(done)
    progress.done()
    return seconds


def measure_throughput(
    engine: Engine, ledger: Ledger, label: str, transactions: int, per_tx: int, warmup: int
) -> Throughput:
    step(f"{engine.dialect.name}: {label}: {transactions:,} transactions of {per_tx:,}, twice")
    ours_issuer, plain_issuer = new_log(engine, ledger), new_log(engine, ledger)
    data = event_data(ours_issuer)
    writer = RawWriter(engine)
    try:
        plan = plan_plain(writer, ledger, plain_issuer, (warmup + transactions) * per_tx, per_tx)
        for transaction in plan[:warmup]:
            append_transaction(engine, ledger, ours_issuer, data, per_tx)
            writer.run(transaction)
        timed = plan[warmup:]
        seconds = alternate(
            f"ledger and plain SQL, {per_tx:,}/tx",
            transactions,
            per_tx,
            {
                "ours": lambda _: append_transaction(engine, ledger, ours_issuer, data, per_tx),
                "plain": lambda i: writer.run(timed[i]),
            },
        )
    finally:
        writer.close()
    entries = transactions * per_tx
    return Throughput(label, entries, entries / seconds["ours"], entries / seconds["plain"])


# --- 3: proofs on a big log ------------------------------------------------------------------


@dataclass(frozen=True)
class BigLog:
    issuer_id: str
    size: int
    root: bytes
    maker: LeafMaker
    build_seconds: float


def bulk_load(engine: Engine, issuer_id: str, maker: LeafMaker, size: int) -> bytes:
    """Insert leaves and nodes in big executemany batches, then the state row; return the root."""
    writer = RawWriter(engine)
    frontier: list[bytes] = []
    progress = Progress(f"bulk load {size:,} leaves", size)
    try:
        for start in range(0, size, BULK_CHUNK):
            rows = grow(maker, issuer_id, frontier, start, min(start + BULK_CHUNK, size))
            writer.begin()
            writer.insert_rows(rows)
            writer.commit()
            frontier = rows.frontier
            progress.update(start + len(rows.leaves))
        root = merkle.frontier_root(frontier)
        # Grown but not yet signed: checkpoint_size 0 makes the ledger check the stored nodes.
        state = (issuer_id, maker.origin, size, root, b"".join(frontier), 0)
        writer.begin()
        writer.execute(INSERT_STATE, state)
        writer.commit()
    finally:
        writer.close()
        progress.done()
    return root


def seal_big_log(engine: Engine, ledger: Ledger, issuer_id: str) -> bytes:
    """Let the ledger check the stored nodes against the frontier and sign the first checkpoint."""
    with Session(bind=engine, expire_on_commit=False) as session:
        begin_write(session)
        ledger.lock(session, issuer_id)
        (checkpoint,) = ledger.seal(session)
        session.commit()
    return checkpoint.root_hash


def analyze(engine: Engine) -> None:
    # On PostgreSQL autovacuum would soon do this after a load this size; SQLite is left as an
    # application would leave it (no ANALYZE).
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE log_leaves, log_nodes")
            connection.commit()


def build_big_log(engine: Engine, ledger: Ledger, size: int) -> BigLog:
    step(f"{engine.dialect.name}: building a log of {size:,} leaves")
    started = time.perf_counter()
    issuer_id = str(uuid.uuid4())
    maker = LeafMaker(ledger.origin(issuer_id), event_data(issuer_id))
    loaded_root = bulk_load(engine, issuer_id, maker, size)
    if seal_big_log(engine, ledger, issuer_id) != loaded_root:
        raise RuntimeError("the signed root differs from the bulk-loaded tree")
    analyze(engine)
    return BigLog(issuer_id, size, loaded_root, maker, time.perf_counter() - started)


@dataclass(frozen=True)
class Latency:
    label: str
    timings_ms: list[float]
    rows_read: list[int]


Prove = Callable[[Session, int, int], list[bytes]]
Check = Callable[[Session, int, int, list[bytes]], None]


def time_proofs(
    engine: Engine, label: str, cases: Sequence[tuple[int, int]], prove: Prove, check: Check,
    plan: Callable[[int, int], merkle.ProofPlan], checked: int,
) -> Latency:  # fmt: skip
    """Time prove(session, a, b) per case in a fresh session, as a request has; check some."""
    timings = []
    progress = Progress(label, len(cases))
    for done, (a, b) in enumerate(cases, 1):
        with Session(bind=engine) as session:
            started = time.perf_counter()
            proof = prove(session, a, b)
            timings.append((time.perf_counter() - started) * 1000)
            if done <= checked:
                check(session, a, b, proof)
        progress.update(done)
    progress.done()
    return Latency(label, timings, [len(plan(a, b).ids) for a, b in cases])


def measure_proofs(engine: Engine, log: BigLog, count: int) -> list[Latency]:
    step(f"{engine.dialect.name}: {count:,} inclusion and {count:,} consistency proofs")
    rng = random.Random(6962)
    size, issuer_id = log.size, log.issuer_id

    def prove_inclusion(session: Session, index: int, n: int) -> list[bytes]:
        return inclusion_proof(session, issuer_id, index, n)

    def prove_consistency(session: Session, first: int, n: int) -> list[bytes]:
        return consistency_proof(session, issuer_id, first, n)

    def check_inclusion(_session: Session, index: int, n: int, proof: list[bytes]) -> None:
        leaf_hash = merkle.leaf_hash(log.maker.leaf(index))
        merkle.verify_inclusion(leaf_hash, index, n, proof, log.root)

    def check_consistency(session: Session, first: int, n: int, proof: list[bytes]) -> None:
        old_root = root_at(session, issuer_id, first)
        merkle.verify_consistency(first, n, proof, old_root, log.root)

    inclusion = (prove_inclusion, check_inclusion, merkle.inclusion_plan)
    consistency = (prove_consistency, check_consistency, merkle.consistency_plan)
    time_proofs(engine, "warm-up", [(rng.randrange(size), size) for _ in range(50)], *inclusion,
                checked=50)  # fmt: skip
    indexes = [(rng.randrange(size), size) for _ in range(count)]
    firsts = [(rng.randrange(1, size), size) for _ in range(count)]
    return [
        time_proofs(engine, "inclusion", indexes, *inclusion, checked=count),
        time_proofs(engine, "consistency", firsts, *consistency, checked=min(count, 100)),
    ]


def big_log_append_rate(engine: Engine, ledger: Ledger, log: BigLog, transactions: int) -> float:
    step(f"{engine.dialect.name}: {transactions:,} transactions of 1 on the {log.size:,}-leaf log")
    return ours_rate(engine, ledger, log.issuer_id, transactions, 1, warmup=3)


# --- reporting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineResults:
    engine: str
    throughput: list[Throughput]
    log: BigLog
    proofs: list[Latency]
    big_log_appended: int  # transactions of one entry, timed on the big log
    big_log_appends: float  # per second


def environment(engine: Engine) -> list[tuple[str, str]]:
    info = [
        ("python", sys.version.split()[0]),
        ("platform", platform.platform()),
        ("CPUs", str(os.cpu_count())),
        ("SQLAlchemy", sqlalchemy.__version__),
        ("sqlite library", sqlite3.sqlite_version),
        ("fsync of 4 KiB (temp dir)", f"{fsync_latency_ms():.3f} ms median"),
    ]
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
            sync = connection.exec_driver_sql("PRAGMA synchronous").scalar()
            info.append(("sqlite settings", f"journal_mode={journal}, synchronous={sync}"))
        else:
            show = {
                name: connection.exec_driver_sql(f"SHOW {name}").scalar()
                for name in ("server_version", "fsync", "synchronous_commit", "shared_buffers")
            }
            info.append(("PostgreSQL server", show.pop("server_version")))
            info.append(("PostgreSQL settings", ", ".join(f"{k}={v}" for k, v in show.items())))
            info.append(("psycopg", importlib.metadata.version("psycopg")))
    return info


def _rate(value: float) -> str:
    return f"{value:,.0f}"


def _yes(ok: bool) -> str:
    return "yes" if ok else "NO"


THROUGHPUT_HEADERS = ["engine", "measurement", "entries", "ours/s", "plain SQL/s", "ours/plain",
                      "target", "met"]  # fmt: skip
LATENCY_HEADERS = ["engine", "proof", "tree size", "n", "median", "p95", "p99", "max",
                   "rows med", "rows max", "target", "met"]  # fmt: skip


def throughput_rows(results: EngineResults) -> list[list[str]]:
    if not results.throughput:  # --proofs-only
        return []
    name = results.engine
    single, batched = results.throughput
    sqlite = name == "sqlite"
    return [
        [name, single.label, f"{single.entries:,}", _rate(single.ours), _rate(single.plain),
         f"{single.ratio:.0%}", f"ours/plain >= {SINGLE_TX_TARGET:.0%}",
         _yes(single.ratio >= SINGLE_TX_TARGET)],
        [name, batched.label, f"{batched.entries:,}", _rate(batched.ours),
         _rate(batched.plain), f"{batched.ratio:.0%}",
         f">= {BATCH_TARGET_SQLITE:,}/s on SQLite" if sqlite else "(none)",
         _yes(batched.ours >= BATCH_TARGET_SQLITE) if sqlite else "n/a"],
        [name, f"appends/s, 1 entry/tx, log of {results.log.size:,}",
         f"{results.big_log_appended:,}", _rate(results.big_log_appends), "", "", "(none)",
         "n/a"],
    ]  # fmt: skip


def latency_rows(results: EngineResults) -> list[list[str]]:
    rows = []
    for proof in results.proofs:
        ms, reads = proof.timings_ms, proof.rows_read
        p95 = percentile(ms, 95)
        rows.append(
            [results.engine, proof.label, f"{results.log.size:,}", f"{len(ms):,}",
             f"{percentile(ms, 50):.2f}", f"{p95:.2f}", f"{percentile(ms, 99):.2f}",
             f"{max(ms):.2f}", f"{percentile(reads, 50):.0f}", f"{max(reads)}",
             f"p95 < {PROOF_TARGET_MS:g} ms", _yes(p95 < PROOF_TARGET_MS)]
        )  # fmt: skip
    return rows


def print_engine(results: EngineResults) -> None:
    if results.throughput:
        print_table(f"Appends ({results.engine})", THROUGHPUT_HEADERS, throughput_rows(results))
    print_table(f"Proofs, ms ({results.engine})", LATENCY_HEADERS, latency_rows(results))


def print_summary(info: list[tuple[str, str]], results: Sequence[EngineResults]) -> None:
    print_table("Environment", ["item", "value"], info)
    if throughput := [row for r in results for row in throughput_rows(r)]:
        print_table("Append throughput (entries/s)", THROUGHPUT_HEADERS, throughput)
    latency = [row for r in results for row in latency_rows(r)]
    print_table("Proof latency (ms) and rows read per proof", LATENCY_HEADERS, latency)
    builds = [[r.engine, f"{r.log.size:,}", f"{r.log.build_seconds:.1f}"] for r in results]
    print_table("Bulk-built proof log", ["engine", "leaves", "build s"], builds)


# --- main ------------------------------------------------------------------------------------


def bench_engine(name: str, engine: Engine, sizes: Sizes, proofs_only: bool) -> EngineResults:
    ledger = make_ledger()
    publish_key(engine, ledger)
    if proofs_only:
        log = build_big_log(engine, ledger, sizes.big_log)
        return EngineResults(name, [], log, measure_proofs(engine, log, sizes.proofs), 0, 0.0)
    single = measure_throughput(engine, ledger, "appends/s, 1 entry/tx", sizes.single_tx, 1,
                                sizes.warmup_tx)  # fmt: skip
    batched = measure_throughput(
        engine, ledger, f"appends/s, {sizes.batch:,} entries/tx", sizes.batched // sizes.batch,
        sizes.batch, max(1, sizes.warmup_tx // 10),
    )  # fmt: skip
    log = build_big_log(engine, ledger, sizes.big_log)
    proofs = measure_proofs(engine, log, sizes.proofs)
    appends = big_log_append_rate(engine, ledger, log, sizes.big_log_appends)
    return EngineResults(name, [single, batched], log, proofs, sizes.big_log_appends, appends)


def run(engine_names: Sequence[str], sizes: Sizes, proofs_only: bool = False) -> None:
    # Other processes competing for the CPUs skew every figure; the load average tells.
    info = [("load average at start", _load())]
    results = []
    for name in engine_names:
        with migrated_database(name) as url:
            engine = make_engine(url)
            try:
                known = {key for key, _ in info}
                info += [item for item in environment(engine) if item[0] not in known]
                results.append(bench_engine(name, engine, sizes, proofs_only))
            finally:
                engine.dispose()
        print_engine(results[-1])
    print_summary([*info, ("load average at end", _load())], results)


def _load() -> str:
    return " ".join(f"{load:.2f}" for load in os.getloadavg()) + " (1, 5, 15 min)"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (under 2 minutes)")
    parser.add_argument(
        "--proofs-only", action="store_true", help="only build the big log and time proofs"
    )
    parser.add_argument("--leaves", type=int, help="leaves in the proof log (e.g. 10000000)")
    args = parser.parse_args(argv)
    names = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    sizes = QUICK if args.quick else FULL
    if args.leaves:
        sizes = dataclasses.replace(sizes, big_log=args.leaves)
    started = time.perf_counter()
    run(names, sizes, args.proofs_only)
    mode = "quick" if args.quick else "full"
    print(f"\ntotal time {time.perf_counter() - started:.0f} s ({mode})")


if __name__ == "__main__":
    main()
