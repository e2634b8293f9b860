"""What a login changes in its own notifications and follows: marking read, following an
issuer. These are not register commands (nothing is logged): each is one write transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.models.notifications import IssuerFollow, Notification
from app.notifications.queries import get_notification
from app.register.queries import get_issuer


def mark_read(session: Session, user_id: int, notification_id: str, now: datetime) -> Notification:
    """Mark one of the login's notifications read (again: it keeps the first time)."""
    notification = get_notification(session, user_id, notification_id)
    if notification.read_at is None:
        notification.read_at = now
    return notification


def mark_all_read(session: Session, user_id: int, now: datetime) -> int:
    """Mark every unread notification of the login read; how many were."""
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def follow(session: Session, user_id: int, issuer_id: str, now: datetime) -> IssuerFollow:
    """Follow an issuer's public disclosures (following again changes nothing)."""
    get_issuer(session, issuer_id)
    existing = session.get(IssuerFollow, (issuer_id, user_id))
    if existing is not None:
        return existing
    following = IssuerFollow(issuer_id=issuer_id, user_id=user_id, created_at=now)
    session.add(following)
    session.flush()
    return following


def unfollow(session: Session, user_id: int, issuer_id: str) -> bool:
    """Stop following; whether the login was following."""
    get_issuer(session, issuer_id)
    existing = session.get(IssuerFollow, (issuer_id, user_id))
    if existing is not None:
        session.delete(existing)
    return existing is not None
