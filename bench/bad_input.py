"""Benchmark what refusing bad input costs good input: the strict JSON door and CSV neutralising.

    .venv/bin/python -m bench.bad_input [--quick]

- The door (`app.strict_json.loads`) against the standard library's `json.loads` on the body
  of a batch issuance of 100,000 allocations with every field (about 16 MiB, the JSON limit),
  which the service parses once at the door and once more in webargs.
- The snapshot CSV renderer (`app.interchange.formats.snapshot_csv.render`) of 1,000,000
  holdings with and without the formula check, and with a dangerous name in every batch (the
  slow path: every cell of those batches is looked at).

Each figure is the best of five runs, in one process, no database.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from unittest import mock

from app import strict_json
from app.interchange.formats import CHUNK_ROWS, snapshot_csv
from app.register.snapshot import HoldingRow
from bench.common import print_table

RUNS = 5


def best_of(run: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def issuance_body(allocations: int) -> bytes:
    rows = [
        {
            "class": "ORD",
            "holder_id": f"00000000-0000-4000-8000-{n:012d}",
            "quantity": 1_000 + n,
            "price_per_share": "1.25",
            "currency": "GBP",
            "reference": f"certificate {n}",
        }
        for n in range(allocations)
    ]
    return json.dumps({"allocations": rows}).encode()


def holdings(count: int, dangerous_every: int | None = None) -> list[HoldingRow]:
    rows = []
    for n in range(count):
        name = f"=cmd|' /C calc'!A{n}" if dangerous_every and n % dangerous_every == 0 else ""
        rows.append(
            HoldingRow(
                "ORD",
                f"00000000-0000-4000-8000-{n:012d}",
                name or f"Holder Number {n}",
                f"{n} High Street, Bristol",
                "GB",
                100 + n,
                "0.0001",
                "0.0001",
            )
        )
    return rows


def render(rows: Sequence[HoldingRow]) -> int:
    return sum(map(len, snapshot_csv.render(rows)))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args(argv)
    allocations, rows_count = (10_000, 100_000) if args.quick else (100_000, 1_000_000)

    body = issuance_body(allocations)
    stdlib = best_of(lambda: json.loads(body))
    strict = best_of(lambda: strict_json.loads(body))
    print_table(
        f"JSON body of {allocations:,} allocations ({len(body) / 2**20:.1f} MiB)",
        ["parser", "seconds", "vs json.loads"],
        [
            ["json.loads", f"{stdlib:.3f}", "1.00x"],
            ["strict_json.loads", f"{strict:.3f}", f"{strict / stdlib:.2f}x"],
        ],
    )

    plain_rows = holdings(rows_count)
    dangerous_rows = holdings(rows_count, dangerous_every=CHUNK_ROWS)
    checked = best_of(lambda: render(plain_rows))
    with mock.patch.object(snapshot_csv, "safe_batch", lambda batch, _columns: batch):
        unchecked = best_of(lambda: render(plain_rows))
    slow = best_of(lambda: render(dangerous_rows))
    print_table(
        f"snapshot CSV of {rows_count:,} holdings",
        ["rendering", "seconds", "vs unchecked"],
        [
            ["without the formula check", f"{unchecked:.3f}", "1.00x"],
            ["with it, nothing to neutralise", f"{checked:.3f}", f"{checked / unchecked:.2f}x"],
            ["with it, one formula per batch", f"{slow:.3f}", f"{slow / unchecked:.2f}x"],
        ],
    )


if __name__ == "__main__":
    main()
