"""distributions are fixed after their record date, rounded to the minor unit

Revision ID: c4f1a7e2d9b3
Revises: b9e2c4d1f7a5
Create Date: 2026-12-03 12:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4f1a7e2d9b3"
down_revision: str | None = "b9e2c4d1f7a5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("distributions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paid_amount", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("rounding_residue", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("fixed_index", sa.BigInteger(), nullable=True))
        batch_op.alter_column("record_tree_size", existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column("total_shares", existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column("total_amount", existing_type=sa.String(length=40), nullable=True)
    # Distributions declared before were fixed at once, exactly, by their declaration.
    op.execute(
        "UPDATE distributions SET fixed_index = declared_index, paid_amount = total_amount,"
        " rounding_residue = '0'"
    )


def downgrade() -> None:
    op.execute("DELETE FROM distributions WHERE fixed_index IS NULL")
    with op.batch_alter_table("distributions", schema=None) as batch_op:
        batch_op.alter_column("total_amount", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("total_shares", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("record_tree_size", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column("fixed_index")
        batch_op.drop_column("rounding_residue")
        batch_op.drop_column("paid_amount")
