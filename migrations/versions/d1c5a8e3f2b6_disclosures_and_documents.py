"""Disclosures, their attachments, and the content-addressed documents (append-only).

Revision ID: d1c5a8e3f2b6
Revises: 5b8d3e1f0a27
Create Date: 2026-12-04 19:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.append_only import DOCUMENT_TABLES, drop_append_only, make_append_only

revision: str = "d1c5a8e3f2b6"
down_revision: str | None = "5b8d3e1f0a27"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosures",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("disclosure_id", sa.String(length=32), nullable=False),
        sa.Column("series_id", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("audience", sa.String(length=8), nullable=False),
        sa.Column("body_format", sa.String(length=8), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes", sa.String(length=32), nullable=True),
        sa.Column("superseded_by", sa.String(length=32), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=1000), nullable=True),
        sa.Column("withdrawn_index", sa.BigInteger(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("issuer_id", "disclosure_id", name=op.f("pk_disclosures")),
    )
    op.create_index(
        "ix_disclosures_issuer_id_log_index",
        "disclosures",
        ["issuer_id", "log_index"],
        unique=True,
    )
    op.create_index("ix_disclosures_series", "disclosures", ["issuer_id", "series_id", "version"])
    op.create_index("ix_disclosures_body_sha256", "disclosures", ["body_sha256"])
    op.create_table(
        "disclosure_attachments",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("disclosure_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=127), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id", "disclosure_id"],
            ["disclosures.issuer_id", "disclosures.disclosure_id"],
            name=op.f("fk_disclosure_attachments_issuer_id_disclosures"),
        ),
        sa.PrimaryKeyConstraint(
            "issuer_id", "disclosure_id", "position", name=op.f("pk_disclosure_attachments")
        ),
    )
    op.create_index("ix_disclosure_attachments_sha256", "disclosure_attachments", ["sha256"])
    op.create_table(
        "documents",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("issuer_id", "sha256", name=op.f("pk_documents")),
    )
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    # A stored document is never changed: its hash is on the log.
    make_append_only(op, DOCUMENT_TABLES)


def downgrade() -> None:
    drop_append_only(op, DOCUMENT_TABLES, drop_function=False)
    op.drop_index("ix_documents_sha256", table_name="documents")
    op.drop_table("documents")
    op.drop_index("ix_disclosure_attachments_sha256", table_name="disclosure_attachments")
    op.drop_table("disclosure_attachments")
    op.drop_index("ix_disclosures_body_sha256", table_name="disclosures")
    op.drop_index("ix_disclosures_series", table_name="disclosures")
    op.drop_index("ix_disclosures_issuer_id_log_index", table_name="disclosures")
    op.drop_table("disclosures")
