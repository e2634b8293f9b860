"""Schemas of the disclosures API: the multipart form that publishes or amends a version, the
withdrawal, the versions as the API shows them, and where a document was disclosed."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.api.fields import Text
from app.api.paging import PageQuery, PageSchema
from app.api.request_schema import RequestSchema
from app.disclosures.requests import AmendDisclosure, PublishDisclosure, WithdrawDisclosure
from app.disclosures.services import (
    AUDIENCES,
    BODY_FORMATS,
    CATEGORIES,
    MAX_ATTACHMENTS,
    MAX_REASON,
    MAX_TITLE,
)

SHA256_PATTERN = "^[0-9a-f]{64}$"
SHA256 = validate.Regexp(SHA256_PATTERN, error="a SHA-256 is 64 lower-case hex digits")


class ContentFormSchema(RequestSchema):
    """The fields of one version, sent as multipart/form-data beside its files."""

    category = ma.fields.String(required=True, validate=validate.OneOf(CATEGORIES))
    title = Text(required=True, validate=validate.Length(min=1, max=MAX_TITLE))
    body = ma.fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "Plain text or Markdown (see body_format); line ends as sent"},
    )
    body_format = ma.fields.String(load_default="text", validate=validate.OneOf(BODY_FORMATS))
    language = ma.fields.String(
        load_default="en",
        validate=validate.Regexp(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"),
        metadata={"description": "A BCP 47 language tag (en, en-GB, zh-Hant)"},
    )
    effective_date = ma.fields.Date(
        load_default=None, metadata={"description": "Default: the day it is recorded"}
    )
    audience = ma.fields.String(
        load_default="public",
        validate=validate.OneOf(AUDIENCES),
        metadata={"description": "public: anyone; members: the issuer's members and supervisors"},
    )


# The files are read by the view, after the fields, and added to the request they build.
class PublishFormSchema(ContentFormSchema):
    request_type = PublishDisclosure


class AmendFormSchema(ContentFormSchema):
    request_type = AmendDisclosure
    path_fields = ("disclosure_id",)

    kept_attachments = ma.fields.List(
        ma.fields.String(validate=SHA256),
        load_default=(),
        validate=validate.Length(max=MAX_ATTACHMENTS),
        metadata={
            "description": "SHA-256 of an attachment of the amended version to carry again "
            "without sending it (repeat the field for more)"
        },
    )

    def make(self, data: dict[str, Any]) -> Any:
        return super().make({**data, "kept_attachments": tuple(data["kept_attachments"])})


class WithdrawSchema(RequestSchema):
    request_type = WithdrawDisclosure
    path_fields = ("disclosure_id",)

    reason = Text(required=True, validate=validate.Length(min=1, max=MAX_REASON))


class DisclosurePageQuery(PageQuery):
    category = ma.fields.String(validate=validate.OneOf(CATEGORIES))


# --- answers -----------------------------------------------------------------------------------


class AttachmentSchema(ma.Schema):
    sha256 = ma.fields.String(required=True, metadata={"pattern": SHA256_PATTERN})
    filename = ma.fields.String(required=True)
    media_type = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True, metadata={"description": "Bytes"})
    url = ma.fields.String(required=True, metadata={"description": "Where to download it"})


class VersionRefSchema(ma.Schema):
    disclosure_id = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    log_index = ma.fields.Integer(required=True)
    published_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True)


STATUS_DESCRIPTION = (
    "current; superseded (a later version replaced it: superseded_by); withdrawn (the whole "
    "item, with withdrawn_reason)"
)


class DisclosureSchema(ma.Schema):
    issuer_id = ma.fields.String(required=True)
    disclosure_id = ma.fields.String(required=True, metadata={"description": "This version"})
    series_id = ma.fields.String(
        required=True, metadata={"description": "The item: its first version's id"}
    )
    version = ma.fields.Integer(required=True)
    category = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    language = ma.fields.String(required=True)
    effective_date = ma.fields.Date(required=True)
    audience = ma.fields.String(required=True)
    body_format = ma.fields.String(required=True)
    body_sha256 = ma.fields.String(required=True, metadata={"pattern": SHA256_PATTERN})
    log_index = ma.fields.Integer(
        required=True, metadata={"description": "The log entry that published this version"}
    )
    published_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, metadata={"description": STATUS_DESCRIPTION})
    supersedes = ma.fields.String(allow_none=True)
    superseded_by = ma.fields.String(allow_none=True)
    withdrawn_reason = ma.fields.String(allow_none=True)
    withdrawn_index = ma.fields.Integer(allow_none=True)
    withdrawn_at = ma.fields.DateTime(allow_none=True)
    attachments = ma.fields.List(ma.fields.Nested(AttachmentSchema), required=True)


class DisclosureDetailSchema(DisclosureSchema):
    body = ma.fields.String(required=True)
    body_url = ma.fields.String(required=True, metadata={"description": "The body's bytes"})
    versions = ma.fields.List(
        ma.fields.Nested(VersionRefSchema),
        required=True,
        metadata={"description": "The item's versions, oldest first"},
    )


class DisclosurePageSchema(PageSchema):
    disclosures = ma.fields.List(
        ma.fields.Nested(DisclosureSchema),
        required=True,
        metadata={"description": "The latest version of each item, newest first"},
    )


class InclusionSchema(ma.Schema):
    index = ma.fields.Integer(required=True)
    tree_size = ma.fields.Integer(required=True)
    leaf = ma.fields.String(
        required=True, metadata={"description": "Base64 of the exact leaf bytes (JCS JSON)"}
    )
    leaf_hash = ma.fields.String(required=True)
    proof = ma.fields.List(ma.fields.String(), required=True)
    checkpoint = ma.fields.String(
        required=True, metadata={"description": "The signed checkpoint (C2SP note) of tree_size"}
    )


class CarrierSchema(ma.Schema):
    issuer_id = ma.fields.String(required=True)
    issuer_name = ma.fields.String(required=True)
    disclosure_id = ma.fields.String(required=True)
    series_id = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    effective_date = ma.fields.Date(required=True)
    published_at = ma.fields.DateTime(required=True)
    status = ma.fields.String(required=True, metadata={"description": STATUS_DESCRIPTION})
    log_index = ma.fields.Integer(required=True)
    carried_as = ma.fields.String(required=True, metadata={"description": "body or attachment"})
    filename = ma.fields.String(allow_none=True)
    media_type = ma.fields.String(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The version in the API"})
    inclusion = ma.fields.Nested(InclusionSchema, required=True)


class CarriersSchema(ma.Schema):
    sha256 = ma.fields.String(required=True)
    disclosures = ma.fields.List(ma.fields.Nested(CarrierSchema), required=True)
