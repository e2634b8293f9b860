"""Substantial-holding notices: one row per `notice.threshold_crossed` entry (a projection of
the log, append-only like the log itself: a notice once given is never edited)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKeyConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.log import ISSUER_ID
from app.models.register import DECIMAL_TEXT, HOLDER_ID


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "holder_id"], ["holders.issuer_id", "holders.holder_id"]
        ),
        # A holder's own notices, newest first.
        Index("ix_notices_holder", "issuer_id", "holder_id", "log_index"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    log_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    holder_id: Mapped[str] = mapped_column(HOLDER_ID)
    direction: Mapped[str] = mapped_column(String(4))  # up | down
    # The threshold that matters (highest reached, lowest left) and all those crossed, in the
    # order crossed, as whole percentages in decimal text.
    threshold: Mapped[str] = mapped_column(String(8))
    thresholds: Mapped[list[str]] = mapped_column(JSON)
    category: Mapped[str] = mapped_column(String(16))  # substantial | change
    profile: Mapped[str] = mapped_column(String(8))
    # Shares of all voting rights before and after, percentages with four decimals.
    before: Mapped[str] = mapped_column(DECIMAL_TEXT)
    after: Mapped[str] = mapped_column(DECIMAL_TEXT)
    trigger_index: Mapped[int] = mapped_column(BigInteger)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
