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
            "It must be a day that has ended: the register of today is not final yet."
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
    amount = ma.fields.String(required=True, metadata={"description": "Exact decimal amount"})


class DistributionSchema(ma.Schema):
    distribution_id = ma.fields.String(required=True)
    class_code = ma.fields.String(required=True, data_key="class")
    amount_per_share = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    record_date = ma.fields.Date(required=True)
    payment_date = ma.fields.Date(allow_none=True)
    record_tree_size = ma.fields.Integer(
        required=True,
        metadata={
            "description": "Size of the signed checkpoint the entitlements were computed from "
            "(the last one signed by the end of the record date)"
        },
    )
    total_shares = ma.fields.Integer(required=True)
    total_amount = ma.fields.String(required=True)
    declared_index = ma.fields.Integer(required=True)


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
