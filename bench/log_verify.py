"""Benchmark `flask --app wsgi log verify` on growing registers: time and peak memory per size.

    .venv/bin/python -m bench.log_verify [--engine sqlite|postgresql|both] [--quick]
                                         [--sizes 100000,200000,500000,1000000] [--profile]

Target (issue 6): a log of 1,000,000 entries verified in at most 60 s, with memory that does not
grow with the log. One register grows through the sizes; after each, `log verify` runs in a
child process, timed, its peak RSS read from the kernel (wait4's ru_maxrss), its progress lines
passed through to stderr. `--profile` runs the largest verification in-process under cProfile.

The register is realistic in shape: an issuer, two classes, HOLDERS holders, then commands of
1,000 entries mixing issuances (one in five) and settled transfers between random holders
that can afford them. It is built through the ledger and the same applier table the commands
and the replay use (`app.ledger.log` + `app.register.appliers`), not through the services, so
the build skips their checks and the Flask request machinery: every entry, node, signed
checkpoint and projected row is what a command writes, only sooner.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.db import begin_write, make_engine
from app.ledger.log import Ledger
from app.register import holdings
from app.register.appliers import APPLIERS
from app.register.projection import Applied, apply_entry
from bench.common import migrated_database, print_table, step
from bench.log_append import make_ledger, publish_key

TARGET_SECONDS = 60.0  # at 1,000,000 entries
FULL_SIZES = (100_000, 200_000, 500_000, 1_000_000)
QUICK_SIZES = (10_000, 20_000, 50_000)
HOLDERS = 50_000
PER_COMMAND = 1_000
CLASSES = ("ORD", "PREF")
ACTOR = "bench"


@dataclass
class Register:
    """What the builder tracks to write only entries the rules would accept."""

    issuer_id: str
    rng: random.Random
    holders: list[str]
    # (class, holder index) -> shares held; transfers take from holders who have some.
    held: dict[tuple[str, int], int]
    funded: dict[str, list[int]]
    size: int = 0


def _opening_entries(register: Register, holders: int) -> list[tuple[str, dict[str, Any]]]:
    entries: list[tuple[str, dict[str, Any]]] = [
        (
            "issuer.registered",
            {
                "legal_name": "Bench Verify plc",
                "registration_number": "BENCHV1",
                "jurisdiction": "GB",
                "lei": None,
                "disclosure_profile": "standard",
            },
        )
    ]
    entries += [
        (
            "class.created",
            {
                "class": code,
                "name": f"{code} shares",
                "votes_per_share": "1",
                "par_value": "0.01",
                "currency": "GBP",
                "authorised": None,
            },
        )
        for code in CLASSES
    ]
    for n in range(holders):
        holder_id = str(uuid.UUID(int=register.rng.getrandbits(128), version=4))
        register.holders.append(holder_id)
        entries.append(
            (
                "holder.registered",
                {
                    "holder_id": holder_id,
                    "commitment": f"{n:064x}",
                    "registered_on": "2026-01-05",
                },
            )
        )
    return entries


def _trade(register: Register, index: int) -> tuple[str, dict[str, Any]]:
    rng, count = register.rng, len(register.holders)
    code = CLASSES[0] if rng.random() < 0.9 else CLASSES[1]
    funded = register.funded[code]
    if rng.random() < 0.2 or len(funded) < 2:
        target = rng.randrange(count)
        quantity = rng.randint(1, 10_000)
        if register.held.get((code, target), 0) == 0:
            funded.append(target)
        register.held[(code, target)] = register.held.get((code, target), 0) + quantity
        data = {
            "class": code,
            "holder_id": register.holders[target],
            "quantity": str(quantity),
            "price_per_share": "0.0100",
            "currency": "GBP",
        }
        return "shares.issued", data
    source = funded[rng.randrange(len(funded))]
    target = rng.randrange(count - 1)
    target += target >= source  # anyone but the source
    have = register.held[(code, source)]
    quantity = rng.randint(1, have)
    register.held[(code, source)] = have - quantity
    if register.held.get((code, target), 0) == 0:
        funded.append(target)
    register.held[(code, target)] = register.held.get((code, target), 0) + quantity
    if have == quantity:
        funded.remove(source)  # O(funded), but a sale of everything is rare
    data = {
        "class": code,
        "from_holder_id": register.holders[source],
        "to_holder_id": register.holders[target],
        "quantity": str(quantity),
        "instrument_reference": f"STF-{index}",
    }
    return "transfer.settled", data


def _record(engine: Engine, ledger: Ledger, register: Register, entries: list) -> None:
    """One command's transaction: append and apply each entry, seal, commit."""
    issuer_id = register.issuer_id
    with Session(bind=engine, expire_on_commit=False) as session:
        begin_write(session)
        if register.size == 0:
            ledger.create_log(session, issuer_id)
        else:
            ledger.lock(session, issuer_id)
        # As a batch command does: the holdings it will change, read in a few queries.
        holdings.preload(session, issuer_id, _holding_keys(entries))
        for kind, data in entries:
            entry = ledger.append(session, issuer_id, kind, ACTOR, data)
            apply_entry(APPLIERS, session, Applied(issuer_id, entry.index, entry.recorded_at,
                                                   kind, data))  # fmt: skip
        ledger.seal(session)
        session.commit()
    register.size += len(entries)


