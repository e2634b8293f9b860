"""Schemas for distributions (dividends) and their entitlement lists."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma

from app.api.fields import DecimalText
from app.api.paging import PageSchema
from app.api.register_schemas import CLASS_CODE, CURRENCY
from app.api.request_schema import RequestSchema
from app.register.requests import DeclareDistribution


def _positive(value: Decimal) -> None:
    if value <= 0:
        raise ma.ValidationError("must be more than zero")


class DistributionInputSchema(RequestSchema):
    class_code = ma.fields.String(required=True, data_key="class", validate=CLASS_CODE)
    amount_per_share = DecimalText(
        required=True,
        validate=_positive,
        metadata={"description": 'Exact decimal string (e.g. "0.125")'},
    )
    currency = ma.fields.String(required=True, validate=CURRENCY)
    record_date = ma.fields.Date(
        required=True,
        metadata={
            "description": "Holders on the register at the end of this day (UTC) are entitled. "
            "A day to come is the usual case: the entitlements are fixed once it has ended."
        },
    )
    payment_date = ma.fields.Date(load_default=None, allow_none=True)

    request_type = DeclareDistribution


class EntitlementSchema(ma.Schema):
    holder_id = ma.fields.String(required=True)
    name = ma.fields.String(
        allow_none=True, metadata={"description": "The holder's name; null once erased"}
    )
    quantity = ma.fields.Integer(required=True, metadata={"description": "Shares held"})
    amount = ma.fields.String(
        required=True,
        metadata={"description": "What is paid: rounded down to the currency's minor unit"},
    )


class DistributionSchema(ma.Schema):
    distribution_id = ma.fields.String(required=True)
    class_code = ma.fields.String(required=True, data_key="class")
    amount_per_share = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    record_date = ma.fields.Date(required=True)
    payment_date = ma.fields.Date(allow_none=True)
    declared_index = ma.fields.Integer(required=True)
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(["declared", "fixed"]),
        metadata={
            "description": "`declared` until the record date has ended and the entitlements "
            "are fixed (the fields below are null until then), `fixed` after"
        },
    )
    record_tree_size = ma.fields.Integer(
        allow_none=True,
        metadata={
            "description": "Size of the signed checkpoint the entitlements were computed from "
            "(the last one signed by the end of the record date)"
        },
    )
    total_shares = ma.fields.Integer(allow_none=True)
    total_amount = ma.fields.String(
        allow_none=True, metadata={"description": "Exact: total shares x amount per share"}
    )
    paid_amount = ma.fields.String(
        allow_none=True,
        metadata={"description": "The sum of the entitlements, each rounded down"},
    )
    rounding_residue = ma.fields.String(
        allow_none=True,
        metadata={"description": "What the rounding leaves unpaid: total minus paid amount"},
    )
    fixed_index = ma.fields.Integer(
        allow_none=True,
        metadata={"description": "Log index of the `distribution.entitlements_fixed` entry"},
    )


class DistributionDetailSchema(DistributionSchema, PageSchema):
    entitlements = ma.fields.List(
        ma.fields.Nested(EntitlementSchema),
        required=True,
        metadata={
            "description": "By holder name, erased holders last; a page at a time (`limit`, "
            "`after` a holder_id, `next`)"
        },
    )


class DistributionListSchema(ma.Schema):
    distributions = ma.fields.List(ma.fields.Nested(DistributionSchema), required=True)
