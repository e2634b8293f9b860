"""Benchmark register snapshots: a register of 1,000,000 holders as of an old tree size.

    .venv/bin/python -m bench.snapshot [--engine sqlite|postgresql|both] [--holders N] [--quick]
                                       [--formats json,csv,html,ocf] [--explain-analyze]

Target: a JSON or CSV snapshot of 1,000,000 holders as of an old size in at most 5 s, with the
serving process's peak memory at most 200 MB.

Setup bypasses the commands, to build a large register in seconds rather than hours: holders,
holder_details, share classes and holding_versions are bulk-loaded (COPY on PostgreSQL,
executemany on SQLite) with the from_index/to_index values the commands would have produced
for this history: the issuer (entry 0), two classes (1, 2), one `holder.registered` per holder,
one ORD issue per holder and a PREF issue for every tenth, then transfers between random
holders (a fifth as many as holders). The old size is the one right after the issues; the
transfers after it close old versions, so the as-of filter has work to do. Checkpoints are
signed with app.ledger.notes at the old and the latest size. Log leaves are written only when
the OCF format is measured (it reads them); otherwise the checkpoints sign a stand-in root:
JSON, CSV and HTML read the projections and the checkpoint note, not the leaves.

Each measurement runs in a fresh child process: the whole API request (token check, access log,
queries, formatting) through Flask's test client, the response streamed and discarded. The
child reports seconds, time to first byte, bytes, and peak RSS (ru_maxrss) before and after.
PostgreSQL: BENCH_DATABASE_URL names the admin database (see bench/common.py).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.ledger import keys, notes
from app.models.issuer import Issuer
from app.models.log import LogCheckpoint, LogState, SigningKey
from app.models.register import ShareClass
from bench.common import Progress, migrated_database, print_table, step

LOG_ORIGIN = "shareledger.localhost"  # the default LOG_ORIGIN the child app also uses
TARGET_SECONDS, TARGET_MB = 5.0, 200
CHUNK = 50_000
STARTED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
FIRST = (
    "Ada",
    "Ben",
    "Chen",
    "Dara",
    "Emil",
    "Fatima",
    "Goran",
    "Hana",
    "Ivo",
    "Jun",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Wei",
)
LAST = (
    "Smith",
    "Jones",
    "Garcia",
    "Okafor",
    "Novak",
    "Haddad",
    "Tanaka",
    "Kowalski",
    "Murphy",
    "Rossi",
    "Larsen",
    "Dubois",
    "Silva",
    "Ivanova",
    "Patel",
    "Nguyen",
    "Schmidt",
    "Cohen",
)


# --- the synthetic register ---------------------------------------------------------------


@dataclass
class Register:
    issuer_id: str
    holder_ids: list[str]
    names: list[str]
    # Per class, per holder: [from_index, to_index or None, held] versions, oldest first.
    versions: dict[str, list[list[list]]] = field(default_factory=dict)
    events: list[tuple] = field(default_factory=list)  # (kind, index, ...) for the leaves
    old_size: int = 0
    latest_size: int = 0


def plan(holders: int, seed: int = 7) -> Register:
    rng = random.Random(seed)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(holders)]
    names = [
        f"{rng.choice(FIRST)} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {rng.choice(LAST)}"
        for _ in range(holders)
    ]
    register = Register(str(uuid.UUID(int=rng.getrandbits(128), version=4)), ids, names)
    register.versions = {"ORD": [[] for _ in range(holders)], "PREF": [[] for _ in range(holders)]}
    index = 3 + holders  # after the issuer, two classes and the holders' registrations
    for holder in range(holders):
        index = _issue(register, "ORD", holder, rng.randint(1, 10_000), index)
        if holder % 10 == 0:
            index = _issue(register, "PREF", holder, rng.randint(1, 1_000), index)
    register.old_size = index
    ordinary = register.versions["ORD"]
    for _ in range(holders // 5):
        source = rng.randrange(holders)
        target = (source + 1 + rng.randrange(holders - 1)) % holders
        quantity = max(1, ordinary[source][-1][2] // 3)
        _change(ordinary[source], index, -quantity)
        _change(ordinary[target], index, quantity)
        register.events.append(("transfer.settled", index, source, target, quantity))
        index += 1
    register.latest_size = index
    return register


def _change(versions: list[list], index: int, delta: int) -> None:
    held = versions[-1][2] if versions else 0
    if versions:
        versions[-1][1] = index
    versions.append([index, None, held + delta])


def _issue(register: Register, code: str, holder: int, quantity: int, index: int) -> int:
    _change(register.versions[code][holder], index, quantity)
    register.events.append(("shares.issued", index, code, holder, quantity))
    return index + 1


# --- loading ------------------------------------------------------------------------------


def bulk(engine: Engine, table: str, columns: Sequence[str], rows: Iterable[tuple], total: int):
    """Insert many rows fast: COPY on PostgreSQL, executemany in chunks on SQLite."""
    progress = Progress(f"{table}", total)
    with engine.begin() as connection:
        raw = connection.connection.driver_connection
        names = ", ".join(columns)
        with closing(raw.cursor()) as cursor:
            if engine.dialect.name == "postgresql":
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for done, row in enumerate(rows, start=1):
                        copy.write_row(row)
                        if done % CHUNK == 0:
                            progress.update(done)
            else:
                marks = ", ".join("?" * len(columns))
                rows, done = iter(rows), 0
                while batch := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
                    cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", batch)
                    done += len(batch)
                    progress.update(done)
    step(f"  {table}: {total:,} rows in {progress.done():.1f} s")


def load(engine: Engine, register: Register, signer: notes.Signer, with_leaves: bool) -> None:
    issuer, ids, names = register.issuer_id, register.holder_ids, register.names
    # Rows go in as the commands would have written them: holders in registration order,
    # versions in log order (so table order is not holder order, as in production).
    order = range(len(ids))
    registered_on = STARTED.date().isoformat()
    bulk(
        engine,
        "holders",
        (
            "issuer_id",
            "holder_id",
            "commitment",
            "registered_on",
            "erased",
            "registered_index",
            "member_number",
            "last_log_index",
        ),
        (
            (
                issuer,
                ids[h],
                hashlib.sha256(ids[h].encode()).hexdigest(),
                registered_on,
                False,
                3 + h,
                1 + h,
                3 + h,
            )
            for h in order
        ),
        len(ids),
    )
    bulk(
        engine,
        "holder_details",
        (
            "issuer_id",
            "holder_id",
            "name",
            "address",
            "identifier",
            "country",
            "holder_type",
            "email",
            "joint_holders",
            "salt",
        ),
        (
            (
                issuer,
                ids[h],
                names[h],
                f"{h % 200 + 1} High Street, Town {h % 997}",
                f"ID-{h}",
                "GB",
                "person",
                None,
                "[]",
                "00" * 16,
            )
            for h in order
        ),
        len(ids),
    )
    with Session(engine) as session, session.begin():
        _small_rows(session, register, signer)
    versions = sorted(
        (
            (issuer, code, ids[h], *version)
            for code in ("ORD", "PREF")
            for h in order
            for version in register.versions[code][h]
        ),
        key=lambda row: row[3],
    )
    bulk(
        engine,
        "holding_versions",
        (
            "issuer_id",
            "class_code",
            "holder_id",
            "from_index",
            "to_index",
            "held",
            "frozen",
            "pledged",
            "reserved",
        ),
        ((*version, 0, 0, 0) for version in versions),
        len(versions),
    )
    if with_leaves:
        bulk(
            engine,
            "log_leaves",
            ("issuer_id", "idx", "leaf", "leaf_hash"),
            leaves(register),
            register.latest_size,
        )
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))


def _small_rows(session: Session, register: Register, signer: notes.Signer) -> None:
    issuer = register.issuer_id
    session.add(
        SigningKey(
            key_id=signer.key_id.hex(),
            name=signer.name,
            algorithm="ed25519",
            vkey=signer.vkey,
            status="active",
            created_at=STARTED,
        )
    )
    session.add(
        Issuer(
            id=issuer,
            legal_name="Bench Mutual plc",
            registration_number="BENCH1",
            jurisdiction="GB",
            registered_at=STARTED,
            last_log_index=0,
        )
    )
    for code, index, votes in (("ORD", 1, 1), ("PREF", 2, 10)):
        issued = sum(v[-1][2] for v in register.versions[code] if v)
        session.add(
            ShareClass(
                issuer_id=issuer,
                code=code,
                name=f"{code} shares",
                votes_per_share=votes,
                par_value="0.01",
                currency="GBP",
                authorised=None,
                issued=issued,
                created_index=index,
                last_log_index=register.latest_size - 1,
            )
        )
    origin = f"{LOG_ORIGIN}/issuers/{issuer}"
    for size in (register.old_size, register.latest_size):
        root = hashlib.sha256(b"stand-in root %d" % size).digest()
        body = notes.format_checkpoint(notes.Checkpoint(origin, size, root))
        session.add(
            LogCheckpoint(
                issuer_id=issuer,
                tree_size=size,
                root_hash=root,
                note=notes.sign_note(body, [signer]),
                created_at=STARTED + timedelta(seconds=size),
            )
        )
    session.add(
        LogState(
            issuer_id=issuer,
            origin=origin,
            tree_size=register.latest_size,
            root_hash=root,
            frontier=b"",
            checkpoint_size=register.latest_size,
        )
    )


def leaves(register: Register) -> Iterator[tuple]:
    """The log's leaves, in the shape the commands write (json.dumps with sorted keys is JCS
    for this all-ASCII, string-valued data)."""
    ids, issuer = register.holder_ids, register.issuer_id
    origin = f"{LOG_ORIGIN}/issuers/{issuer}"
    head = [
        (
            "issuer.registered",
            {
                "issuer_id": issuer,
                "legal_name": "Bench Mutual plc",
                "registration_number": "BENCH1",
                "jurisdiction": "GB",
                "lei": None,
                "disclosure_profile": "standard",
            },
        )
    ]
    for code, votes in (("ORD", "1"), ("PREF", "10")):
        head.append(
            (
                "class.created",
                {
                    "class": code,
                    "name": f"{code} shares",
                    "votes_per_share": votes,
                    "par_value": "0.01",
                    "currency": "GBP",
                    "authorised": None,
                },
            )
        )
    head += [
        (
            "holder.registered",
            {
                "holder_id": holder_id,
                "commitment": "0" * 64,
                "registered_on": STARTED.date().isoformat(),
            },
        )
        for holder_id in ids
    ]
    entries: list[tuple[str, dict]] = head
    for event in register.events:
        if event[0] == "shares.issued":
            _, _, code, holder, quantity = event
            data = {"class": code, "holder_id": ids[holder], "quantity": str(quantity)}
        else:
            _, _, source, target, quantity = event
            data = {
                "class": "ORD",
                "from_holder_id": ids[source],
                "to_holder_id": ids[target],
                "quantity": str(quantity),
                "instrument_reference": "STF",
            }
        entries.append((event[0], data))
    for index, (kind, data) in enumerate(entries):
        leaf = json.dumps(
            {
                "v": 1,
                "origin": origin,
                "index": index,
                "actor": "bench",
                "recorded_at": "2026-01-05T09:00:00.000000Z",
                "kind": kind,
                "data": data,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        yield issuer, index, leaf, hashlib.sha256(b"\x00" + leaf).digest()


# --- measuring ------------------------------------------------------------------------------


def explain(engine: Engine, issuer_id: str, size: int, analyze: bool, layout: str) -> None:
    """Print the plans of the totals query and the rows query, as the database runs them."""
    from app.register import snapshot

    with Session(engine) as session:
        taken = snapshot.take_snapshot(session, issuer_id, tree_size=size)
        totals = snapshot.totals_query(issuer_id, size)
        for label, query in (("totals", totals), ("rows", snapshot.holdings_query(taken))):
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            if engine.dialect.name == "sqlite":
                prefix = "EXPLAIN QUERY PLAN "
            else:
                prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
            rows = session.execute(text(prefix + sql)).all()
            lines = [" | ".join(str(c) for c in row[-1:]) for row in rows]
            heading = f"{engine.dialect.name} ({layout}) plan, {label} query"
            print(f"\n{heading}:\n  " + "\n  ".join(lines))


def measure(url: str, issuer_id: str, fmt: str, size: int) -> dict[str, Any]:
    """Run one snapshot request in a fresh child process and return its figures."""
    command = [sys.executable, "-m", "bench.snapshot", "--child", url, issuer_id, fmt, str(size)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"snapshot child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident set. VmHWM belongs to the process's own memory map, while
    ru_maxrss would also count the parent's memory at fork, kept across exec by Linux."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str, issuer_id: str, fmt: str, size: int) -> None:
    from app import create_app
    from app.auth.tokens import create_token
    from app.extensions import db

    with tempfile.TemporaryDirectory(prefix="shareledger-bench-") as folder:
        app = create_app(
            "test",
            {
                "DATABASE_URL": url,
                "INSTANCE_PATH": folder,
                "SIGNING_KEY_FILE": str(Path(folder) / "key.pem"),
                "SECRET_KEY": "bench-not-secret",
            },
        )
        with app.app_context(), db.write() as session:
            _, secret = create_token(
                session, role="regulator", label="bench", issuer_id=None, now=datetime.now(UTC)
            )
        client = app.test_client()
        before = peak_rss_mb()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(
            f"/api/v1/issuers/{issuer_id}/snapshot?tree_size={size}&format={fmt}",
            headers={"Authorization": f"Bearer {secret}"},
            buffered=False,
        )
        first_byte, total = None, 0
        for chunk in response.response:
            first_byte = first_byte or time.perf_counter() - started
            total += len(chunk)
        response.close()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        if response.status_code != 200:
            raise RuntimeError(f"snapshot answered {response.status_code}")
        app.extensions["db_engine"].dispose()
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "cpu_seconds": cpu,
                "first_byte": first_byte,
                "bytes": total,
                "rss_before_mb": before,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


# --- an alternative layout the snapshot query could use (an experiment, not the schema) -----

LAYOUTS = ("as-is", "without-rowid")


def apply_layout(engine: Engine, layout: str) -> bool:
    """Change the loaded database to `layout`; False if it does not apply to this engine."""
    if layout == "as-is":
        return True
    if engine.dialect.name != "sqlite":
        return False  # PostgreSQL tables are heaps; there is no clustered primary key
    with engine.begin() as connection:
        for table in ("holding_versions", "holder_details"):
            _rebuild_without_rowid(connection, table)
        connection.execute(text("ANALYZE"))
    return True


def _rebuild_without_rowid(connection: Any, table: str) -> None:
    """SQLite: the same table clustered on its primary key (CREATE TABLE ... WITHOUT ROWID)."""
    schema = connection.execute(
        text("SELECT type, sql FROM sqlite_master WHERE tbl_name = :t AND sql IS NOT NULL"),
        {"t": table},
    ).all()
    create = next(sql for kind, sql in schema if kind == "table")
    indexes = [sql for kind, sql in schema if kind == "index"]
    connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
    connection.exec_driver_sql(
        create.replace(f"CREATE TABLE {table}", f"CREATE TABLE {table}_new", 1) + " WITHOUT ROWID"
    )
    connection.exec_driver_sql(f"INSERT INTO {table}_new SELECT * FROM {table}")
    connection.exec_driver_sql(f"DROP TABLE {table}")
    connection.exec_driver_sql(f"ALTER TABLE {table}_new RENAME TO {table}")
    for sql in indexes:
        connection.exec_driver_sql(sql)


def bench_engine(name: str, holders: int, args: argparse.Namespace) -> list[list]:
    register = plan(holders)
    signer = notes.Signer(name=LOG_ORIGIN, private_key=keys.generate_key())
    versions = sum(len(v) for per_class in register.versions.values() for v in per_class)
    step(
        f"{name}: loading {holders:,} holders, {versions:,} holding versions "
        f"(old size {register.old_size:,}, latest {register.latest_size:,})"
    )
    rows = []
    with migrated_database(name) as url:
        engine = make_engine(url)
        started = time.perf_counter()
        load(engine, register, signer, with_leaves="ocf" in args.formats)
        step(f"{name}: loaded in {time.perf_counter() - started:.0f} s")
        issuer_id, old, latest = register.issuer_id, register.old_size, register.latest_size
        del register  # the children measure; free the parent's copy of the register
        sizes = (("old", old), ("latest", latest))
        try:
            for layout in args.layouts:
                if not apply_layout(engine, layout):
                    continue
                explain(engine, issuer_id, old, args.explain_analyze, layout)
                for fmt in args.formats:
                    for label, size in sizes if fmt == "json" else sizes[:1]:
                        step(f"{name}, {layout}: {fmt} as of the {label} size {size:,}")
                        figures = measure(url, issuer_id, fmt, size)
                        rows.append(_row(name, layout, fmt, f"{label} ({size:,})", figures))
        finally:
            engine.dispose()
    return rows


def _row(name: str, layout: str, fmt: str, size: str, figures: dict[str, Any]) -> list[str]:
    ok = figures["seconds"] <= TARGET_SECONDS and figures["peak_rss_mb"] <= TARGET_MB
    return [
        name,
        layout,
        fmt,
        size,
        f"{figures['seconds']:.2f}",
        f"{figures['cpu_seconds']:.2f}",
        f"{figures['first_byte']:.2f}",
        f"{figures['bytes'] / 2**20:.0f}",
        f"{figures['rss_before_mb']:.0f}",
        f"{figures['peak_rss_mb']:.0f}",
        "yes" if ok else "no",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:
        url, issuer_id, fmt, size = argv[1:5]
        child(url, issuer_id, fmt, int(size))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--holders", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100,000 holders")
    parser.add_argument("--formats", default="json,csv", help="of json, csv, html, ocf")
    parser.add_argument(
        "--layouts",
        default="as-is",
        help=f"measure each in turn, of {', '.join(LAYOUTS)} (proposed schema changes)",
    )
    parser.add_argument("--explain-analyze", action="store_true", help="PostgreSQL: run them")
    args = parser.parse_args(argv)
    holders = 100_000 if args.quick else args.holders
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    args.layouts = [f.strip() for f in args.layouts.split(",") if f.strip()]
    if unknown := set(args.layouts) - set(LAYOUTS):
        parser.error(f"unknown layouts {sorted(unknown)}")
    names = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    started, rows = time.perf_counter(), []
    load_at_start = os.getloadavg()
    for name in names:
        rows += bench_engine(name, holders, args)
    print_table(
        f"Snapshots of {holders:,} holders (target: <= {TARGET_SECONDS:.0f} s, "
        f"peak RSS <= {TARGET_MB} MB, for json and csv as of the old size)",
        ["engine", "layout", "format", "as of size", "seconds", "client CPU s", "first byte s",
         "MiB out", "RSS before MB", "peak RSS MB", "on target"],
        rows,
    )  # fmt: skip
    print(
        f"\nload average at start {load_at_start[0]:.2f}, at end {os.getloadavg()[0]:.2f} "
        f"({os.cpu_count()} CPUs); client CPU excludes the PostgreSQL server's"
    )
    print(f"total time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
