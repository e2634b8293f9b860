"""Tokens expire and remember their last use; browser sessions are kept server-side; the
access log records the purpose an outsider stated for reading personal data.

Revision ID: d7a3f9c2e5b1
Revises: d7f3a9c2e815
Create Date: 2026-12-04 19:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.append_only import ACCESS_LOG_TABLES, drop_append_only, make_append_only

revision: str = "d7a3f9c2e5b1"
down_revision: str | None = "d7f3a9c2e815"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))
    # A plain ADD COLUMN (no table copy), so the access log's append-only triggers stay.
    op.add_column("personal_data_access", sa.Column("purpose", sa.String(length=500)))
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_login_sessions_session_hash")),
    )
    op.create_index(op.f("ix_login_sessions_user_id"), "login_sessions", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_login_sessions_user_id"), table_name="login_sessions")
    op.drop_table("login_sessions")
    # SQLite drops a column by copying the table, which loses its triggers: lift and restore.
    drop_append_only(op, ACCESS_LOG_TABLES, drop_function=False)
    with op.batch_alter_table("personal_data_access", schema=None) as batch_op:
        batch_op.drop_column("purpose")
    make_append_only(op, ACCESS_LOG_TABLES)
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
