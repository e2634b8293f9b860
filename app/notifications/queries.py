"""Reads of a login's notifications and follows (the API and the page)."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.models.notifications import IssuerFollow, Notification
from app.register.errors import NotFound
from app.register.paging import Ordering, Page, keyset_page

# Entries recorded in the same instant are still told in log order.
NEWEST_FIRST = Ordering(
    ((Notification.created_at, True), (Notification.log_index, True), (Notification.id, True)),
    at=lambda key: Notification.id == key,
    key_of=lambda row: row[0].id,
    what="notification",
)


def _of(user_id: int, unread_only: bool = False) -> Select:
    query = select(Notification).where(Notification.user_id == user_id)
    return query.where(Notification.read_at.is_(None)) if unread_only else query


def notifications_page(
    session: Session, user_id: int, *, unread_only: bool, after: str | None, limit: int
) -> Page[Notification]:
    """A page of the login's notifications, newest first; keys are notification ids."""
    query = _of(user_id, unread_only).select_from(Notification)
    page = keyset_page(session, query, NEWEST_FIRST, after, limit)
    return Page([row[0] for row in page.items], page.next_after)


def unread_count(session: Session, user_id: int) -> int:
    query = select(func.count()).select_from(_of(user_id, unread_only=True).subquery())
    return session.scalar(query)


def get_notification(session: Session, user_id: int, notification_id: str) -> Notification:
    """The login's own notification; another login's answers like an unknown one."""
    found = session.scalars(_of(user_id).where(Notification.id == notification_id)).first()
    if found is None:
        raise NotFound(f"you have no notification {notification_id}")
    return found


def follows(session: Session, user_id: int) -> list[IssuerFollow]:
    query = select(IssuerFollow).where(IssuerFollow.user_id == user_id)
    return list(session.scalars(query.order_by(IssuerFollow.created_at, IssuerFollow.issuer_id)))
