"""Schemas of the reads regulators need (app.api.regulators)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.api.fields import TEXT_PATTERN
from app.api.log_schemas import NON_NEGATIVE
from app.api.register_schemas import HolderSchema
from app.register.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class IssuerListQuery(ma.Schema):
    jurisdiction = ma.fields.String(
        validate=validate.Regexp(
            r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$",
            error="use an ISO 3166 code such as GB or US-DE",
        ),
        metadata={
            "description": "Only issuers registered there: a country (GB, which includes its "
            "subdivisions) or a subdivision (US-DE)"
        },
    )


class IndexPageQuery(ma.Schema):
    after = ma.fields.Integer(
        validate=NON_NEGATIVE,
        metadata={"description": "Continue after this one: the `next_after` of the last page"},
    )
    limit = ma.fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Items per page, at most {MAX_PAGE_SIZE}"},
    )


class IndexPageSchema(ma.Schema):
    next_after = ma.fields.Integer(
        allow_none=True, metadata={"description": "Send as `after` for the next page; null last"}
    )
    next = ma.fields.String(
        allow_none=True, metadata={"description": "The next page's URL; null on the last page"}
    )


class CheckpointSchema(ma.Schema):
    tree_size = ma.fields.Integer(required=True)
    root_hash = ma.fields.String(required=True, metadata={"description": "base64"})
    note = ma.fields.String(
        required=True, metadata={"description": "The C2SP signed checkpoint note, as served"}
    )
    signed_at = ma.fields.DateTime(required=True)


class CheckpointPageSchema(IndexPageSchema):
    checkpoints = ma.fields.List(ma.fields.Nested(CheckpointSchema), required=True)


class HolderLookupQuery(ma.Schema):
    identifier = ma.fields.String(
        required=True,
        validate=[validate.Length(min=1, max=64), validate.Regexp(TEXT_PATTERN)],
        metadata={"description": "The identifier a member is registered under (exactly)"},
    )


class FoundHolderSchema(HolderSchema):
    issuer_id = ma.fields.String(required=True)
    issuer_name = ma.fields.String(required=True)


class HolderLookupSchema(ma.Schema):
    holders = ma.fields.List(ma.fields.Nested(FoundHolderSchema), required=True)


# "class" is a Python keyword: the fields are given as a dict.
SettledTransferSchema = ma.Schema.from_dict(
    {
        "log_index": ma.fields.Integer(required=True),
        "recorded_at": ma.fields.String(required=True, metadata={"description": "As logged"}),
        "class": ma.fields.String(required=True),
        "from_holder_id": ma.fields.String(required=True),
        "to_holder_id": ma.fields.String(required=True),
        "quantity": ma.fields.Integer(required=True),
        "instrument_reference": ma.fields.String(allow_none=True),
        "instruction_id": ma.fields.String(
            allow_none=True, metadata={"description": "The instruction settled; null if lodged"}
        ),
    },
    name="SettledTransferSchema",
)


class SettledTransferPageSchema(IndexPageSchema):
    transfers = ma.fields.List(ma.fields.Nested(SettledTransferSchema), required=True)
