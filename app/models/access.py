"""Who read personal data from a register: shown to the issuer and to the holders concerned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.log import ISSUER_ID


class PersonalDataAccess(Base):
    __tablename__ = "personal_data_access"
    __table_args__ = (Index("ix_personal_data_access_issuer_id_at", "issuer_id", "accessed_at"),)

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    access_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(500))
    # None: the read covered the whole register (e.g. a snapshot).
    holder_id: Mapped[str | None] = mapped_column(String(36))
    # Why the outsider read it, as they stated it (X-Purpose or `purpose`).
    purpose: Mapped[str | None] = mapped_column(String(500))
