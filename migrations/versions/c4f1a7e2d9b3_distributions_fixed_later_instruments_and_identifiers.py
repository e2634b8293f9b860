"""distributions are fixed after their record date, rounded to the minor unit; transfer
instruments and holder identifiers are looked up to refuse duplicates

Revision ID: c4f1a7e2d9b3
Revises: e4a7c2f9b1d3
Create Date: 2026-12-03 12:40:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4f1a7e2d9b3"
down_revision: str | None = "e4a7c2f9b1d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2_000


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
    instruments = op.create_table(
        "transfer_instruments",
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("log_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("instrument_reference", sa.String(length=200), nullable=False),
        sa.Column("reused", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("issuer_id", "log_index", name=op.f("pk_transfer_instruments")),
    )
    _record_instruments_of_settled_transfers(instruments)
    with op.batch_alter_table("transfer_instruments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transfer_instruments_reference", ["issuer_id", "instrument_reference"]
        )
    with op.batch_alter_table("holder_details", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identifier_claim", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_holder_details_issuer_id_identifier", ["issuer_id", "identifier"])
    # Of the live members sharing an identifier, the first registered claims it.
    op.execute(
        "UPDATE holder_details SET identifier_claim = identifier WHERE EXISTS ("
        " SELECT 1 FROM holders AS h WHERE h.issuer_id = holder_details.issuer_id"
        " AND h.holder_id = holder_details.holder_id AND h.ceased_on IS NULL"
        " AND h.registered_index = (SELECT MIN(h2.registered_index) FROM holders AS h2"
        " JOIN holder_details AS d2"
        " ON d2.issuer_id = h2.issuer_id AND d2.holder_id = h2.holder_id"
        " WHERE h2.issuer_id = h.issuer_id AND h2.ceased_on IS NULL"
        " AND d2.identifier = holder_details.identifier))"
    )
    with op.batch_alter_table("holder_details", schema=None) as batch_op:
        batch_op.create_index(
            "uq_holder_details_identifier_claim", ["issuer_id", "identifier_claim"], unique=True
        )


def _record_instruments_of_settled_transfers(instruments: sa.Table) -> None:
    """What the applier of transfer.settled now records, for the transfers logged before (as
    the applier does on replay: `reused` is what the entry says)."""
    connection = op.get_bind()
    leaves = connection.execute(
        sa.text(
            "SELECT issuer_id, idx, leaf FROM log_leaves ORDER BY issuer_id, idx"
        ).execution_options(yield_per=BATCH)
    )
    rows = []
    for issuer_id, index, leaf in leaves:
        envelope = json.loads(bytes(leaf))
        if envelope["kind"] != "transfer.settled":
            continue
        data = envelope["data"]
        rows.append(
            {
                "issuer_id": issuer_id,
                "log_index": index,
                "instrument_reference": data["instrument_reference"],
                "reused": bool(data.get("instrument_reuse")),
            }
        )
    if rows:
        op.bulk_insert(instruments, rows)


def downgrade() -> None:
    with op.batch_alter_table("holder_details", schema=None) as batch_op:
        batch_op.drop_index("uq_holder_details_identifier_claim")
        batch_op.drop_index("ix_holder_details_issuer_id_identifier")
        batch_op.drop_column("identifier_claim")
    op.drop_table("transfer_instruments")
    op.execute("DELETE FROM distributions WHERE fixed_index IS NULL")
    with op.batch_alter_table("distributions", schema=None) as batch_op:
        batch_op.alter_column("total_amount", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("total_shares", existing_type=sa.BigInteger(), nullable=False)
        batch_op.alter_column("record_tree_size", existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column("fixed_index")
        batch_op.drop_column("rounding_residue")
        batch_op.drop_column("paid_amount")
