"""Schemas of the snapshot API: the query, and the JSON document (for the OpenAPI description;
the document itself is streamed, not serialised through these)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.api.fields import Moment
from app.api.log_schemas import POSITIVE_SIZE

FORMATS = ("json", "csv", "ocf", "html")


class SnapshotQuery(ma.Schema):
    tree_size = ma.fields.Integer(
        validate=POSITIVE_SIZE,
        metadata={"description": "A signed (checkpointed) size of the issuer's log"},
    )
    as_of = Moment(
        metadata={
            "description": "ISO 8601 moment (UTC if no offset): the last checkpoint signed at or "
            "before it"
        },
    )
    format = ma.fields.String(
        load_default="json",
        validate=validate.OneOf(FORMATS),
        metadata={"description": "json (default), csv, ocf (zip, OCF 1.2.0) or html (printable)"},
    )

    @ma.validates_schema
    def one_moment(self, data: dict, **_kwargs: object) -> None:
        if "tree_size" in data and "as_of" in data:
            raise ma.ValidationError("give tree_size or as_of, not both", "as_of")


class SnapshotIssuerSchema(ma.Schema):
    id = ma.fields.String(required=True)
    legal_name = ma.fields.String(required=True)
    registration_number = ma.fields.String(required=True)
    jurisdiction = ma.fields.String(required=True)
    lei = ma.fields.String(allow_none=True)


class SnapshotHoldingSchema(ma.Schema):
    holder_id = ma.fields.String(required=True)
    name = ma.fields.String(required=True, metadata={"description": '"[erased]" once erased'})
    quantity = ma.fields.Integer(required=True)
    percentage_of_class = ma.fields.String(
        required=True, metadata={"description": "Decimal string, 4 places, rounded half up"}
    )
    percentage_of_votes = ma.fields.String(
        required=True, metadata={"description": "Decimal string, 4 places, rounded half up"}
    )


class SnapshotClassSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    votes_per_share = ma.fields.Integer(required=True)
    par_value = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    authorised = ma.fields.Integer(allow_none=True)
    issued = ma.fields.Integer(required=True, metadata={"description": "As of tree_size"})
    holder_count = ma.fields.Integer(required=True)
    holdings = ma.fields.List(
        ma.fields.Nested(SnapshotHoldingSchema),
        required=True,
        metadata={"description": "By name, then holder_id; erased holders last"},
    )


class SnapshotSchema(ma.Schema):
    issuer = ma.fields.Nested(SnapshotIssuerSchema, required=True)
    tree_size = ma.fields.Integer(required=True)
    checkpoint = ma.fields.String(
        required=True, metadata={"description": "The C2SP signed checkpoint note of tree_size"}
    )
    checkpoint_signed_at = ma.fields.String(required=True)
    root_hash = ma.fields.String(required=True, metadata={"description": "base64"})
    holder_count = ma.fields.Integer(
        required=True, metadata={"description": "Members holding shares of any class"}
    )
    total_votes = ma.fields.Integer(required=True)
    percentages = ma.fields.String(required=True, metadata={"description": "How they are computed"})
    classes = ma.fields.List(ma.fields.Nested(SnapshotClassSchema), required=True)
