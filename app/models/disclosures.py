"""Disclosures: versions of published company information, their files, and the stored bytes.

`disclosures` and `disclosure_attachments` are functions of the issuer's log
(`disclosure.published | amended | withdrawn`): `log verify` rebuilds them by replay and
compares. `documents` is not: the log carries only each file's SHA-256, and the bytes live here
(or under DOCUMENT_DIR, when the row holds no content), stored once per issuer and hash. The
log's hashes are what `log verify` and every download check the bytes against.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKeyConstraint, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.log import ISSUER_ID

DISCLOSURE_ID = String(32)  # uuid4 hex
SHA256_HEX = String(64)

CURRENT = "current"
SUPERSEDED = "superseded"
WITHDRAWN = "withdrawn"


class Disclosure(Base):
    """One version of a disclosure. The versions of one item share `series_id` (the first
    version's id); a withdrawal marks every version of the series."""

    __tablename__ = "disclosures"
    __table_args__ = (
        # The feed: an issuer's versions, newest first.
        Index("ix_disclosures_issuer_id_log_index", "issuer_id", "log_index", unique=True),
        Index("ix_disclosures_series", "issuer_id", "series_id", "version"),
        # "Which disclosures carry this file?" is asked across issuers, by hash alone.
        Index("ix_disclosures_body_sha256", "body_sha256"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    disclosure_id: Mapped[str] = mapped_column(DISCLOSURE_ID, primary_key=True)
    series_id: Mapped[str] = mapped_column(DISCLOSURE_ID)
    version: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    language: Mapped[str] = mapped_column(String(35))
    effective_date: Mapped[date] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(8))
    body_format: Mapped[str] = mapped_column(String(8))
    body_sha256: Mapped[str] = mapped_column(SHA256_HEX)
    # The entry that published this version, and when.
    log_index: Mapped[int] = mapped_column(BigInteger)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    supersedes: Mapped[str | None] = mapped_column(DISCLOSURE_ID)
    superseded_by: Mapped[str | None] = mapped_column(DISCLOSURE_ID)
    withdrawn_reason: Mapped[str | None] = mapped_column(String(1000))
    withdrawn_index: Mapped[int | None] = mapped_column(BigInteger)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def status(self) -> str:
        if self.withdrawn_index is not None:
            return WITHDRAWN
        return SUPERSEDED if self.superseded_by is not None else CURRENT


class DisclosureAttachment(Base):
    """A file one version carries, in the order it was given."""

    __tablename__ = "disclosure_attachments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["issuer_id", "disclosure_id"], ["disclosures.issuer_id", "disclosures.disclosure_id"]
        ),
        Index("ix_disclosure_attachments_sha256", "sha256"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    disclosure_id: Mapped[str] = mapped_column(DISCLOSURE_ID, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(SHA256_HEX)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)


class Document(Base):
    """Bytes stored once per issuer by their SHA-256: in `content`, or (content NULL) in the
    filesystem store's directory, named by the hash."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_sha256", "sha256"),)

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    sha256: Mapped[str] = mapped_column(SHA256_HEX, primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())
