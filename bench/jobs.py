"""Benchmark a 100,000-row CSV import through a background job, on PostgreSQL.

    .venv/bin/python -m bench.jobs [--quick | --rows N] [--no-redis]

`gunicorn --workers 1` serves the app and `flask jobs work` runs beside it (woken by RQ on the
Redis at REDIS_URL, default 127.0.0.1:6379, or with --no-redis polling the database). The
benchmark posts the CSV (`POST /imports?format=csv`, answered 202), polls the job until it
ends, and prints: seconds from the POST to the job's end, rows per second, the seconds the
web process took to answer 202, and the peak resident memory (VmHWM) of the web worker and
of the job worker, each with what it had before the import. The web worker must not hold the
batch: its peak should barely move however large the file.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from bench.common import migrated_database, print_table, step
from bench.http_writes import ROOT, Client, free_port, operator_token, server_environment

FULL_ROWS = 100_000
QUICK_ROWS = 5_000
HEADER = (
    "holder_key,name,address,identifier,country,holder_type,class_code,class_name,currency,quantity"
)


def csv_rows(count: int) -> bytes:
    lines = [HEADER]
    lines += [
        f"h{n},Investor {n},{n} Bench Street London,BENCH-{n:08d},GB,person,ORD,Ordinary,GBP,"
        f"{n % 97 + 1}"
        for n in range(count)
    ]
    return ("\n".join(lines) + "\n").encode()


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


@contextmanager
def process(command: list[str], environment: dict[str, str]) -> Iterator[subprocess.Popen]:
    running = subprocess.Popen(command, cwd=ROOT, env=environment)
    try:
        yield running
    finally:
        running.terminate()
        try:
            running.wait(timeout=30)
        except subprocess.TimeoutExpired:
            step(f"{command[2:5]} did not stop within 30 s of SIGTERM: killed")
            running.kill()
            running.wait()


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            Client(port).call("GET", "/api/v1/log/keys")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def post_csv(port: int, token: str, path: str, body: bytes) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    try:
        headers = {"Content-Type": "text/csv", "Authorization": f"Bearer {token}"}
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def run(rows: int, use_redis: bool) -> list[tuple[str, str]]:
    with migrated_database("postgresql") as url, tempfile.TemporaryDirectory() as folder:
        environment = server_environment(url, Path(folder))
        environment["JOB_THRESHOLD_ROWS"] = str(min(10_000, rows // 2))
        environment["JOB_POLL_SECONDS"] = "0.2"
        if use_redis:
            environment["REDIS_URL"] = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
            environment["JOB_QUEUE"] = f"shareledger-bench-{uuid.uuid4().hex}"
        else:
            environment.pop("REDIS_URL", None)
        token = operator_token(environment)
        port = free_port()
        web = [sys.executable, "-m", "gunicorn", "--workers", "1", "--timeout", "900"]
        web += ["--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
        worker = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work"]
        with process(web, environment) as server, process(worker, environment) as jobs:
            wait_for_port(port)
            client = Client(port, token)
            issuer = client.ok(
                "POST",
                "/api/v1/issuers",
                {
                    "legal_name": "Bench Jobs plc",
                    "registration_number": "BJ1",
                    "jurisdiction": "GB",
                },
            )
            body = csv_rows(rows)
            (web_pid,) = children(server.pid)
            web_before, worker_before = peak_rss_mb(web_pid), peak_rss_mb(jobs.pid)
            step(f"posting {rows:,} rows ({len(body) / 2**20:.1f} MiB)")
            started = time.perf_counter()
            status, job = post_csv(
                port, token, f"/api/v1/issuers/{issuer['id']}/imports?format=csv", body
            )
            accepted = time.perf_counter() - started
            if status != 202:
                raise RuntimeError(f"expected 202, got {status}: {job}")
            while job["state"] in ("queued", "running"):
                time.sleep(0.2)
                job = client.ok("GET", f"/api/v1/jobs/{job['id']}")
            seconds = time.perf_counter() - started
            if job["state"] != "succeeded":
                raise RuntimeError(f"the job failed: {job['error']} {job['result']}")
            web_peak, worker_peak = peak_rss_mb(web_pid), peak_rss_mb(jobs.pid)
    return [
        ("rows", f"{rows:,}"),
        ("log entries", f"{job['result']['counts']['log_entries']:,}"),
        ("wake-up", "RQ on Redis" if use_redis else "database polling"),
        ("202 answered after (s)", f"{accepted:.2f}"),
        ("import done after (s)", f"{seconds:.1f}"),
        ("rows per second", f"{rows / seconds:,.0f}"),
        ("web worker peak RSS (MiB)", f"{web_peak:.0f} (before: {web_before:.0f})"),
        ("job worker peak RSS (MiB)", f"{worker_peak:.0f} (before: {worker_before:.0f})"),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS:,} rows")
    parser.add_argument("--rows", type=int, help=f"rows to import (default {FULL_ROWS:,})")
    parser.add_argument("--no-redis", action="store_true", help="the worker polls the database")
    args = parser.parse_args(argv)
    rows = args.rows or (QUICK_ROWS if args.quick else FULL_ROWS)
    figures = run(rows, use_redis=not args.no_redis)
    print_table("CSV import through a job (PostgreSQL)", ["figure", "value"], figures)


if __name__ == "__main__":
    main()
