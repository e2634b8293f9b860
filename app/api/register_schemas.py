"""Schemas for share classes, holders, issuance, transfers and holdings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.api.fields import COUNTRY, DecimalText, Text, WholeNumber
from app.api.paging import PageQuery, PageSchema
from app.api.request_schema import RequestSchema
from app.register.limits import MAX_SHARES, MAX_VOTES_PER_SHARE
from app.register.requests import (
    Allocation,
    AmendClass,
    AmendHolder,
    CeaseHolder,
    CreateClass,
    HolderDetails,
    IssueShares,
    LodgeTransfer,
    RegisterHolder,
)

CLASS_CODE = validate.Regexp(
    r"^[A-Z0-9][A-Z0-9_-]{0,31}$", error="use capitals, digits, - and _ (e.g. ORD, PREF-A)"
)
CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="use an ISO 4217 code such as GBP or CNY")
POSITIVE = validate.Range(min=1, max=MAX_SHARES)
VOTES = validate.Range(min=0, max=MAX_VOTES_PER_SHARE)


def money(**kwargs) -> DecimalText:
    return DecimalText(**kwargs)


class ClassInputSchema(RequestSchema):
    request_type = CreateClass

    code = ma.fields.String(required=True, validate=CLASS_CODE)
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    votes_per_share = WholeNumber(load_default=1, validate=VOTES)
    par_value = money(load_default="0")
    currency = ma.fields.String(required=True, validate=CURRENCY)
    authorised = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=POSITIVE,
        metadata={"description": "Authorised number of shares; null for no limit"},
    )


class ClassAmendSchema(RequestSchema):
    request_type = AmendClass
    path_fields = ("code",)

    name = Text(validate=validate.Length(min=1, max=200))
    votes_per_share = WholeNumber(validate=VOTES)
    par_value = money()
    currency = ma.fields.String(validate=CURRENCY)
    authorised = WholeNumber(allow_none=True, validate=POSITIVE)

    @ma.validates_schema
    def not_empty(self, data: dict, **_kwargs: object) -> None:
        if not data:
            raise ma.ValidationError("name at least one field to amend")


class ClassSchema(ma.Schema):
    code = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    votes_per_share = ma.fields.Integer(required=True)
    par_value = ma.fields.String(required=True)
    currency = ma.fields.String(required=True)
    authorised = ma.fields.Integer(allow_none=True)
    issued = ma.fields.Integer(required=True)
    last_log_index = ma.fields.Integer(required=True)


class ClassListSchema(ma.Schema):
    classes = ma.fields.List(ma.fields.Nested(ClassSchema), required=True)


class HolderDetailsSchema(ma.Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    address = Text(required=True, validate=validate.Length(min=1, max=500))
    identifier = Text(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "National ID, passport or company number"},
    )
    country = ma.fields.String(required=True, validate=COUNTRY)
    holder_type = ma.fields.String(required=True, validate=validate.OneOf(["person", "entity"]))
    email = ma.fields.Email(load_default=None, allow_none=True)
    joint_holders = ma.fields.List(
        Text(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=3),
        metadata={"description": "Names of joint holders after the first (at most 3 more)"},
    )


class HolderInputSchema(HolderDetailsSchema, RequestSchema):
    """The details and the date of registration, side by side in one body."""

    registered_on = ma.fields.Date(load_default=None)
    same_identifier_different_person = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "A live member has this identifier already and this is a different "
            "person (logged); without it such a registration answers 409 duplicate_identifier"
        },
    )

    def make(self, data: dict[str, Any]) -> RegisterHolder:
        registered_on = data.pop("registered_on")
        different_person = data.pop("same_identifier_different_person")
        return RegisterHolder(HolderDetails.of(data), registered_on, different_person)


class HolderAmendSchema(HolderDetailsSchema, RequestSchema):
    """Any subset of the details; use as HolderAmendSchema(partial=True)."""

    request_type = AmendHolder
    path_fields = ("holder_id",)

    def make(self, data: dict[str, Any]) -> AmendHolder:
        if "joint_holders" in data:
            data["joint_holders"] = tuple(data["joint_holders"])
        return AmendHolder(**data)

    @ma.validates_schema
    def not_empty(self, data: dict, **_kwargs: object) -> None:
        if not data:
            raise ma.ValidationError("name at least one field to amend")


class CeaseSchema(RequestSchema):
    request_type = CeaseHolder
    path_fields = ("holder_id",)

    ceased_on = ma.fields.Date(load_default=None)


class HolderSchema(ma.Schema):
    holder_id = ma.fields.String(required=True)
    commitment = ma.fields.String(required=True)
    registered_on = ma.fields.Date(required=True)
    ceased_on = ma.fields.Date(allow_none=True)
    erased = ma.fields.Boolean(required=True)
    last_log_index = ma.fields.Integer(required=True)
    details = ma.fields.Nested(HolderDetailsSchema, allow_none=True)


class HolderPageSchema(PageSchema):
    holders = ma.fields.List(ma.fields.Nested(HolderSchema), required=True)


class HolderPageQuery(PageQuery):
    """Holders in holder_id order; `after` is a holder_id."""


class AllocationSchema(RequestSchema):
    request_type = Allocation

    # "class" on the wire, as the log names it.
    class_code = ma.fields.String(required=True, data_key="class", validate=CLASS_CODE)
    holder_id = ma.fields.String(required=True)
    quantity = WholeNumber(required=True, validate=POSITIVE)
    price_per_share = money(load_default=None, allow_none=True)
    currency = ma.fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    reference = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    locked_until = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "These shares cannot be transferred before this date"},
    )

    @ma.validates_schema
    def price_has_currency(self, data: dict, **_kwargs: object) -> None:
        if data.get("price_per_share") is not None and not data.get("currency"):
            raise ma.ValidationError("a price needs a currency", "currency")


class NestedIssuanceSchema(RequestSchema):
    """A batch issuance as its OpenAPI document shows it, loaded by marshmallow one nested
    allocation at a time (the reference for `app.api.batch_rows.IssuanceSchema`)."""

    request_type = IssueShares

    allocations = ma.fields.List(
        ma.fields.Nested(AllocationSchema),
        required=True,
        validate=validate.Length(min=1, max=100_000),
    )

    def make(self, data: dict[str, Any]) -> IssueShares:
        return IssueShares(tuple(data["allocations"]))


class RecordedSchema(ma.Schema):
    """What a command wrote to the log."""

    log_indexes = ma.fields.List(ma.fields.Integer(), required=True)
    tree_size = ma.fields.Integer(required=True)


class TransferSchema(RequestSchema):
    request_type = LodgeTransfer

    class_code = ma.fields.String(required=True, data_key="class", validate=CLASS_CODE)
    from_holder_id = ma.fields.String(required=True)
    to_holder_id = ma.fields.String(required=True)
    quantity = WholeNumber(required=True, validate=POSITIVE)
    instrument_reference = Text(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Reference of the executed instrument of transfer"},
    )
    consideration = money(load_default=None, allow_none=True)
    currency = ma.fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    instrument_reuse = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "The instrument reference was registered already and covers this "
            "transfer too (logged); without it a second transfer on it answers 409 "
            "duplicate_instrument"
        },
    )

    @ma.validates_schema
    def consideration_has_currency(self, data: dict, **_kwargs: object) -> None:
        if data.get("consideration") is not None and not data.get("currency"):
            raise ma.ValidationError("a consideration needs a currency", "currency")


class HoldingSchema(ma.Schema):
    class_code = ma.fields.String(required=True, data_key="class")
    holder_id = ma.fields.String(required=True)
    held = ma.fields.Integer(required=True)
    frozen = ma.fields.Integer(required=True)
    pledged = ma.fields.Integer(required=True)
    reserved = ma.fields.Integer(required=True)
    available = ma.fields.Integer(required=True)
    since_log_index = ma.fields.Integer(required=True, attribute="from_index")


class HoldingListSchema(PageSchema):
    holdings = ma.fields.List(ma.fields.Nested(HoldingSchema), required=True)


class HoldingQuery(PageQuery):
    """Holdings by class, then holder_id; `after` is "CLASS:holder_id"."""

    holder_id = ma.fields.String()
    class_code = ma.fields.String(data_key="class")


class AccessLogQuery(PageQuery):
    """Reads latest first; `after` is an access id. The filters narrow the list: a member's
    reads include reads of the whole register, which held their details too."""

    holder_id = ma.fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Only reads that could include this holder's details"},
    )
    since = ma.fields.Date(metadata={"description": "Only reads on or after this day (UTC)"})
    until = ma.fields.Date(metadata={"description": "Only reads on or before this day (UTC)"})

    @ma.validates_schema
    def days_in_order(self, data: dict, **_kwargs: object) -> None:
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            raise ma.ValidationError("until is before since", field_name="until")


class AccessSchema(ma.Schema):
    accessed_at = ma.fields.DateTime(required=True)
    actor = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    resource = ma.fields.String(required=True)
    holder_id = ma.fields.String(allow_none=True)
    purpose = ma.fields.String(
        allow_none=True, metadata={"description": "Why the reader said they read it"}
    )


class AccessLogSchema(PageSchema):
    accesses = ma.fields.List(ma.fields.Nested(AccessSchema), required=True)
