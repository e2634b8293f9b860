"""Schemas of the jobs API."""

from __future__ import annotations

import marshmallow as ma

from app.models.jobs import STATES


class ProgressSchema(ma.Schema):
    stage = ma.fields.String(
        allow_none=True, metadata={"description": "What the job is doing now, e.g. 'rows read'"}
    )
    done = ma.fields.Integer(required=True)
    total = ma.fields.Integer(allow_none=True, metadata={"description": "null when not known"})


class JobErrorSchema(ma.Schema):
    code = ma.fields.String(
        required=True,
        metadata={
            "description": "Machine code: the refusal's (e.g. import_rejected), or internal_error"
        },
    )
    message = ma.fields.String(required=True)


class JobSchema(ma.Schema):
    id = ma.fields.String(required=True)
    issuer_id = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "import, issuance, ocf_export"})
    state = ma.fields.String(
        required=True,
        metadata={"description": " -> ".join(STATES[:2]) + " -> succeeded or failed"},
    )
    parameters = ma.fields.Dict(required=True)
    progress = ma.fields.Nested(ProgressSchema, required=True)
    result = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "What the synchronous answer would have been (an import's report, "
            "a batch's log indexes); a failed import's report with its problems"
        },
    )
    result_url = ma.fields.String(
        allow_none=True, metadata={"description": "Where the result file is (an OCF export)"}
    )
    error = ma.fields.Nested(JobErrorSchema, allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)


class ExportQuerySchema(ma.Schema):
    format = ma.fields.String(
        load_default="ocf",
        validate=ma.validate.OneOf(("ocf",)),
        metadata={"description": "ocf: an Open Cap Table Format 1.2.0 zip"},
    )
