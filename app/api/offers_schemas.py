"""Schemas of the pre-emption API: an instruction's offer, its offerees, take-up."""

from __future__ import annotations

import marshmallow as ma

from app.api.fields import WholeNumber
from app.api.register_schemas import POSITIVE
from app.api.request_schema import RequestSchema
from app.transfers.allocation import RULE
from app.transfers.requests import TakeUp


class TakeUpSchema(RequestSchema):
    request_type = TakeUp
    path_fields = ("instruction_id", "holder_id")

    quantity = WholeNumber(
        required=True,
        validate=POSITIVE,
        metadata={"description": "Shares taken up: at least 1, at most the entitlement"},
    )


class OffereeSchema(ma.Schema):
    holder_id = ma.fields.String(required=True)
    holding = ma.fields.Integer(
        required=True, metadata={"description": "Shares held when the offer opened: the basis"}
    )
    entitlement = ma.fields.Integer(required=True)
    answer = ma.fields.String(required=True, metadata={"enum": ["pending", "taken_up", "waived"]})
    taken = ma.fields.Integer(required=True)
    answered_index = ma.fields.Integer(allow_none=True)


class OfferSchema(ma.Schema):
    instruction_id = ma.fields.String(required=True)
    class_code = ma.fields.String(required=True, data_key="class")
    quantity = ma.fields.Integer(required=True, metadata={"description": "Shares offered"})
    consideration = ma.fields.String(
        allow_none=True, metadata={"description": "For the whole quantity; takers pay pro rata"}
    )
    currency = ma.fields.String(allow_none=True)
    state = ma.fields.String(required=True, metadata={"enum": ["open", "closed"]})
    opened_index = ma.fields.Integer(required=True)
    opened_at = ma.fields.DateTime(required=True)
    close_by = ma.fields.DateTime(required=True)
    closed_index = ma.fields.Integer(allow_none=True)
    taken_up = ma.fields.Integer(required=True)
    rule = ma.fields.Constant(RULE, metadata={"description": "How entitlements are rounded"})
    offerees = ma.fields.List(ma.fields.Nested(OffereeSchema), required=True)
