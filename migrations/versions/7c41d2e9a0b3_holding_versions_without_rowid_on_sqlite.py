"""holding_versions WITHOUT ROWID on SQLite, its covering snapshot index PostgreSQL-only

Revision ID: 7c41d2e9a0b3
Revises: 1a605c631616
Create Date: 2026-12-03 07:20:00

On SQLite a WITHOUT ROWID table is stored in primary-key order (issuer, class, holder,
from_index) with every column in the B-tree: it answers the snapshot and current-version
queries by itself, so the covering index is dropped there. PostgreSQL is unchanged. The table
is rebuilt with its rows (SQLite cannot change a table's storage in place).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c41d2e9a0b3"
down_revision: str | None = "1a605c631616"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SNAPSHOT_INDEX = "ix_holding_versions_snapshot"
SNAPSHOT_COLUMNS = ["issuer_id", "class_code", "holder_id", "from_index", "to_index", "held"]


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if not _sqlite():
        return
    with op.batch_alter_table(
        "holding_versions", recreate="always", table_kwargs={"sqlite_with_rowid": False}
    ) as batch_op:
        batch_op.drop_index(SNAPSHOT_INDEX)


def downgrade() -> None:
    if not _sqlite():
        return
    with op.batch_alter_table(
        "holding_versions", recreate="always", table_kwargs={"sqlite_with_rowid": True}
    ) as batch_op:
        batch_op.create_index(SNAPSHOT_INDEX, SNAPSHOT_COLUMNS, unique=False)