def _holding_keys(entries: list) -> list[tuple[str, str]]:
    keys = []
    for _, data in entries:
        for name in ("holder_id", "from_holder_id", "to_holder_id"):
            if name in data and "class" in data:
                keys.append((data["class"], data[name]))
    return keys


def grow(engine: Engine, ledger: Ledger, register: Register, size: int) -> float:
    started = time.perf_counter()
    if register.size == 0:
        opening = _opening_entries(register, min(HOLDERS, size // 2))
        for start in range(0, len(opening), PER_COMMAND):
            _record(engine, ledger, register, opening[start : start + PER_COMMAND])
    last_shown = time.perf_counter()
    while register.size < size:
        count = min(PER_COMMAND, size - register.size)
        entries = [_trade(register, register.size + n) for n in range(count)]
        _record(engine, ledger, register, entries)
        if time.perf_counter() - last_shown >= 10:
            last_shown = time.perf_counter()
            step(f"  built {register.size:,}/{size:,} entries")
    return time.perf_counter() - started


# --- verification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    entries: int
    build_seconds: float
    seconds: float
    cpu_seconds: float  # user + system: on a shared machine wall time waits for a CPU
    peak_rss_mb: float
    output: str
    holder_entries_ms: float = 0.0  # the investor page's list of a holder's entries (median)


def verify_in_child(url: str, instance: Path, entries: int, build_seconds: float) -> Verification:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SHARELEDGER_INSTANCE": str(instance),
        "SHARELEDGER_ENV": "development",
    }
    flask = Path(sys.executable).with_name("flask")
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(flask), "--app", "wsgi", "log", "verify"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    output = child.stdout.read() if child.stdout else ""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0 or "all hold" not in output:
        raise RuntimeError(f"log verify failed ({child.returncode}): {output}")
    cpu = usage.ru_utime + usage.ru_stime
    return Verification(
        entries, build_seconds, seconds, cpu, usage.ru_maxrss / 1024, output.strip()
    )


def profile_in_process(url: str, instance: Path) -> None:
    from app import create_app
    from app.cli.log import verify
    from bench.common import print_profile

    overrides = {
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(instance),
        "SIGNING_KEY_FILE": str(instance / "signing-key.pem"),
    }
    app = create_app("development", overrides)
    profiler = cProfile.Profile()
    with app.app_context():
        profiler.runcall(verify.main, [], standalone_mode=False)
    print_profile("log verify", profiler, limit=25)


def bench_engine(name: str, sizes: Sequence[int], profile: bool) -> list[Verification]:
    results = []
    with migrated_database(name) as url, tempfile.TemporaryDirectory() as folder:
        engine = make_engine(url)
        try:
            ledger = make_ledger()
            publish_key(engine, ledger)
            register = Register(
                str(uuid.uuid4()), random.Random(6), [], {}, {c: [] for c in CLASSES}
            )
            for size in sizes:
                step(f"{name}: growing the register to {size:,} entries")
                built = grow(engine, ledger, register, size)
                step(f"{name}: log verify at {register.size:,} entries (built in {built:.0f} s)")
                result = verify_in_child(url, Path(folder), register.size, built)
                step(
                    f"{name}: {result.seconds:.1f} s ({result.cpu_seconds:.1f} s CPU), "
                    f"peak RSS {result.peak_rss_mb:.0f} MB, load {_load()}"
                )
                lookup_ms = holder_entries_ms(engine, register)
                step(f"{name}: a holder's entries listed in {lookup_ms:.1f} ms (median of 20)")
                results.append(dataclasses.replace(result, holder_entries_ms=lookup_ms))
            if profile:
                profile_in_process(url, Path(folder))
        finally:
            engine.dispose()
    return results


def holder_entries_ms(engine: Engine, register: Register, samples: int = 20) -> float:
    """Median time of `holder_entries.entry_indexes` (what /me/ and its proofs list) for
    random holders of the grown register."""
    from app.register import holder_entries, queries

    timings = []
    with Session(bind=engine) as session:
        for holder_id in register.rng.sample(register.holders, samples):
            holder, _ = queries.holder_with_details(session, register.issuer_id, holder_id)
            started = time.perf_counter()
            holder_entries.entry_indexes(session, holder)
            timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES}")
    parser.add_argument("--sizes", help="comma-separated entry counts, ascending")
    parser.add_argument("--profile", action="store_true", help="profile the last verification")
    args = parser.parse_args(argv)
    sizes = QUICK_SIZES if args.quick else FULL_SIZES
    if args.sizes:
        sizes = tuple(int(s) for s in args.sizes.split(","))
    names = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    rows = []
    load = _load()
    for name in names:
        for r in bench_engine(name, sizes, args.profile):
            per_second = r.entries / r.seconds
            target = f"<= {TARGET_SECONDS:g} s" if r.entries == 1_000_000 else ""
            met = ("yes" if r.seconds <= TARGET_SECONDS else "NO") if target else ""
            rows.append([name, f"{r.entries:,}", f"{r.build_seconds:.0f}", f"{r.seconds:.1f}",
                         f"{r.cpu_seconds:.1f}", f"{per_second:,.0f}", f"{r.peak_rss_mb:.0f}",
                         f"{r.holder_entries_ms:.1f}", target, met])  # fmt: skip
    print_table(
        f"log verify (load average at start {load})",
        [
            "engine",
            "entries",
            "build s",
            "verify s",
            "CPU s",
            "entries/s",
            "peak RSS MB",
            "holder entries ms",
            "target",
            "met",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
