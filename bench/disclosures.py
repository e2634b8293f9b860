"""Benchmark disclosures with attachments: publishing (hash, store, log entry), storing the same
file again (deduplicated), checked downloads, and `log verify`'s rehash of every document.

    .venv/bin/python -m bench.disclosures [--engine sqlite|postgresql|both]
                                          [--store database|filesystem|both] [--quick]

Each publication is one command through the service (`app.disclosures.services.publish`) with
one attachment of random bytes; the figures are per publication and in MB/s of attachment.
"""

from __future__ import annotations

import argparse
import os
import time

from app.commands import command
from app.disclosures import services
from app.disclosures.documents import current_store, read_document, sha256_hex
from app.disclosures.requests import PublishDisclosure, UploadedFile
from app.disclosures.verification import check_documents
from app.extensions import db
from app.register import issuers
from app.register.requests import RegisterIssuer
from bench.common import flask_app, migrated_database, print_table, step

MEGABYTE = 1024 * 1024
FULL = {"publications": 40, "size": 5 * MEGABYTE}
QUICK = {"publications": 10, "size": MEGABYTE}


def _request(title: str, upload: UploadedFile) -> PublishDisclosure:
    return PublishDisclosure(
        category="financial_statement", title=title, body=f"{title}.", attachments=(upload,)
    )


def run(engine_name: str, store_kind: str, publications: int, size: int) -> list[str]:
    with migrated_database(engine_name) as url, flask_app(url) as app:
        app.config["DOCUMENT_STORE"] = store_kind
        with command("bench") as ctx:
            issuer_id = issuers.register_issuer(
                ctx, RegisterIssuer("Bench Disclosures plc", "BENCHD1", "GB")
            ).id
        uploads = [
            UploadedFile(f"statement-{n}.pdf", "application/pdf", os.urandom(size))
            for n in range(publications)
        ]
        step(f"{engine_name}/{store_kind}: publishing {publications} x {size / MEGABYTE:.0f} MB")
        started = time.perf_counter()
        for n, upload in enumerate(uploads):
            with command("bench", issuer_id) as ctx:
                services.publish(ctx, _request(f"Statement {n}", upload))
        publish_seconds = time.perf_counter() - started

        started = time.perf_counter()
        for n, upload in enumerate(uploads):
            with command("bench", issuer_id) as ctx:
                services.publish(ctx, _request(f"Statement {n}, again", upload))
        again_seconds = time.perf_counter() - started

        store = current_store()
        started = time.perf_counter()
        for upload in uploads:
            read_document(db.session, store, sha256_hex(upload.content))
        read_seconds = time.perf_counter() - started

        started = time.perf_counter()
        report = check_documents(db.session, store, issuer_id)
        verify_seconds = time.perf_counter() - started

    megabytes = publications * size / MEGABYTE
    return [
        engine_name,
        store_kind,
        f"{publish_seconds / publications * 1000:.0f} ms ({megabytes / publish_seconds:.0f} MB/s)",
        f"{again_seconds / publications * 1000:.0f} ms",
        f"{megabytes / read_seconds:.0f} MB/s",
        f"{report.documents} in {verify_seconds:.2f} s "
        f"({report.size / MEGABYTE / verify_seconds:.0f} MB/s)",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--store", choices=("database", "filesystem", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="10 files of 1 MB")
    args = parser.parse_args()
    load = QUICK if args.quick else FULL
    engines = ("sqlite", "postgresql") if args.engine == "both" else (args.engine,)
    stores = ("database", "filesystem") if args.store == "both" else (args.store,)
    rows = [run(e, s, load["publications"], load["size"]) for e in engines for s in stores]
    title = (
        f"disclosures, {load['publications']} publications of one "
        f"{load['size'] / MEGABYTE:.0f} MB attachment each"
    )
    headers = ["engine", "store", "publish", "same file again", "checked read", "verify rehash"]
    print_table(title, headers, rows)


if __name__ == "__main__":
    main()
