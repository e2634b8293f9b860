"""Background jobs: reading one (`GET /jobs/{id}`), its result file, asking for a large OCF
export; and `accept_job`, the 202 answer every view that hands work to a job gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from flask import Response, jsonify, request, stream_with_context, url_for
from flask_smorest import Blueprint

from app.api.access import require_principal, require_read
from app.api.errors import ErrorSchema
from app.api.jobs_schemas import ExportQuerySchema, JobSchema
from app.api.snapshot_schemas import SnapshotQuery
from app.auth.disclosure import disclose_read
from app.auth.principal import Principal
from app.errors import ApiError
from app.extensions import db
from app.job_queue import queue_job
from app.jobs import queries
from app.models.jobs import SUCCEEDED, Job
from app.register import snapshot as snapshots
from app.route_access import ISSUER_JOB, ISSUER_READ, access

blp = Blueprint("jobs", __name__, url_prefix="/api/v1", description="Background jobs")

# An upload is held in memory up to this size while it is read, on disk beyond it.
SPOOL_IN_MEMORY_BYTES = 1024 * 1024
READ_BYTES = 64 * 1024
ACCEPTED_DOC = {
    "description": "Too large to do within the request: queued as a job. `Location` is the "
    "job; poll it for progress, the result or the error",
    "headers": {"Location": {"description": "/api/v1/jobs/{id}", "schema": {"type": "string"}}},
}


def job_view(job: Job, has_file: bool) -> dict[str, Any]:
    return {
        "id": job.job_id,
        "issuer_id": job.issuer_id,
        "kind": job.kind,
        "state": job.state,
        "parameters": json.loads(job.parameters),
        "progress": {
            "stage": job.progress_stage,
            "done": job.progress_done,
            "total": job.progress_total,
        },
        "result": json.loads(job.result) if job.result else None,
        "result_url": url_for("jobs.job_result", job_id=job.job_id) if has_file else None,
        "error": {"code": job.error_code, "message": job.error_message} if job.error_code else None,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def accept_job(
    principal: Principal,
    issuer_id: str,
    kind: str,
    parameters: dict[str, Any],
    payload: IO[bytes] | None = None,
    total: int | None = None,
) -> Response:
    """Queue a job and answer 202 with it."""
    job = queue_job(principal.actor, issuer_id, kind, parameters, payload=payload, total=total)
    body = JobSchema().dump(job_view(job, has_file=False))
    response = jsonify(body)
    response.status_code = 202
    response.headers["Location"] = url_for("jobs.get_job", job_id=body["id"])
    return response


@dataclass
class SpooledBody:
    """A request body read into a temporary file (memory, then disk), with its size and lines."""

    file: IO[bytes]
    size: int
    lines: int

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def rewound(self) -> IO[bytes]:
        self.file.seek(0)
        return self.file


@contextmanager
def spooled_request_body() -> Iterator[SpooledBody]:
    """The body, read a piece at a time into a temporary file, so that a large upload handed
    to a job is never held in the web process whole."""
    with SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
        size = lines = 0
        for piece in iter(lambda: request.stream.read(READ_BYTES), b""):
            spool.write(piece)
            size += len(piece)
            lines += piece.count(b"\n")
        if size == 0:
            # Something may have read the body before the view (the Idempotency-Key
            # fingerprint): then Flask cached it, and the stream is spent.
            cached = request.get_data()
            spool.write(cached)
            size, lines = len(cached), cached.count(b"\n")
        yield SpooledBody(spool, size, lines)


def _visible_job(job_id: str) -> tuple[Principal, Job]:
    """The job, for its creator and whoever may change its issuer's register; anyone else is
    told it does not exist (as for an unknown id: no probing)."""
    principal = require_principal()
    try:
        job = queries.find_job(db.session, job_id)
    except queries.JobNotFound:
        job = None
    if job is None or not (job.created_by == principal.actor or principal.can_write(job.issuer_id)):
        raise ApiError(404, "not_found", f"no job {job_id}")
    return principal, job


@blp.route("/jobs/<job_id>")
@access(ISSUER_JOB)
@blp.response(200, JobSchema)
def get_job(job_id):
    """A job: its state (queued, running, succeeded, failed), progress, result or error."""
    _, job = _visible_job(job_id)
    return job_view(job, queries.has_result_file(db.session, job))


@blp.route("/jobs/<job_id>/result")
@access(ISSUER_JOB)
@blp.doc(
    responses={
        "200": {
            "description": "The job's result file (an OCF export's zip)",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
    }
)
@blp.alt_response(
    409, schema=ErrorSchema, description="The job has not succeeded (yet): `job_not_finished`"
)
def job_result(job_id):
    """Download a finished job's result file, streamed. Reads by regulators, auditors and
    operators are written to the access log."""
    principal, job = _visible_job(job_id)
    if job.state != SUCCEEDED:
        raise ApiError(409, "job_not_finished", f"the job is {job.state}; no result yet")
    if not queries.has_result_file(db.session, job):
        raise ApiError(404, "no_result_file", "this job's result is in the job itself")
    disclose_read(principal, job.issuer_id)
    result = json.loads(job.result or "{}")
    headers = {"Content-Disposition": f'attachment; filename="{result.get("filename", "result")}"'}
    return Response(
        stream_with_context(queries.result_file(db.session, job)),
        mimetype=job.result_media_type or "application/octet-stream",
        headers=headers,
    )


class ExportQuery(SnapshotQuery):
    format = ExportQuerySchema._declared_fields["format"]


@blp.route("/issuers/<issuer_id>/exports", methods=["POST"])
@access(ISSUER_READ)
@blp.arguments(ExportQuery, location="query", error_status_code=400)
@blp.response(
    202, JobSchema, description=ACCEPTED_DOC["description"], headers=ACCEPTED_DOC["headers"]
)
def export_register(query, issuer_id):
    """Export the register as of a signed size (`tree_size`, `as_of`, default the latest) as an
    OCF package, built by a job: for registers too large to stream within a request. The
    package is downloaded from the job's `result_url`."""
    principal = require_read(issuer_id)
    # Resolved now, so that a bad size or moment is refused at once (404 `no_checkpoint`,
    # 400 `out_of_range`) and the job exports exactly the size resolved.
    taken = snapshots.take_snapshot(
        db.session, issuer_id, query.get("tree_size"), query.get("as_of")
    )
    parameters = {"format": query["format"], "tree_size": taken.tree_size}
    return accept_job(principal, issuer_id, "ocf_export", parameters, total=taken.holder_count)
