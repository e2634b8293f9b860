"""Schemas for freezes, pledges and forced transfers."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.api.fields import Text, WholeNumber
from app.api.paging import PageSchema
from app.api.register_schemas import CLASS_CODE, POSITIVE
from app.api.request_schema import RequestSchema
from app.register.requests import ChangeFreeze, ForcedTransfer, RegisterPledge


class _HoldingRestrictionSchema(RequestSchema):
    # The public JSON (and the log) call it "class", a Python keyword.
    class_code = ma.fields.String(required=True, data_key="class", validate=CLASS_CODE)
    holder_id = ma.fields.String(required=True)
    quantity = WholeNumber(required=True, validate=POSITIVE)


class FreezeSchema(_HoldingRestrictionSchema):
    reason = Text(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "The legal ground, e.g. 'court order 2026/123'. Written to the public "
            "log: describe the order, not a person."
        },
    )

    request_type = ChangeFreeze


class PledgeInputSchema(_HoldingRestrictionSchema):
    pledgee = Text(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": "The secured party as the register should show it: an institution's "
            "name and facility reference (e.g. 'Northern Bank plc, facility 2026-77'). Written to "
            "the log, which cannot be erased: never a private person's name or details."
        },
    )

    request_type = RegisterPledge


class PledgeSchema(ma.Schema):
    pledge_id = ma.fields.String(required=True)
    class_code = ma.fields.String(required=True, data_key="class")
    holder_id = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True)
    pledgee = ma.fields.String(required=True)
    status = ma.fields.Function(
        lambda pledge: "active" if pledge.released_index is None else "released",
        required=True,
        metadata={"type": "string", "enum": ["active", "released"]},
    )
    registered_index = ma.fields.Integer(required=True)
    released_index = ma.fields.Integer(allow_none=True)


class PledgeListSchema(PageSchema):
    pledges = ma.fields.List(ma.fields.Nested(PledgeSchema), required=True)


class ForcedTransferInputSchema(RequestSchema):
    class_code = ma.fields.String(required=True, data_key="class", validate=CLASS_CODE)
    from_holder_id = ma.fields.String(required=True)
    to_holder_id = ma.fields.String(required=True)
    quantity = WholeNumber(required=True, validate=POSITIVE)
    legal_reference = Text(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The order that compels the transfer, e.g. a court order number"},
    )

    request_type = ForcedTransfer


class ForcedTransferSchema(ma.Schema):
    """The `transfer.forced` entry: its log index and data."""

    log_index = ma.fields.Integer(required=True)
    class_code = ma.fields.String(required=True, data_key="class", attribute="class")
    from_holder_id = ma.fields.String(required=True)
    to_holder_id = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True)
    frozen_taken = ma.fields.Integer(
        required=True, metadata={"description": "How many of the shares moved had been frozen"}
    )
    legal_reference = ma.fields.String(required=True)
