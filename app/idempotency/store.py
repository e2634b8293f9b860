"""The idempotency records table, Flask-free: claim a key, keep an answer, purge expired keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.models.idempotency import IdempotencyRecord

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


@dataclass(frozen=True)
class Scope:
    """What a key is unique within: who asked, and which endpoint (method and path)."""

    principal: str
    method: str
    path: str
    key: str

    def where(self) -> tuple:
        return (
            IdempotencyRecord.principal == self.principal,
            IdempotencyRecord.method == self.method,
            IdempotencyRecord.path == self.path,
            IdempotencyRecord.idempotency_key == self.key,
        )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Earlier:
    """The record an earlier request left under the same key."""

    fingerprint: str
    # None: that request has no answer kept (a spent form token).
    answer: Answer | None


def claim(
    session: Session, scope: Scope, fingerprint: str, now: datetime, ttl: timedelta
) -> Earlier | None:
    """Take the key for this request in the session's transaction, or return what an earlier
    request left under it. On PostgreSQL a concurrent request holding the same key makes this
    wait until it commits (then its record is returned) or rolls back (then the key is ours).
    An expired record is deleted first, so the key is fresh again."""
    session.execute(
        delete(IdempotencyRecord).where(*scope.where(), IdempotencyRecord.expires_at <= now)
    )
    insert = _INSERTS[session.get_bind().dialect.name](IdempotencyRecord.__table__).values(
        principal=scope.principal,
        method=scope.method,
        path=scope.path,
        idempotency_key=scope.key,
        fingerprint=fingerprint,
        created_at=now,
        expires_at=now + ttl,
    )
    # RETURNING says whether the row went in (psycopg reports no rowcount for this INSERT).
    taken = insert.on_conflict_do_nothing().returning(IdempotencyRecord.__table__.c.principal)
    if session.execute(taken).first() is not None:
        return None
    record = session.execute(
        select(
            IdempotencyRecord.fingerprint,
            IdempotencyRecord.status,
            IdempotencyRecord.headers,
            IdempotencyRecord.body,
        ).where(*scope.where())
    ).one()
    answer = None
    if record.status is not None:
        answer = Answer(record.status, json.loads(record.headers), record.body)
    return Earlier(record.fingerprint, answer)


def keep_answer(session: Session, scope: Scope, answer: Answer) -> None:
    session.execute(
        update(IdempotencyRecord)
        .where(*scope.where())
        .values(status=answer.status, headers=json.dumps(answer.headers), body=answer.body)
    )


def release(session: Session, scope: Scope) -> None:
    """Give the key up: the request it was claimed for keeps no answer."""
    session.execute(delete(IdempotencyRecord).where(*scope.where()))


def purge_expired(session: Session, now: datetime) -> int:
    """Delete every record expired by `now`; how many there were."""
    return session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= now)
    ).rowcount
