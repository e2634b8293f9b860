"""Answers kept for retried writes: one row per (principal, method, path, Idempotency-Key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

# The draft leaves the key's length to the server; 255 covers UUIDs and any sensible scheme.
KEY_MAX_LENGTH = 255


class IdempotencyRecord(Base):
    """A write request's key, the fingerprint of the request it came with and, once the
    request has succeeded, its answer. Inserted in the command's own transaction; a form's
    one-time token is a row without an answer."""

    __tablename__ = "idempotency_records"
    __table_args__ = (Index("ix_idempotency_records_expires_at", "expires_at"),)

    # Who asked: the principal's actor ("token:<id>", "user:<id>"), never a secret.
    principal: Mapped[str] = mapped_column(String(64), primary_key=True)
    method: Mapped[str] = mapped_column(String(8), primary_key=True)
    path: Mapped[str] = mapped_column(String(500), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH), primary_key=True)
    # SHA-256 (hex) of the canonical request: method, path with query, body bytes.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[int | None] = mapped_column(Integer)
    # The answer's headers worth replaying (Content-Type, Location), as a JSON object.
    headers: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
