"""Transfer instructions, their history and per-class settings; an investor token's holder.

Revision ID: 0e117700c136
Revises: c4f1a7e2d9b3
Create Date: 2026-12-03 12:49:33.377579
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0e117700c136"
down_revision: str | None = "c4f1a7e2d9b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transfer_instructions",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("instruction_id", sa.String(length=36), nullable=False),
        sa.Column("class_code", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("from_holder_id", sa.String(length=36), nullable=False),
        sa.Column("to_holder_id", sa.String(length=36), nullable=False),
        sa.Column("consideration", sa.String(length=40), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("consideration_text", sa.String(length=200), nullable=True),
        sa.Column("risk_acknowledged", sa.Boolean(), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("instructed_index", sa.BigInteger(), nullable=False),
        sa.Column("instructed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accept_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decide_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_log_index", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id", "class_code"],
            ["share_classes.issuer_id", "share_classes.code"],
            name=op.f("fk_transfer_instructions_issuer_id_share_classes"),
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id", "from_holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name="fk_transfer_instructions_from_holder",
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id", "to_holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name="fk_transfer_instructions_to_holder",
        ),
        sa.PrimaryKeyConstraint(
            "issuer_id", "instruction_id", name=op.f("pk_transfer_instructions")
        ),
    )
    with op.batch_alter_table("transfer_instructions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transfer_instructions_holding",
            ["issuer_id", "class_code", "from_holder_id", "state", "instructed_index"],
            unique=False,
        )
        batch_op.create_index(
            "ix_transfer_instructions_state",
            ["issuer_id", "state", "instructed_index"],
            unique=False,
        )

    op.create_table(
        "transfer_settings",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("class_code", sa.String(length=32), nullable=False),
        sa.Column("approval_required", sa.Boolean(), nullable=False),
        sa.Column("acceptance_days", sa.Integer(), nullable=False),
        sa.Column("last_log_index", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id", "class_code"],
            ["share_classes.issuer_id", "share_classes.code"],
            name=op.f("fk_transfer_settings_issuer_id_share_classes"),
        ),
        sa.PrimaryKeyConstraint("issuer_id", "class_code", name=op.f("pk_transfer_settings")),
    )
    op.create_table(
        "instruction_transitions",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("log_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("instruction_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issuer_id", "instruction_id"],
            ["transfer_instructions.issuer_id", "transfer_instructions.instruction_id"],
            name=op.f("fk_instruction_transitions_issuer_id_transfer_instructions"),
        ),
        sa.PrimaryKeyConstraint("issuer_id", "log_index", name=op.f("pk_instruction_transitions")),
    )
    with op.batch_alter_table("instruction_transitions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_instruction_transitions_instruction", ["issuer_id", "instruction_id"], unique=False
        )
    # An investor's token acts for one holder.
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holder_id", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("holder_id")
    with op.batch_alter_table("instruction_transitions", schema=None) as batch_op:
        batch_op.drop_index("ix_instruction_transitions_instruction")

    op.drop_table("instruction_transitions")
    op.drop_table("transfer_settings")
    with op.batch_alter_table("transfer_instructions", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_instructions_state")
        batch_op.drop_index("ix_transfer_instructions_holding")

    op.drop_table("transfer_instructions")
