"""The logged-in user's notifications (`/notifications`): newest first, unread ones marked,
mark one or all read; and the unread count every page's header shows."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from app.commands import current_ledger
from app.extensions import db
from app.notifications import inbox, queries
from app.register.errors import DomainError
from app.register.paging import DEFAULT_PAGE_SIZE
from app.route_access import PERSONAL, access

blp = Blueprint("notification_pages", __name__, url_prefix="/notifications")


class MarkReadForm(FlaskForm):
    """A button: only the CSRF token travels."""


@blp.app_context_processor
def unread_notifications() -> dict:
    """`unread_notifications` for base.html's header: None when nobody is logged in."""
    if not current_user.is_authenticated:
        return {"unread_notifications": None}
    return {"unread_notifications": queries.unread_count(db.session, current_user.id)}


@blp.route("")
@access(PERSONAL)
@login_required
def notifications():
    after = request.args.get("after") or None
    try:
        page = queries.notifications_page(
            db.session, current_user.id, unread_only=False, after=after, limit=DEFAULT_PAGE_SIZE
        )
    except DomainError:
        return redirect(url_for(".notifications"))
    return render_template("notifications.html", page=page, form=MarkReadForm())


@blp.route("/<notification_id>/read", methods=["POST"])
@access(PERSONAL)
@login_required
def mark_read(notification_id: str):
    if MarkReadForm().validate_on_submit():
        try:
            with db.write() as session:
                inbox.mark_read(session, current_user.id, notification_id, current_ledger().clock())
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for(".notifications"))


@blp.route("/read", methods=["POST"])
@access(PERSONAL)
@login_required
def mark_all_read():
    if MarkReadForm().validate_on_submit():
        with db.write() as session:
            marked = inbox.mark_all_read(session, current_user.id, current_ledger().clock())
        flash(f"{marked:,} notifications marked read.", "success")
    return redirect(url_for(".notifications"))
