"""one investor login, holders in several issuers

Revision ID: d6b1e0c4a9f2
Revises: d1c5a8e3f2b6
Create Date: 2026-12-04 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d6b1e0c4a9f2"
down_revision: str | None = "d1c5a8e3f2b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "investor_links",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer_id", sa.String(length=36), nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_investor_links_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["issuers.id"], name=op.f("fk_investor_links_issuer_id_issuers")
        ),
        sa.PrimaryKeyConstraint("user_id", "issuer_id", name=op.f("pk_investor_links")),
    )
    # Every investor login so far stood for one holder: it keeps that link.
    op.execute(
        "INSERT INTO investor_links (user_id, issuer_id, holder_id) "
        "SELECT id, issuer_id, holder_id FROM users "
        "WHERE role = 'investor' AND issuer_id IS NOT NULL AND holder_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("investor_links")
