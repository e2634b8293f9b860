"""Schemas of the log API (the contract in DESIGN.md)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.register.limits import MAX_LOG_INDEX

NON_NEGATIVE = validate.Range(min=0, max=MAX_LOG_INDEX)
POSITIVE_SIZE = validate.Range(min=1, max=MAX_LOG_INDEX)


class KeySchema(ma.Schema):
    key_id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    algorithm = ma.fields.String(required=True)
    vkey = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


class KeysSchema(ma.Schema):
    keys = ma.fields.List(ma.fields.Nested(KeySchema), required=True)


class CheckpointQuery(ma.Schema):
    tree_size = ma.fields.Integer(validate=POSITIVE_SIZE)


class EntriesQuery(ma.Schema):
    start = ma.fields.Integer(required=True, validate=NON_NEGATIVE)
    end = ma.fields.Integer(required=True, validate=NON_NEGATIVE)

    @ma.validates_schema
    def end_after_start(self, data: dict, **_kwargs: object) -> None:
        if data["end"] <= data["start"]:
            raise ma.ValidationError("end must be greater than start", "end")


class EntrySchema(ma.Schema):
    index = ma.fields.Integer(required=True)
    leaf = ma.fields.String(required=True, metadata={"description": "base64 of the leaf bytes"})
    leaf_hash = ma.fields.String(required=True, metadata={"description": "base64"})


class EntriesSchema(ma.Schema):
    entries = ma.fields.List(ma.fields.Nested(EntrySchema), required=True)


class InclusionQuery(ma.Schema):
    index = ma.fields.Integer(required=True, validate=NON_NEGATIVE)
    tree_size = ma.fields.Integer(required=True, validate=POSITIVE_SIZE)

    @ma.validates_schema
    def index_inside_tree(self, data: dict, **_kwargs: object) -> None:
        if data["index"] >= data["tree_size"]:
            raise ma.ValidationError("index must be less than tree_size", "index")


class InclusionProofSchema(ma.Schema):
    index = ma.fields.Integer(required=True)
    tree_size = ma.fields.Integer(required=True)
    leaf_hash = ma.fields.String(required=True)
    proof = ma.fields.List(ma.fields.String(), required=True)


class ConsistencyQuery(ma.Schema):
    # first > second is answered by the view: a first beyond the log means a rollback.
    first = ma.fields.Integer(required=True, validate=POSITIVE_SIZE)
    second = ma.fields.Integer(required=True, validate=POSITIVE_SIZE)


class ConsistencyProofSchema(ma.Schema):
    first = ma.fields.Integer(required=True)
    second = ma.fields.Integer(required=True)
    proof = ma.fields.List(ma.fields.String(), required=True)
    first_root = ma.fields.String(
        required=True,
        metadata={"description": "The log's root at `first`: compare it with the one you kept"},
    )
    second_root = ma.fields.String(required=True)
