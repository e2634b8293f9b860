"""Schemas for importing an existing register."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.api.errors import ErrorSchema
from app.interchange.importing import FORMATS


class ImportQuerySchema(ma.Schema):
    format = ma.fields.String(
        required=True,
        validate=validate.OneOf(FORMATS),
        metadata={"description": "csv (body text/csv) or ocf (body application/zip)"},
    )
    dry_run = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Check everything and report, writing nothing"},
    )
    checksums = ma.fields.Boolean(
        load_default=True,
        metadata={"description": "OCF: check each listed file's MD5 against the manifest"},
    )


class ProblemSchema(ma.Schema):
    where = ma.fields.String(
        required=True,
        metadata={
            "description": "CSV: 'line N' (the header is line 1). OCF: the object's id, or the "
            "file's path for a problem with a whole file"
        },
    )
    code = ma.fields.String(required=True, metadata={"description": "Machine-readable code"})
    message = ma.fields.String(required=True)


class SkippedSchema(ma.Schema):
    where = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


def _report_fields(required: bool) -> dict[str, ma.fields.Field]:
    return {
        "ok": ma.fields.Boolean(
            required=required, metadata={"description": "True when nothing is wrong"}
        ),
        "format": ma.fields.String(required=required),
        "dry_run": ma.fields.Boolean(required=required),
        "imported": ma.fields.Boolean(
            required=required, metadata={"description": "True once the register was written"}
        ),
        "message": ma.fields.String(required=required),
        "problems": ma.fields.List(ma.fields.Nested(ProblemSchema), required=required),
        "skipped": ma.fields.List(
            ma.fields.Nested(SkippedSchema),
            required=required,
            metadata={"description": "What the file holds that is not share register data"},
        ),
        "counts": ma.fields.Dict(
            keys=ma.fields.String(),
            values=ma.fields.Integer(),
            required=required,
            metadata={
                "description": "What was (or would be) recorded: classes, holders, issuances, "
                "transfers, cancellations, ..., and log_entries in all"
            },
        ),
    }


ImportReportSchema = ma.Schema.from_dict(_report_fields(required=True), name="ImportReportSchema")
# A rejected import answers with code import_rejected and the whole report; invalid parameters
# answer with the API's usual error (code invalid_input and field messages).
ImportRejectedSchema = ErrorSchema.from_dict(
    _report_fields(required=False), name="ImportRejectedSchema"
)
