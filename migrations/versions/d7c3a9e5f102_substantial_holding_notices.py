"""Substantial-holding notices (append-only, like the log they project).

Revision ID: d7c3a9e5f102
Revises: d7a3f9c2e5b1
Create Date: 2026-12-04 19:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.append_only import drop_append_only, make_append_only

revision: str = "d7c3a9e5f102"
down_revision: str | None = "d7a3f9c2e5b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOTICE_TABLES = ("notices",)


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("log_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("threshold", sa.String(length=8), nullable=False),
        sa.Column("thresholds", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("profile", sa.String(length=8), nullable=False),
        sa.Column("before", sa.String(length=40), nullable=False),
        sa.Column("after", sa.String(length=40), nullable=False),
        sa.Column("trigger_index", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id", "holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name=op.f("fk_notices_issuer_id_holders"),
        ),
        sa.PrimaryKeyConstraint("issuer_id", "log_index", name=op.f("pk_notices")),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_holder", ["issuer_id", "holder_id", "log_index"])
    make_append_only(op, NOTICE_TABLES)


def downgrade() -> None:
    # The function stays: the log tables' triggers still use it.
    drop_append_only(op, NOTICE_TABLES, drop_function=False)
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_holder")
    op.drop_table("notices")
