"""Importing an existing register into an issuer: from CSV or from an OCF package (zip)."""

from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint

from app.api.access import require_write
from app.api.imports_schemas import (
    ImportQuerySchema,
    ImportRejectedSchema,
    ImportReportSchema,
)
from app.api.jobs import (
    ACCEPTED_DOC,
    JobSchema,
    accept_job,
    spooled_request_body,
)
from app.commands import command
from app.interchange import importing
from app.job_queue import csv_data_rows, over_job_threshold
from app.request_guard import accepts_upload
from app.route_access import ISSUER_WRITE, access

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/issuers/<issuer_id>",
    description="Importing an existing register (CSV, Open Cap Table Format)",
)

REQUEST_BODY = {
    "required": True,
    "description": "The file itself as the body: a CSV file (columns as in docs/import-csv.md, "
    "UTF-8 with or without BOM) for format=csv, or a zip of an OCF 1.2.0 package (the "
    "manifest and the files it lists) for format=ocf.",
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "application/zip": {"schema": {"type": "string", "format": "binary"}},
    },
}


@blp.route("/imports", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(ImportQuerySchema, location="query")
@blp.doc(requestBody=REQUEST_BODY)
@blp.response(201, ImportReportSchema, description="Imported: every change is a log entry")
@blp.alt_response(200, schema=ImportReportSchema, description="Dry run: nothing was written")
@blp.alt_response(202, schema=JobSchema, **ACCEPTED_DOC)
@blp.alt_response(
    422,
    schema=ImportRejectedSchema,
    description="The file has problems (every one is listed); nothing was imported",
)
@accepts_upload
def import_register(query, issuer_id):
    """Import a register of members from CSV or an OCF package, in one command (or dry-run it).

    A CSV of more than JOB_THRESHOLD_ROWS data lines, or a file larger than JOB_THRESHOLD_BYTES,
    is imported (or dry-run) by a job: 202 with the job, whose result is this report."""
    principal = require_write(issuer_id)
    with spooled_request_body() as body:
        rows = csv_data_rows(body.lines) if query["format"] == "csv" else None
        if over_job_threshold(rows, body.size):
            return accept_job(principal, issuer_id, "import", query, payload=body.rewound())
        content = body.read()
    source = importing.read_source(query["format"], content, verify_checksums=query["checksums"])
    try:
        with command(principal.actor, issuer_id) as ctx:
            report = importing.import_register(ctx, source, dry_run=query["dry_run"])
    except importing.ImportRejected as rejected:
        return _rejected(rejected.report)
    return report.as_dict(), 200 if report.dry_run else 201


def _rejected(report: importing.Report) -> Response:
    response = jsonify({"code": "import_rejected", **report.as_dict()})
    response.status_code = 422
    return response
