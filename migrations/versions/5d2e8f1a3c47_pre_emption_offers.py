"""Pre-emption: the class setting, offers and their offerees.

Revision ID: 5d2e8f1a3c47
Revises: 0e117700c136
Create Date: 2026-12-03 13:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2e8f1a3c47"
down_revision: str | None = "0e117700c136"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("transfer_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pre_emption", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("pre_emption_days", sa.Integer(), server_default="30", nullable=False)
        )
    op.create_table(
        "pre_emption_offers",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("instruction_id", sa.String(length=36), nullable=False),
        sa.Column("class_code", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("consideration", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_index", sa.BigInteger(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("close_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_index", sa.BigInteger(), nullable=True),
        sa.Column("taken_up", sa.BigInteger(), nullable=False),
        sa.Column("last_log_index", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id", "instruction_id"],
            ["transfer_instructions.issuer_id", "transfer_instructions.instruction_id"],
            name=op.f("fk_pre_emption_offers_issuer_id_transfer_instructions"),
        ),
        sa.PrimaryKeyConstraint("issuer_id", "instruction_id", name=op.f("pk_pre_emption_offers")),
    )
    with op.batch_alter_table("pre_emption_offers", schema=None) as batch_op:
        batch_op.create_index("ix_pre_emption_offers_state", ["state", "close_by"], unique=False)
    op.create_table(
        "pre_emption_offerees",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("instruction_id", sa.String(length=36), nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.Column("holding", sa.BigInteger(), nullable=False),
        sa.Column("entitlement", sa.BigInteger(), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=False),
        sa.Column("taken", sa.BigInteger(), nullable=False),
        sa.Column("answered_index", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id", "instruction_id"],
            ["pre_emption_offers.issuer_id", "pre_emption_offers.instruction_id"],
            name=op.f("fk_pre_emption_offerees_issuer_id_pre_emption_offers"),
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id", "holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name="fk_pre_emption_offerees_holder",
        ),
        sa.PrimaryKeyConstraint(
            "issuer_id", "instruction_id", "holder_id", name=op.f("pk_pre_emption_offerees")
        ),
    )


def downgrade() -> None:
    op.drop_table("pre_emption_offerees")
    with op.batch_alter_table("pre_emption_offers", schema=None) as batch_op:
        batch_op.drop_index("ix_pre_emption_offers_state")
    op.drop_table("pre_emption_offers")
    with op.batch_alter_table("transfer_settings", schema=None) as batch_op:
        batch_op.drop_column("pre_emption_days")
        batch_op.drop_column("pre_emption")
