"""The notifications outbox and who follows which issuer.

Outbox rows are written in the transaction of the command whose entry they tell about (see
app.notifications), so a rolled-back command leaves none and a committed one loses none. They
are not a projection of the log: they name logins and are changed (sent, read) in place.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.log import ISSUER_ID

# Delivery states: waiting (for the first attempt or a retry), claimed by one sender, delivered,
# given up after the last attempt.
PENDING = "pending"
SENDING = "sending"
SENT = "sent"
FAILED = "failed"
DELIVERY_STATES = (PENDING, SENDING, SENT, FAILED)


class Notification(Base):
    """One message to one login about one entry of an issuer's log."""

    __tablename__ = "notifications"
    __table_args__ = (
        # A login's list, newest first, and its unread count.
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        # The sender's next due rows.
        Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, ForeignKey("issuers.id"), primary_key=True)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(64))
    # The log entry this tells about.
    log_index: Mapped[int] = mapped_column(BigInteger)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # A path in the web UI (the e-mail prefixes PUBLIC_URL).
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set by the sender that claimed the row, so that only it may mark the row sent.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)


class IssuerFollow(Base):
    """A login that asked to hear about an issuer's public disclosures."""

    __tablename__ = "issuer_follows"
    __table_args__ = (Index("ix_issuer_follows_user_id", "user_id"),)

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, ForeignKey("issuers.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
