"""Transfer rules per class and their versions, issuance lock-ups, a holder's KYC flag.

Revision ID: 5b8d3e1f0a27
Revises: 5d2e8f1a3c47
Create Date: 2026-12-03 13:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b8d3e1f0a27"
down_revision: str | None = "5d2e8f1a3c47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _class_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["issuer_id", "class_code"],
        ["share_classes.issuer_id", "share_classes.code"],
        name=op.f(f"fk_{table}_issuer_id_share_classes"),
    )


def upgrade() -> None:
    op.create_table(
        "transfer_rules",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("class_code", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("last_log_index", sa.BigInteger(), nullable=False),
        _class_key("transfer_rules"),
        sa.PrimaryKeyConstraint("issuer_id", "class_code", name=op.f("pk_transfer_rules")),
    )
    op.create_table(
        "transfer_rules_versions",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("class_code", sa.String(length=32), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        _class_key("transfer_rules_versions"),
        sa.PrimaryKeyConstraint(
            "issuer_id", "class_code", "version", name=op.f("pk_transfer_rules_versions")
        ),
    )
    op.create_table(
        "issuance_lockups",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("log_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("class_code", sa.String(length=32), nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("locked_until", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id", "holder_id"],
            ["holders.issuer_id", "holders.holder_id"],
            name="fk_issuance_lockups_holder",
        ),
        _class_key("issuance_lockups"),
        sa.PrimaryKeyConstraint("issuer_id", "log_index", name=op.f("pk_issuance_lockups")),
    )
    with op.batch_alter_table("issuance_lockups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_issuance_lockups_holding", ["issuer_id", "class_code", "holder_id"], unique=False
        )
    # Not a batch: SQLite adds a column with a constant default in place, where a batch would
    # copy and drop `holders`, which the foreign keys of every holding refuse.
    op.add_column(
        "holders",
        sa.Column("kyc_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    # SQLite (3.35+) drops a column in place too; alembic would only do it as a batch.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE holders DROP COLUMN kyc_verified")
    else:
        op.drop_column("holders", "kyc_verified")
    with op.batch_alter_table("issuance_lockups", schema=None) as batch_op:
        batch_op.drop_index("ix_issuance_lockups_holding")
    op.drop_table("issuance_lockups")
    op.drop_table("transfer_rules_versions")
    op.drop_table("transfer_rules")
