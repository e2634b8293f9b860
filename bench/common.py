"""Shared benchmark helpers: a migrated throw-away database, progress lines, statistics, tables.

Nothing here knows what is being measured; each benchmark module brings its own workload.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.db import normalise_url

DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_admin_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_PG_ADMIN_URL)


# --- databases -------------------------------------------------------------------------------


def migrate(url: str, instance: Path) -> None:
    """Bring the database at `url` to the head revision, the way the tests do."""
    from app import create_app
    from app.cli.database import upgrade_database

    app = create_app(
        "test",
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(instance),
            "SIGNING_KEY_FILE": str(instance / "unused-signing-key.pem"),
            "SECRET_KEY": "bench-not-secret",
        },
    )
    with app.app_context():
        upgrade_database()
    app.extensions["db_engine"].dispose()


@contextmanager
def migrated_database(engine_name: str) -> Iterator[str]:
    """Yield the URL of a fresh, migrated database; remove it afterwards.

    SQLite: a file in a temporary directory. PostgreSQL: `shareledger_bench_<pid>`, created
    through the admin URL (BENCH_DATABASE_URL) and dropped at the end.
    """
    with tempfile.TemporaryDirectory(prefix="shareledger-bench-") as folder:
        instance = Path(folder)
        if engine_name == "sqlite":
            url = f"sqlite:///{instance / 'bench.sqlite3'}"
            migrate(url, instance)
            yield url
            return
        if engine_name != "postgresql":
            raise ValueError(f"unknown engine {engine_name!r}")
        with _pg_database(f"shareledger_bench_{os.getpid()}") as url:
            migrate(url, instance)
            yield url


@contextmanager
def _pg_database(name: str) -> Iterator[str]:
    admin_url = make_url(normalise_url(pg_admin_url()))
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def flask_app(url: str) -> Iterator[Any]:
    """A "test" app on the database at `url`, signing with a fresh key in a temporary folder,
    its app context pushed (so `app.commands.command()` works); disposed afterwards."""
    from app import create_app
    from app.ledger import keys

    with tempfile.TemporaryDirectory(prefix="shareledger-bench-app-") as folder:
        instance, passphrase = Path(folder), "bench-passphrase-not-secret"
        keys.save_key(keys.generate_key(), instance / "signing-key.pem", passphrase)
        app = create_app(
            "test",
            {
                "DATABASE_URL": url,
                "INSTANCE_PATH": str(instance),
                "SIGNING_KEY_FILE": str(instance / "signing-key.pem"),
                "SIGNING_KEY_PASSPHRASE": passphrase,
                "SECRET_KEY": "bench-not-secret",
            },
        )
        try:
            with app.app_context():
                yield app
        finally:
            app.extensions["db_engine"].dispose()


# --- progress and timing ---------------------------------------------------------------------


class Progress:
    """A single self-overwriting status line on stderr, redrawn at most every `every` seconds."""

    def __init__(self, label: str, total: int, every: float = 0.5) -> None:
        self.label, self.total, self.every = label, total, every
        self.started = self.shown = time.perf_counter()
        self.enabled = sys.stderr.isatty() or os.environ.get("BENCH_PROGRESS") == "1"
        self.last_line = 0.0

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.shown < self.every:
            return
        self.shown = now
        elapsed = now - self.started
        line = f"  {self.label}: {done:,}/{self.total:,} ({done / self.total:.0%}) {elapsed:.1f}s"
        if self.enabled:
            print(f"\r{line:<78}", end="", file=sys.stderr, flush=True)
        elif now - self.last_line >= 10:  # not a terminal: a plain line every 10 s
            self.last_line = now
            print(line, file=sys.stderr, flush=True)

    def done(self) -> float:
        elapsed = time.perf_counter() - self.started
        if self.enabled:
            print(f"\r{'':<78}\r", end="", file=sys.stderr, flush=True)
        return elapsed


def step(message: str) -> None:
    """Announce a phase on stderr, so stdout holds only the figures."""
    print(f"-- {message}", file=sys.stderr, flush=True)


@dataclass
class Clocks:
    """Wall, process CPU and cyclic-garbage-collector seconds of one block (see `clocked`)."""

    wall: float = 0.0
    cpu: float = 0.0
    collector: float = 0.0


@contextmanager
def clocked() -> Iterator[Clocks]:
    """Measure the block: CPU time tells a slow program from a busy machine, and the collector
    time shows what CPython's full collections cost when a block builds many objects."""
    clocks, started_at = Clocks(), {}

    def on_collection(phase: str, _info: dict) -> None:
        if phase == "start":
            started_at["collection"] = time.perf_counter()
        elif "collection" in started_at:
            clocks.collector += time.perf_counter() - started_at.pop("collection")

    gc.callbacks.append(on_collection)
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield clocks
    finally:
        clocks.wall, clocks.cpu = time.perf_counter() - wall, time.process_time() - cpu
        gc.callbacks.remove(on_collection)


def fsync_latency_ms(folder: Path | None = None, samples: int = 50) -> float:
    """Median time to write 4 KiB and fsync it: what a durable commit costs on this disk."""
    timings = []
    with tempfile.NamedTemporaryFile(dir=folder, prefix="fsync-probe-") as probe:
        for _ in range(samples):
            started = time.perf_counter()
            probe.write(b"\0" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
            timings.append((time.perf_counter() - started) * 1000)
    return percentile(timings, 50)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by linear interpolation between closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- output ----------------------------------------------------------------------------------


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: text left-aligned, numbers right-aligned."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [
        all(_looks_numeric(row[i]) for row in cells[1:]) if rows else False
        for i in range(len(headers))
    ]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(row, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _looks_numeric(cell: str) -> bool:
    stripped = cell.replace(",", "").replace("%", "").replace(".", "").replace("-", "")
    return stripped.isdigit() or cell in ("", "n/a")


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    print(f"\n{title}\n{format_table(headers, rows)}", flush=True)


def print_profile(title: str, profiler: Any, limit: int = 30) -> None:
    """A cProfile.Profile's top functions, by cumulative time and then by own time."""
    import pstats

    for order in ("cumulative", "tottime"):
        print(f"\nProfile: {title}, by {order}", flush=True)
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.strip_dirs().sort_stats(order).print_stats(limit)


def top_cost_centres(profiler: Any, limit: int = 5, per: int = 1) -> list[list[str]]:
    """A cProfile.Profile's `limit` functions with the most own time (tottime), with their
    cumulative time; both divided by `per` (e.g. per command) and given in milliseconds."""
    import pstats

    stats = pstats.Stats(profiler).strip_dirs()
    total = stats.total_tt or 1.0
    ranked = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:limit]
    return [
        [f"{name} ({file}:{line})", f"{calls / per:,.1f}", f"{own / per * 1000:.2f}",
         f"{own / total:.1%}", f"{cumulative / per * 1000:.2f}"]
        for (file, line, name), (_, calls, own, cumulative, _callers) in ranked
    ]  # fmt: skip


COST_CENTRE_HEADERS = ["function", "calls", "own ms", "own share", "cumulative ms"]
