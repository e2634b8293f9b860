"""Benchmark the public disclosure pages and feeds of an issuer with many disclosures.

    .venv/bin/python -m bench.disclosure_pages [--engine sqlite|postgresql|both] [--quick]
                                               [--disclosures N] [--requests N]

The issuer publishes N disclosures through the service (each with a Markdown body and a
100 KB attachment; every fifth is amended once, every tenth withdrawn). Then each page is
requested through Flask's test client, as an anonymous reader would: the list's first page,
one version's page, an attachment's download (rehashed before it is sent), the Atom and the
JSON feed (50 entries each, every body read from the store, checked against its hash and
rendered), and the server-side "check a document" lookup. Figures: median and 95th percentile
milliseconds per request, and bytes answered.
PostgreSQL: BENCH_DATABASE_URL names the admin database (see bench/common.py).
"""

from __future__ import annotations

import argparse
import hashlib
import time

from app.commands import command
from app.disclosures import services
from app.disclosures.requests import (
    AmendDisclosure,
    PublishDisclosure,
    UploadedFile,
    WithdrawDisclosure,
)
from app.register import issuers
from app.register.requests import RegisterIssuer
from bench.common import flask_app, migrated_database, percentile, print_table, step

ACTOR = "bench"
BODY = (
    "# Results for the year\n\nRevenue **rose** by 12%; see the [accounts](https://example.test/a).\n\n"
    + "- a point made at some length about the year's trading\n" * 40
)
FULL, QUICK = (500, 30), (60, 8)


def _attachment(number: int) -> UploadedFile:
    content = f"year,figure,{number}\n".encode() + b"2026,1200000\n" * 7_700  # ~100 KB
    return UploadedFile(f"figures-{number}.csv", "text/csv", content)


def _build(count: int) -> tuple[str, str, str]:
    """An issuer with `count` disclosures; one version's id and one attachment's SHA-256."""
    request = RegisterIssuer(legal_name="Bench Disclosures plc", registration_number="BD1",
                             jurisdiction="GB")  # fmt: skip
    with command(ACTOR) as ctx:
        issuer_id = issuers.register_issuer(ctx, request).id
    first = None
    for number in range(count):
        with command(ACTOR, issuer_id) as ctx:
            recorded = services.publish(ctx, PublishDisclosure(
                category="material_event", title=f"Announcement {number}", body=BODY,
                body_format="markdown", attachments=(_attachment(number),),
            ))  # fmt: skip
            first = first or recorded
            if number % 5 == 0:
                recorded = services.amend(ctx, AmendDisclosure(
                    disclosure_id=recorded.disclosure_id, category="material_event",
                    title=f"Announcement {number} (corrected)", body=BODY + "\nCorrected.",
                    body_format="markdown", kept_attachments=(recorded.attachments[0].sha256,),
                ))  # fmt: skip
            if number % 10 == 9:
                services.withdraw(ctx, WithdrawDisclosure(recorded.disclosure_id, "in error"))
    return issuer_id, first.disclosure_id, first.attachments[0].sha256


def _measure(client, path: str, requests: int) -> list[object]:
    timings, size = [], 0
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        size = len(response.get_data())
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return [f"{percentile(timings, 50):.1f}", f"{percentile(timings, 95):.1f}", f"{size:,}"]


def run(engine: str, count: int, requests: int) -> None:
    with migrated_database(engine) as url, flask_app(url) as app:
        step(f"{engine}: publishing {count:,} disclosures")
        started = time.perf_counter()
        issuer_id, disclosure_id, sha256 = _build(count)
        built = time.perf_counter() - started
        client = app.test_client()
        base = f"/issuers/{issuer_id}/disclosures"
        pages = {
            "list, first page": base,
            "one version": f"{base}/{disclosure_id}",
            "attachment download": f"{base}/{disclosure_id}/files/{sha256}",
            "Atom feed": f"{base}.atom",
            "JSON feed": f"{base}.json",
            "check a document": f"/verify-document?sha256={sha256}",
        }
        step(f"{engine}: {requests} requests per page")
        rows = [[name, *_measure(client, path, requests)] for name, path in pages.items()]
        print_table(
            f"Disclosure pages, {engine}: {count:,} disclosures published in {built:.1f} s "
            f"({count / built:.1f}/s)",
            ["page", "median ms", "p95 ms", "bytes"],
            rows,
        )
        assert hashlib.sha256(client.get(pages["attachment download"]).data).hexdigest() == sha256


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK[0]} disclosures")
    parser.add_argument("--disclosures", type=int)
    parser.add_argument("--requests", type=int)
    options = parser.parse_args()
    count, requests = QUICK if options.quick else FULL
    count, requests = options.disclosures or count, options.requests or requests
    engines = ["sqlite", "postgresql"] if options.engine == "both" else [options.engine]
    for engine in engines:
        run(engine, count, requests)


if __name__ == "__main__":
    main()
