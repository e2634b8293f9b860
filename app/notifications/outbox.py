"""Writing the outbox: one row per login for each message an entry produces, in the command's
transaction (the listener runs inside it), so rows exist exactly for committed commands."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from sqlalchemy.orm import Session

from app.models.notifications import PENDING, Notification
from app.notifications.events import EVENTS, Describe, Message
from app.register.projection import Applied


def messages_for(
    session: Session, entry: Applied, events: Mapping[str, Describe] = EVENTS
) -> list[Message]:
    describe = events.get(entry.kind)
    return describe(session, entry) if describe is not None else []


def write(session: Session, entry: Applied, messages: Iterable[Message]) -> list[Notification]:
    """Queue `messages` about `entry`; a login named twice in one message gets one row."""
    rows = [
        Notification(
            issuer_id=entry.issuer_id,
            id=uuid.uuid4().hex,
            user_id=user_id,
            kind=entry.kind,
            log_index=entry.index,
            subject=message.subject,
            body=message.body,
            link=message.link,
            created_at=entry.recorded_at,
            state=PENDING,
            attempts=0,
            # Due at once: the sender picks it up on its next pass.
            next_attempt_at=entry.recorded_at,
        )
        for message in messages
        for user_id in dict.fromkeys(message.user_ids)
    ]
    session.add_all(rows)
    return rows


def queue_for_entry(
    session: Session, entry: Applied, events: Mapping[str, Describe] = EVENTS
) -> list[Notification]:
    return write(session, entry, messages_for(session, entry, events))
