"""Schemas of a login's notifications and follows (`/api/v1/me/...`)."""

from __future__ import annotations

import marshmallow as ma

from app.api.paging import PageQuery, PageSchema
from app.models.notifications import DELIVERY_STATES


class NotificationsQuery(PageQuery):
    unread = ma.fields.Boolean(
        load_default=False, metadata={"description": "Only the notifications not yet read"}
    )


class NotificationSchema(ma.Schema):
    id = ma.fields.String(required=True)
    issuer_id = ma.fields.String(required=True)
    kind = ma.fields.String(
        required=True, metadata={"description": "The log entry kind this tells about"}
    )
    log_index = ma.fields.Integer(required=True)
    subject = ma.fields.String(required=True)
    body = ma.fields.String(required=True)
    link = ma.fields.String(required=True, metadata={"description": "A path in the web UI"})
    created_at = ma.fields.DateTime(required=True)
    read_at = ma.fields.DateTime(allow_none=True)
    state = ma.fields.String(
        required=True,
        metadata={"enum": list(DELIVERY_STATES), "description": "E-mail delivery"},
    )
    sent_at = ma.fields.DateTime(allow_none=True)


class NotificationsPageSchema(PageSchema):
    notifications = ma.fields.List(ma.fields.Nested(NotificationSchema), required=True)
    unread = ma.fields.Integer(required=True, metadata={"description": "Unread, in all pages"})


class MarkedReadSchema(ma.Schema):
    marked = ma.fields.Integer(required=True, metadata={"description": "Notifications marked"})
    unread = ma.fields.Integer(required=True)


class FollowSchema(ma.Schema):
    issuer_id = ma.fields.String(required=True)
    followed_at = ma.fields.DateTime(required=True, attribute="created_at")


class FollowsSchema(ma.Schema):
    follows = ma.fields.List(ma.fields.Nested(FollowSchema), required=True)
