"""The API's error body as the OpenAPI document describes it (the handlers are in
`app.errors`)."""

from __future__ import annotations

import marshmallow as ma


class ErrorSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "Machine-readable error code"})
    message = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    errors = ma.fields.Dict(metadata={"description": "Field-by-field messages, when any"})
    details = ma.fields.Dict(metadata={"description": "Figures behind a refusal, when any"})
    reasons = ma.fields.List(
        ma.fields.Dict(),
        metadata={"description": "A refused transfer: every failing rule (see can-transfer)"},
    )
