"""What each kind of job runs: the same command as the API's synchronous path, with the
request the API accepted (its parameters and its body, stored with the job).

Each kind calls `run.succeed` inside its command, so that the job's success commits with
what the command wrote; a refusal raises (the command rolls back) and the job ends failed
with the refusal's code and message (app.jobs.runner).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator

import marshmallow as ma

from app.api.batch_rows import IssuanceSchema
from app.api.register import recorded
from app.commands import command
from app.extensions import db
from app.interchange import importing
from app.interchange.formats import ocf_export
from app.jobs import JobFailed, JobRun, Kind, ProgressReporter
from app.jobs.store import CHUNK_BYTES
from app.ledger import log
from app.register import issuance
from app.register import snapshot as snapshots


class _ImportProgress(importing.Progress):
    """The importer's progress steps, passed on to the job's reporter."""

    def __init__(self, reporter: ProgressReporter) -> None:
        super().__init__()
        self.reporter = reporter

    def step(self, stage: str, done: int, total: int | None = None) -> None:
        self.reporter.step(stage, done, total)


def run_import(run: JobRun) -> None:
    parameters = run.parameters
    progress = _ImportProgress(run.progress)
    try:
        # A file that cannot be read is reported as the synchronous path reports it: rejected,
        # with its problems.
        source = importing.read_source(
            parameters["format"],
            run.payload,
            verify_checksums=parameters["checksums"],
            progress=progress,
        )
        with command(run.job.created_by, run.job.issuer_id) as ctx:
            # The import's first entry is at the log's size before it (as a page confirms it).
            first = log.signed_size(ctx.session, run.job.issuer_id)
            report = importing.import_register(
                ctx, source, dry_run=parameters["dry_run"], progress=progress
            )
            run.succeed(ctx.session, {**report.as_dict(), **_entries_from(first, report)})
    except importing.ImportRejected as rejected:
        report = rejected.report
        raise JobFailed("import_rejected", report.message, report.as_dict()) from None


def _entries_from(first: int, report: importing.Report) -> dict[str, int]:
    """The first and last log index an import recorded (none for a dry run)."""
    recorded = report.counts.get("log_entries", 0) if report.imported else 0
    if not recorded:
        return {}
    return {"first_log_index": first, "last_log_index": first + recorded - 1}


def run_issuance(run: JobRun) -> None:
    try:
        request = IssuanceSchema().load(json.loads(run.payload))
    except ma.ValidationError as error:  # checked at the door; only a changed schema gets here
        raise JobFailed(
            "invalid_input", "the batch is invalid", {"errors": error.messages}
        ) from None
    with command(run.job.created_by, run.job.issuer_id) as ctx:
        run.progress.count_entries(ctx, "allocations recorded", len(request.allocations))
        entries = issuance.issue_shares(ctx, request)
        run.succeed(ctx.session, recorded(entries))


def run_ocf_export(run: JobRun) -> None:
    """Render the package into a temporary file on a read session, then store it with the
    job's success: a long export never holds SQLite's one write transaction."""
    taken = snapshots.take_snapshot(db.session, run.job.issuer_id, run.parameters["tree_size"])
    with tempfile.TemporaryFile() as package:
        for piece in ocf_export.render(db.session, taken, generated_at=run.clock()):
            package.write(piece)
        size = package.tell()
        package.seek(0)
        db.session.rollback()
        result = {
            "tree_size": taken.tree_size,
            "holder_count": taken.holder_count,
            "bytes": size,
            "filename": f"register-{taken.issuer.id}-{taken.tree_size}.ocf.zip",
        }
        with db.write() as session:
            run.succeed(
                session, result, result_file=_chunks(package), media_type=ocf_export.MEDIA_TYPE
            )


def _chunks(file) -> Iterator[bytes]:
    return iter(lambda: file.read(CHUNK_BYTES), b"")


JOB_KINDS: dict[str, Kind] = {
    "import": run_import,
    "issuance": run_issuance,
    "ocf_export": run_ocf_export,
}
