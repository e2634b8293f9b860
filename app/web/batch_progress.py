"""Large batches in the browser: the "Issue shares" page hands a checked CSV over the API's job
threshold (JOB_THRESHOLD_ROWS data rows or JOB_THRESHOLD_BYTES) to the same kind of job the
API queues for a large import,
and the secretary follows it on a page that refreshes itself until the job has ended, then
shows what it recorded (with links to the entries and their proofs) or why it failed.

The page polls a JSON rendering of the job (the API's own job view) with a vendored script;
without scripts a meta refresh reloads the page instead."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for
from flask_login import login_required

from app.api.jobs import job_view
from app.extensions import db
from app.job_queue import queue_job
from app.jobs import JobNotFound
from app.jobs import queries as job_queries
from app.models.jobs import FAILED, QUEUED, RUNNING, SUCCEEDED, Job
from app.register import queries
from app.route_access import ISSUER_WRITE, access
from app.web.page_access import secretary_of

blp = Blueprint("batch_progress", __name__, url_prefix="/issuers")

# The API's parameters for a CSV import that writes (app.api.imports_schemas' defaults).
CSV_IMPORT = {"format": "csv", "dry_run": False, "checksums": True}
REFRESH_SECONDS = 2
KIND_TITLES = {
    "import": "Import of members and their shares",
    "issuance": "Batch issuance of shares",
    "ocf_export": "Export of the register (Open Cap Table Format)",
}
STATE_WORDS = {
    QUEUED: "Waiting for the worker to start it",
    RUNNING: "Running",
    SUCCEEDED: "Done",
    FAILED: "Failed: nothing was written",
}


def start_import_job(actor: str, issuer_id: str, path: Path, rows: int):
    """Queue the checked file's import as a job and go to its progress page."""
    with path.open("rb") as upload:
        job = queue_job(actor, issuer_id, "import", CSV_IMPORT, payload=upload, total=rows)
    path.unlink(missing_ok=True)
    return redirect(url_for("batch_progress.job", issuer_id=issuer_id, job_id=job.job_id))


def _issuers_job(issuer_id: str, job_id: str) -> Job:
    """The issuer's job; a job of another issuer is as unknown as a made-up id."""
    try:
        found = job_queries.find_job(db.session, job_id)
    except JobNotFound:
        abort(404)
    if found.issuer_id != issuer_id:
        abort(404)
    return found


def _job_for_secretary(issuer_id: str, job_id: str) -> tuple[Job, dict]:
    """The issuer's job, for its secretary, and the job as the API renders it."""
    secretary_of(issuer_id)
    found = _issuers_job(issuer_id, job_id)
    return found, job_view(found, job_queries.has_result_file(db.session, found))


@blp.route("/<issuer_id>/jobs/<job_id>")
@access(ISSUER_WRITE)
@login_required
def job(issuer_id: str, job_id: str):
    found, view = _job_for_secretary(issuer_id, job_id)
    return render_template(
        "batch_progress.html",
        issuer=queries.get_issuer(db.session, issuer_id),
        job=view,
        title=KIND_TITLES.get(found.kind, "Background job"),
        state_words=STATE_WORDS,
        finished=found.state in (SUCCEEDED, FAILED),
        refresh_seconds=REFRESH_SECONDS,
    )


@blp.route("/<issuer_id>/jobs/<job_id>/status")
@access(ISSUER_WRITE)
@login_required
def job_status(issuer_id: str, job_id: str):
    """The job as the API renders it, for the progress page's script."""
    found, view = _job_for_secretary(issuer_id, job_id)
    return jsonify({**view, "state_words": STATE_WORDS[found.state]})
