"""Schemas of the notices API: the disclosure profile, notices, persons with significant
control."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from app.api.log_schemas import POSITIVE_SIZE
from app.api.paging import PageQuery, PageSchema
from app.api.request_schema import RequestSchema
from app.notices.profiles import PROFILE_NAMES
from app.notices.services import SetDisclosureProfile

PERCENT = {"description": 'A percentage of all votes, four decimals, truncated ("24.9999")'}


class ProfileInputSchema(RequestSchema):
    request_type = SetDisclosureProfile

    profile = ma.fields.String(
        required=True,
        validate=validate.OneOf(PROFILE_NAMES),
        metadata={"description": "eu, uk, cn or us"},
    )


class ThresholdSchema(ma.Schema):
    percent = ma.fields.Integer(required=True)
    category = ma.fields.String(
        required=True, metadata={"description": "substantial, or change (cn's 1% notices)"}
    )


class ProfileSchema(ma.Schema):
    profile = ma.fields.String(required=True, metadata={"description": "The profile in force"})
    label = ma.fields.String(required=True)
    stored = ma.fields.String(
        required=True,
        metadata={
            "description": "The issuer's disclosure_profile as recorded; a value that names no "
            "profile means the jurisdiction's default"
        },
    )
    thresholds = ma.fields.List(ma.fields.Nested(ThresholdSchema), required=True)
    last_log_index = ma.fields.Integer(
        required=True, metadata={"description": "The entry that last changed the issuer"}
    )


class NoticeQuery(PageQuery):
    holder_id = ma.fields.String(
        validate=validate.Length(min=1, max=36), metadata={"description": "Only this holder's"}
    )


class NoticeSchema(ma.Schema):
    log_index = ma.fields.Integer(required=True, metadata={"description": "The notice's entry"})
    holder_id = ma.fields.String(required=True)
    direction = ma.fields.String(required=True, metadata={"description": "up or down"})
    threshold = ma.fields.String(
        required=True,
        metadata={"description": "The threshold that matters: highest reached, lowest left"},
    )
    thresholds = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "All crossed, in order"}
    )
    category = ma.fields.String(required=True)
    profile = ma.fields.String(required=True)
    before = ma.fields.String(required=True, metadata=PERCENT)
    after = ma.fields.String(required=True, metadata=PERCENT)
    trigger_index = ma.fields.Integer(
        required=True, metadata={"description": "The entry that caused the crossing"}
    )
    recorded_at = ma.fields.DateTime(required=True)


class NoticeListSchema(PageSchema):
    notices = ma.fields.List(ma.fields.Nested(NoticeSchema), required=True)


class ControlQuery(ma.Schema):
    tree_size = ma.fields.Integer(
        validate=POSITIVE_SIZE,
        metadata={"description": "A signed (checkpointed) size of the log; the latest if absent"},
    )


class PersonWithControlSchema(ma.Schema):
    holder_id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    shares = ma.fields.Integer(required=True)
    votes = ma.fields.Integer(required=True)
    percent_of_shares = ma.fields.String(required=True)
    percent_of_votes = ma.fields.String(required=True, metadata=PERCENT)
    by_shares = ma.fields.Boolean(required=True, metadata={"description": "25% of shares or more"})
    by_votes = ma.fields.Boolean(required=True, metadata={"description": "25% of votes or more"})


class SignificantControlSchema(ma.Schema):
    issuer_id = ma.fields.String(required=True)
    tree_size = ma.fields.Integer(required=True)
    total_shares = ma.fields.Integer(required=True)
    total_votes = ma.fields.Integer(required=True)
    persons = ma.fields.List(ma.fields.Nested(PersonWithControlSchema), required=True)
