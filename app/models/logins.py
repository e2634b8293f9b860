"""Which holders an investor's login stands for: one person may hold shares in several issuers,
as a different holder (member) of each."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.models.log import ISSUER_ID


class InvestorLink(Base):
    __tablename__ = "investor_links"

    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"), primary_key=True)
    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, ForeignKey("issuers.id"), primary_key=True)
    holder_id: Mapped[str] = mapped_column(String(36))
