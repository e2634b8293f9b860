"""Benchmark writes end to end over HTTP, under gunicorn, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.http_writes [--engine sqlite|postgresql|both] [--quick]

1. Settled transfers: `POST /api/v1/issuers/<id>/transfers` (one command each: token check,
   schema, rules, log entry, signed checkpoint, commit), next to `POST /bench/plain-transfer`
   on the same server (bench/http_app.py), which writes the rows of one transfer with plain
   SQL in one transaction and nothing else. Both run in the same session, alternating rounds,
   from CLIENTS client threads; requests per second and latency p50 / p99.
2. One `POST /issuances` of 100,000 allocations (a crowd financing round) end to end, to
   compare with the same batch through the service alone (bench/register_commands.py).

The server is `gunicorn --workers 2` (the machine has 2 cores) on a loopback port; every
request loop is bounded by count. Progress goes to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.common import Progress, migrated_database, percentile, print_table, step

PASSPHRASE = "bench-passphrase-not-secret"
CLIENTS = 4
TOKEN_OPTIONS = ("--role", "operator", "--label", "bench")
HOLDERS = 200
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Sizes:
    transfers: int
    rounds: int
    allocations: int


FULL = Sizes(transfers=3_000, rounds=3, allocations=100_000)
QUICK = Sizes(transfers=300, rounds=2, allocations=10_000)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Client:
    """A JSON client of the server on one loopback port (a new connection per request, as
    gunicorn's sync workers close each one)."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port, self.token = port, token

    def call(self, method: str, path: str, body: object = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        try:
            headers = {"Content-Type": "application/json"}
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            payload = None if body is None else json.dumps(body)
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
            try:
                return response.status, json.loads(data) if data else {}
            except ValueError:
                return response.status, {"body": data[:300].decode(errors="replace")}
        finally:
            connection.close()

    def ok(self, method: str, path: str, body: object = None) -> dict:
        status, answer = self.call(method, path, body)
        if status >= 300:
            raise RuntimeError(f"{method} {path} answered {status}: {answer}")
        return answer


# --- the server --------------------------------------------------------------------------------


def server_environment(url: str, instance: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SHARELEDGER_ENV": "development",
        "SHARELEDGER_INSTANCE": str(instance),
        "DATABASE_URL": url,
        "SIGNING_KEY_FILE": str(instance / "signing-key.pem"),
        "SIGNING_KEY_PASSPHRASE": PASSPHRASE,
        "SECRET_KEY": "bench-not-secret",
        # This benchmark measures the synchronous path: no batch is handed to a job.
        "JOB_THRESHOLD_ROWS": str(10**9),
        "JOB_THRESHOLD_BYTES": str(10**12),
    }


def operator_token(environment: dict[str, str]) -> str:
    """A bearer token made through the CLI, as an operator would."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "tokens", "create", *TOKEN_OPTIONS],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1].strip()


@contextmanager
def gunicorn(environment: dict[str, str], port: int) -> Iterator[None]:
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "900"]
    command += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "bench.http_app:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=environment)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)


# --- the register --------------------------------------------------------------------------


def holder(n: int) -> dict:
    return {
        "name": f"Investor {n}",
        "address": f"{n} Bench Street, London",
        "identifier": f"BENCH-{n:08d}",
        "country": "GB",
        "holder_type": "person",
    }


def funded_issuer(client: Client, name: str, holders: int, shares_each: int) -> tuple[str, list]:
    issuer = client.ok(
        "POST",
        "/api/v1/issuers",
        {"legal_name": name, "registration_number": name.upper(), "jurisdiction": "GB"},
    )
    base = f"/api/v1/issuers/{issuer['id']}"
    client.ok("POST", f"{base}/classes", {"code": "ORD", "name": "Ordinary", "currency": "GBP"})
    ids = [client.ok("POST", f"{base}/holders", holder(n))["holder_id"] for n in range(holders)]
    if shares_each:
        allocations = [{"class": "ORD", "holder_id": i, "quantity": shares_each} for i in ids]
        client.ok("POST", f"{base}/issuances", {"allocations": allocations})
    return issuer["id"], ids


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Rate:
    requests: int = 0
    seconds: float = 0.0
    latencies: list[float] | None = None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        return percentile(self.latencies or [], q) * 1000


def hammer(client: Client, path: str, bodies: Sequence[dict], label: str, rate: Rate) -> None:
    """Send every body from CLIENTS threads; add the wall time and the latencies to `rate`."""
    progress = Progress(label, len(bodies))
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    queue = iter(enumerate(bodies))

    def worker() -> None:
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            started = time.perf_counter()
            status, answer = client.call("POST", path, item[1])
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 201:
                    failures.append(f"{status} {answer}")
                progress.update(len(latencies))

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rate.seconds += time.perf_counter() - started
    progress.done()
    if failures:
        raise RuntimeError(f"{len(failures)} of {len(bodies)} failed, first: {failures[0]}")
    rate.requests += len(bodies)
    rate.latencies = (rate.latencies or []) + latencies


def transfer_bodies(ids: Sequence[str], count: int, seed: int) -> list[dict]:
    chooser = random.Random(seed)
    bodies = []
    for n in range(count):
        source, target = chooser.sample(list(ids), 2)
        bodies.append(
            {
                "class": "ORD",
                "from_holder_id": source,
                "to_holder_id": target,
                "quantity": chooser.randint(1, 5),
                "instrument_reference": f"bench-{seed}-{n}",
            }
        )
    return bodies


@dataclass
class Results:
    engine: str
    ours: Rate
    plain: Rate
    batch_seconds: float
    allocations: int


def bench_engine(engine: str, sizes: Sizes) -> Results:
    with migrated_database(engine) as url, tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        from app.ledger import keys

        keys.save_key(keys.generate_key(), instance / "signing-key.pem", PASSPHRASE)
        environment = server_environment(url, instance)
        step(f"{engine}: operator token, plain-SQL issuer")
        token = operator_token(environment)
        port = free_port()
        with gunicorn(environment, port):
            client = Client(port, token)
            plain_issuer, plain_ids = funded_issuer(client, "Plain Rows Ltd", 4, 0)
        environment = {
            **environment,
            "BENCH_PLAIN_ISSUER": plain_issuer,
            "BENCH_PLAIN_HOLDERS": ",".join(plain_ids),
        }
        port = free_port()
        with gunicorn(environment, port):
            client = Client(port, token)
            step(f"{engine}: an issuer with {HOLDERS} funded holders")
            issuer_id, ids = funded_issuer(client, "Transfer Bench Ltd", HOLDERS, 1_000_000)
            ours, plain = Rate(), Rate()
            per_round = sizes.transfers // sizes.rounds
            for n in range(sizes.rounds):
                bodies = transfer_bodies(ids, per_round, seed=n)
                hammer(client, "/bench/plain-transfer", bodies, f"plain round {n + 1}", plain)
                path = f"/api/v1/issuers/{issuer_id}/transfers"
                hammer(client, path, bodies, f"transfers round {n + 1}", ours)
            step(f"{engine}: one POST /issuances of {sizes.allocations:,} allocations")
            crowd_issuer, _ = funded_issuer(client, "Crowd Round Ltd", 0, 0)
            crowd_ids = register_crowd(client, crowd_issuer, sizes.allocations)
            allocations = [{"class": "ORD", "holder_id": i, "quantity": 10} for i in crowd_ids]
            started = time.perf_counter()
            path = f"/api/v1/issuers/{crowd_issuer}/issuances"
            client.ok("POST", path, {"allocations": allocations})
            batch_seconds = time.perf_counter() - started
    return Results(engine, ours, plain, batch_seconds, sizes.allocations)


def register_crowd(client: Client, issuer_id: str, count: int) -> list[str]:
    """Register the crowd through a CSV import (one command), as a secretary would."""
    # A CSV row is a holding: each member arrives with one share, the round then allots more.
    lines = ["holder_key,name,address,identifier,country,holder_type,class_code,quantity"]
    lines += [
        f"h{n},Investor {n},{n} Crowd Lane,CROWD-{n:08d},GB,person,ORD,1" for n in range(count)
    ]
    body = ("\n".join(lines) + "\n").encode()
    connection = http.client.HTTPConnection("127.0.0.1", client.port, timeout=900)
    try:
        connection.request(
            "POST",
            f"/api/v1/issuers/{issuer_id}/imports?format=csv",
            body=body,
            headers={"Authorization": f"Bearer {client.token}", "Content-Type": "text/csv"},
        )
        response = connection.getresponse()
        answer = response.read()
        if response.status != 201:
            raise RuntimeError(f"import answered {response.status}: {answer[:500]!r}")
    finally:
        connection.close()
    page, ids = None, []
    while True:
        query = f"?limit=1000&after={page}" if page else "?limit=1000"
        answer = client.ok("GET", f"/api/v1/issuers/{issuer_id}/holders{query}")
        ids += [row["holder_id"] for row in answer["holders"]]
        page = answer["next_after"]
        if not page:
            return ids


def print_results(results: Sequence[Results]) -> None:
    rows = []
    for r in results:
        share = r.ours.per_second / r.plain.per_second if r.plain.per_second else 0.0
        rows.append(
            [
                r.engine,
                f"{r.ours.per_second:,.0f}/s",
                f"{r.ours.ms(50):.1f} / {r.ours.ms(99):.1f} ms",
                f"{r.plain.per_second:,.0f}/s",
                f"{r.plain.ms(50):.1f} / {r.plain.ms(99):.1f} ms",
                f"{share:.0%}",
                "yes" if share >= 0.5 else "no",
            ]
        )
    print_table(
        f"Settled transfers over HTTP, gunicorn --workers 2, {CLIENTS} client threads",
        ["engine", "POST transfers", "p50 / p99", "plain endpoint", "p50 / p99", "share", ">= 50%"],
        rows,
    )
    print_table(
        "One POST /issuances, end to end",
        ["engine", "allocations", "seconds"],
        [[r.engine, f"{r.allocations:,}", f"{r.batch_seconds:.1f}"] for r in results],
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args(argv)
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    sizes = QUICK if args.quick else FULL
    print_results([bench_engine(engine, sizes) for engine in engines])


if __name__ == "__main__":
    main()
