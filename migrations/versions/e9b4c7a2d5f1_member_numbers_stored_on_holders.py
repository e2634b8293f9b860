"""member numbers stored on holders

Revision ID: e9b4c7a2d5f1
Revises: d7c3a9e5f102
Create Date: 2026-12-06 22:10:00

Member numbers were counted by a window over every holder of the issuer on each read (a page
of 50 members of 100,000 took 0.5-1.2 s on SQLite). The applier of `holder.registered` now
stores them; the holders entered before are numbered here as the window numbered them: from 1
in order of entry, by log index and then holder_id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e9b4c7a2d5f1"
down_revision: str | None = "d7c3a9e5f102"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_holders_member_number"

# UPDATE ... FROM: PostgreSQL, and SQLite since 3.33.
BACK_FILL = """
UPDATE holders SET member_number = numbered.number
FROM (
    SELECT issuer_id, holder_id,
           ROW_NUMBER() OVER (
               PARTITION BY issuer_id ORDER BY registered_index, holder_id
           ) AS number
    FROM holders
) AS numbered
WHERE holders.issuer_id = numbered.issuer_id AND holders.holder_id = numbered.holder_id
"""


def upgrade() -> None:
    with op.batch_alter_table("holders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_number", sa.BigInteger(), nullable=True))
    op.execute(BACK_FILL)
    # SQLite rebuilds the table here (app.db.migration_connection lets it).
    with op.batch_alter_table("holders", schema=None) as batch_op:
        batch_op.alter_column("member_number", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index(INDEX, ["issuer_id", "member_number"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("holders", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_column("member_number")
