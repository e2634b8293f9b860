"""A login's own notifications and follows: `/api/v1/me/notifications` (with the unread
count), marking them read, and following issuers to hear of their public disclosures.

"Me" is a login: a browser user, or a personal token (`flask tokens create --user EMAIL`);
a token that belongs to no login has no notifications (403). One login never sees or marks
another's notifications: another's id answers 404 like an unknown one."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.access import require_principal
from app.api.notifications_schemas import (
    FollowSchema,
    FollowsSchema,
    MarkedReadSchema,
    NotificationSchema,
    NotificationsPageSchema,
    NotificationsQuery,
)
from app.api.paging import paged
from app.commands import current_ledger
from app.errors import ApiError
from app.extensions import db
from app.notifications import inbox, queries
from app.route_access import PERSONAL, access

blp = Blueprint(
    "notifications",
    __name__,
    url_prefix="/api/v1/me",
    description="The caller's notifications and the issuers it follows",
)


def _me() -> int:
    principal = require_principal()
    if principal.user_id is None:
        raise ApiError(
            403,
            "not_a_personal_token",
            "this token belongs to no login; create a personal one with "
            "`flask tokens create --user EMAIL`",
        )
    return principal.user_id


@blp.route("/notifications")
@access(PERSONAL)
@blp.arguments(NotificationsQuery, location="query", error_status_code=400)
@blp.response(200, NotificationsPageSchema)
def list_notifications(query):
    """The caller's notifications, newest first, and how many are unread."""
    user_id = _me()
    page = queries.notifications_page(
        db.session,
        user_id,
        unread_only=query["unread"],
        after=query.get("after"),
        limit=query["limit"],
    )
    return {**paged("notifications", page), "unread": queries.unread_count(db.session, user_id)}


@blp.route("/notifications/<notification_id>/read", methods=["POST"])
@access(PERSONAL)
@blp.response(200, NotificationSchema)
def mark_read(notification_id):
    """Mark one notification read (marking it again keeps the first time)."""
    user_id = _me()
    with db.write() as session:
        return inbox.mark_read(session, user_id, notification_id, current_ledger().clock())


@blp.route("/notifications/read", methods=["POST"])
@access(PERSONAL)
@blp.response(200, MarkedReadSchema)
def mark_all_read():
    """Mark every unread notification read."""
    user_id = _me()
    with db.write() as session:
        marked = inbox.mark_all_read(session, user_id, current_ledger().clock())
        return {"marked": marked, "unread": queries.unread_count(session, user_id)}


@blp.route("/follows")
@access(PERSONAL)
@blp.response(200, FollowsSchema)
def list_follows():
    """The issuers the caller follows."""
    return {"follows": queries.follows(db.session, _me())}


@blp.route("/follows/<issuer_id>", methods=["POST"])
@access(PERSONAL)
@blp.response(201, FollowSchema)
def follow(issuer_id):
    """Follow an issuer: hear of its public disclosures (following again changes nothing)."""
    user_id = _me()
    with db.write() as session:
        return inbox.follow(session, user_id, issuer_id, current_ledger().clock())


@blp.route("/follows/<issuer_id>", methods=["DELETE"])
@access(PERSONAL)
@blp.response(204)
def unfollow(issuer_id):
    """Stop following an issuer."""
    user_id = _me()
    with db.write() as session:
        inbox.unfollow(session, user_id, issuer_id)
