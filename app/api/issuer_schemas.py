"""Schemas for issuers."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.api.fields import Jurisdiction, Text
from app.api.request_schema import RequestSchema
from app.notices.profiles import PROFILE_NAMES
from app.register.requests import AmendIssuer, RegisterIssuer

# The four regimes (app.notices.profiles), and the values from before them, which mean the
# jurisdiction's default regime.
DISCLOSURE_PROFILES = (*PROFILE_NAMES, "standard", "otc", "crowdfunding")


class IssuerInputSchema(RequestSchema):
    request_type = RegisterIssuer

    legal_name = Text(required=True, validate=validate.Length(min=1, max=200))
    registration_number = Text(required=True, validate=validate.Length(min=1, max=64))
    jurisdiction = Jurisdiction(
        required=True,
        metadata={"description": "ISO 3166-1 alpha-2, optionally with an ISO 3166-2 subdivision"},
    )
    lei = ma.fields.String(
        allow_none=True,
        validate=validate.Regexp(r"^[0-9A-Z]{18}[0-9]{2}$", error="an LEI is 20 characters"),
    )
    disclosure_profile = ma.fields.String(
        validate=validate.OneOf(DISCLOSURE_PROFILES), metadata={"default": "standard"}
    )


class IssuerAmendSchema(IssuerInputSchema):
    """Any subset of the fields; use as IssuerAmendSchema(partial=True)."""

    request_type = AmendIssuer

    @ma.validates_schema
    def not_empty(self, data: dict, **_kwargs: object) -> None:
        if not data:
            raise ma.ValidationError("name at least one field to amend")


class LogPositionSchema(ma.Schema):
    tree_size = ma.fields.Integer(
        required=True, metadata={"description": "Entries in the issuer's log, all signed"}
    )
    signed_at = ma.fields.DateTime(
        allow_none=True, metadata={"description": "When its latest checkpoint was signed"}
    )


class IssuerSchema(ma.Schema):
    id = ma.fields.String(required=True)
    legal_name = ma.fields.String(required=True)
    registration_number = ma.fields.String(required=True)
    jurisdiction = ma.fields.String(required=True)
    lei = ma.fields.String(allow_none=True)
    disclosure_profile = ma.fields.String(required=True)
    registered_at = ma.fields.DateTime(required=True)
    last_log_index = ma.fields.Integer(
        required=True, metadata={"description": "The entry that last changed this record"}
    )
    log = ma.fields.Nested(LogPositionSchema, required=True)


class IssuerListSchema(ma.Schema):
    issuers = ma.fields.List(ma.fields.Nested(IssuerSchema), required=True)
