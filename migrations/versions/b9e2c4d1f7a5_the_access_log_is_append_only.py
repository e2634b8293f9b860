"""The access log is append-only: its rows are evidence of who read personal data.

Revision ID: b9e2c4d1f7a5
Revises: 7c41d2e9a0b3
Create Date: 2026-12-03 08:45:00
"""

from __future__ import annotations

from alembic import op

from app.append_only import ACCESS_LOG_TABLES, drop_append_only, make_append_only

revision: str = "b9e2c4d1f7a5"
down_revision: str | None = "7c41d2e9a0b3"
branch_labels = None
depends_on = None


def upgrade() -> None:
    make_append_only(op, ACCESS_LOG_TABLES)


def downgrade() -> None:
    # The function stays: the log tables' triggers still use it.
    drop_append_only(op, ACCESS_LOG_TABLES, drop_function=False)
