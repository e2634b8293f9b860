"""Schemas for cancellations, repurchases, redemptions, conversions, splits and consolidations.

The rules that need the register (ratios, consideration, cash in lieu) are checked by the
domain services, which answer 422 with the offending field; the schemas check types and forms.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.api.fields import Text, WholeNumber
from app.api.register_schemas import CLASS_CODE, CURRENCY, POSITIVE, HoldingSchema, money
from app.api.request_schema import RequestSchema
from app.register.capital import CONSIDERATION_TYPES
from app.register.ratios import FRACTION_POLICIES, RATIO_PATTERN
from app.register.requests import (
    CancelShares,
    Consideration,
    ConvertShares,
    FractionTerms,
    RedeemShares,
    RepurchaseShares,
)

RATIO_DESCRIPTION = (
    '"new:old" in positive whole numbers: new shares for every old share(s), e.g. "2:1" '
    '(split), "1:10" (consolidation), "3:1" (conversion). Reduced to lowest terms.'
)
CASH_PRICE_DESCRIPTION = (
    "Under round_down_cash_in_lieu (required there, refused otherwise): the cash paid per "
    "RESULTING whole share. A holder's leftover fraction of a resulting share is paid at this "
    "price, rounded half up to the cent (or to the price's own precision when finer)."
)
POLICY_DESCRIPTION = (
    "round_down_cash_in_lieu: whole shares below each holder's exact entitlement, and cash for "
    "the fraction (recorded per holder in fraction_settlements); round_half_up: the nearest "
    "whole share, halves up, no cash."
)


def _class_field(**kwargs: object) -> ma.fields.String:
    return ma.fields.String(required=True, validate=CLASS_CODE, **kwargs)


class _HoldingReductionSchema(RequestSchema):
    # The public JSON (and the log) call it "class", a Python keyword.
    class_code = _class_field(data_key="class")
    holder_id = ma.fields.String(required=True, validate=validate.Length(min=1, max=36))
    quantity = WholeNumber(required=True, validate=POSITIVE)


class CancellationSchema(_HoldingReductionSchema):
    reason = Text(
        required=True,
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "Why the shares are cancelled, e.g. 'forfeited for non-payment of "
            "call, board resolution 2026-04'. Written to the public log."
        },
    )

    request_type = CancelShares


class RepurchaseSchema(_HoldingReductionSchema):
    """A buy-back: the shares are cancelled at once (treasury shares are not supported)."""

    price_per_share = money(required=True)
    currency = ma.fields.String(required=True, validate=CURRENCY)

    request_type = RepurchaseShares


class ConsiderationSchema(RequestSchema):
    type = ma.fields.String(required=True, validate=validate.OneOf(CONSIDERATION_TYPES))
    amount = money(
        metadata={"description": "Required for cash; optional value of products or services"}
    )
    currency = ma.fields.String(validate=CURRENCY, metadata={"description": "With an amount"})
    description = Text(
        validate=validate.Length(min=1, max=500),
        metadata={
            "description": "Required for products_or_services, e.g. '12 crates of pale ale, "
            "voucher series B'"
        },
    )

    request_type = Consideration


class RedemptionSchema(_HoldingReductionSchema):
    consideration = ma.fields.Nested(ConsiderationSchema, required=True)

    request_type = RedeemShares


class _FractionTermsSchema(RequestSchema):
    """The terms' fields sit flat in the public JSON; they load as one `FractionTerms`."""

    TERMS = ("ratio", "fraction_policy", "cash_in_lieu_price", "currency")

    ratio = ma.fields.String(
        required=True,
        validate=validate.Regexp(RATIO_PATTERN, error='write the ratio as "new:old", e.g. "2:1"'),
        metadata={"description": RATIO_DESCRIPTION, "example": "2:1"},
    )
    fraction_policy = ma.fields.String(
        required=True,
        validate=validate.OneOf(FRACTION_POLICIES),
        metadata={"description": POLICY_DESCRIPTION},
    )
    cash_in_lieu_price = money(metadata={"description": CASH_PRICE_DESCRIPTION})
    currency = ma.fields.String(
        validate=CURRENCY, metadata={"description": "Currency of the cash in lieu"}
    )

    def terms(self, data: dict) -> FractionTerms:
        """Take the terms' fields out of `data` as one `FractionTerms`."""
        return FractionTerms(**{name: data.pop(name) for name in self.TERMS if name in data})


class ConversionInputSchema(_FractionTermsSchema):
    holder_id = ma.fields.String(required=True, validate=validate.Length(min=1, max=36))
    from_class = _class_field()
    to_class = _class_field()
    quantity = WholeNumber(
        required=True,
        validate=POSITIVE,
        metadata={"description": "Shares of from_class to convert"},
    )

    request_type = ConvertShares

    def make(self, data: dict) -> ConvertShares:
        return ConvertShares(terms=self.terms(data), **data)


class ReorganisationInputSchema(_FractionTermsSchema):
    """A split ("2:1") or consolidation ("1:10") of every holding of the class (named by the
    path, so the view builds the `ReorganiseClass` request)."""

    request_type = FractionTerms


class RemovalSchema(ma.Schema):
    log_index = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    class_code = ma.fields.String(required=True, data_key="class")
    holder_id = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True, metadata={"description": "Shares removed"})
    holding = ma.fields.Nested(HoldingSchema, required=True)
    class_issued = ma.fields.Integer(required=True, metadata={"description": "Issued after"})


class ConvertedSideSchema(ma.Schema):
    class_code = ma.fields.String(required=True, data_key="class")
    quantity = ma.fields.Integer(required=True, metadata={"description": "Removed or allotted"})
    holding = ma.fields.Nested(HoldingSchema, required=True)
    class_issued = ma.fields.Integer(required=True)


class ConversionSchema(ma.Schema):
    log_index = ma.fields.Integer(required=True)
    holder_id = ma.fields.String(required=True)
    ratio = ma.fields.String(required=True)
    fraction_policy = ma.fields.String(required=True)
    source = ma.fields.Nested(ConvertedSideSchema, required=True, data_key="from")
    target = ma.fields.Nested(ConvertedSideSchema, required=True, data_key="to")
    fraction = ma.fields.String(
        allow_none=True, metadata={"description": "Leftover fraction paid in cash, if any"}
    )
    cash_in_lieu_amount = ma.fields.String(allow_none=True)
    currency = ma.fields.String(allow_none=True)


class ReorganisationSchema(ma.Schema):
    log_index = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    class_code = ma.fields.String(required=True, data_key="class")
    ratio = ma.fields.String(required=True)
    fraction_policy = ma.fields.String(required=True)
    issued_before = ma.fields.Integer(required=True)
    issued_after = ma.fields.Integer(required=True)
    authorised_before = ma.fields.Integer(allow_none=True)
    authorised_after = ma.fields.Integer(allow_none=True)
    holdings_changed = ma.fields.Integer(required=True)
    cash_in_lieu_price = ma.fields.String(allow_none=True)
    cash_in_lieu_total = ma.fields.String(allow_none=True)
    currency = ma.fields.String(allow_none=True)
