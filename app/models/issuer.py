"""Issuers: the companies whose registers ShareLedger keeps (a projection of the log)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.log import ISSUER_ID


class Issuer(Base):
    __tablename__ = "issuers"
    __table_args__ = (UniqueConstraint("jurisdiction", "registration_number"),)

    id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    legal_name: Mapped[str] = mapped_column(String(200))
    registration_number: Mapped[str] = mapped_column(String(64))
    jurisdiction: Mapped[str] = mapped_column(String(16))
    lei: Mapped[str | None] = mapped_column(String(20), unique=True)
    disclosure_profile: Mapped[str] = mapped_column(String(32), default="standard")
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Index of the log entry that last changed this row, so a reader can prove where it came from.
    last_log_index: Mapped[int] = mapped_column(BigInteger)

    def as_log_data(self) -> dict[str, str | None]:
        return {
            "legal_name": self.legal_name,
            "registration_number": self.registration_number,
            "jurisdiction": self.jurisdiction,
            "lei": self.lei,
            "disclosure_profile": self.disclosure_profile,
        }
