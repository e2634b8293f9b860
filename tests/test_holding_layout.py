"""holding_versions on SQLite: WITHOUT ROWID, its reads still seek, its migration keeps rows."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import select, text

from app.cli.database import run_alembic
from app.extensions import db
from app.models.register import HoldingVersion
from app.register.queries import current_versions, versions_as_of
from tests.support.helpers import seed_register

BEFORE = "1a605c631616"  # the revision before the layout change


def _rows(connection) -> list[tuple]:
    order = "issuer_id, class_code, holder_id, from_index"
    return [
        tuple(r)
        for r in connection.execute(text(f"SELECT * FROM holding_versions ORDER BY {order}"))
    ]


def _table_sql(connection) -> str:
    return connection.execute(
        text("SELECT sql FROM sqlite_master WHERE name = 'holding_versions'")
    ).scalar_one()


def _plan(connection, statement) -> str:
    compiled = statement.compile(connection, compile_kwargs={"literal_binds": True})
    rows = connection.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
    return " | ".join(row[3] for row in rows)


@pytest.fixture
def sqlite_register(app, new_issuer) -> str:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("the layout change is SQLite's")
    issuer_id = new_issuer()["id"]
    seed_register(app, issuer_id, shares_for_a=90)
    return issuer_id


def test_reads_seek_the_primary_key(app, sqlite_register):
    issuer_id = sqlite_register
    current = select(HoldingVersion).where(
        HoldingVersion.issuer_id == issuer_id,
        HoldingVersion.class_code == "ORD",
        HoldingVersion.holder_id.in_(["a", "b"]),
        current_versions(),
    )
    snapshot = (
        select(HoldingVersion.holder_id, HoldingVersion.held)
        .where(HoldingVersion.issuer_id == issuer_id, HoldingVersion.class_code == "ORD",
               versions_as_of(5))
        .order_by(HoldingVersion.holder_id)
    )  # fmt: skip
    with app.app_context(), db.engine.connect() as connection:
        assert "WITHOUT ROWID" in _table_sql(connection)
        for statement in (current, snapshot):
            plan = _plan(connection, statement)
            assert "USING PRIMARY KEY" in plan and "TEMP B-TREE" not in plan, plan


def test_the_migration_keeps_every_row_both_ways(app, sqlite_register):
    with app.app_context():
        with db.engine.connect() as connection:
            stored = _rows(connection)
        assert stored
        run_alembic(command.downgrade, BEFORE)
        with db.engine.connect() as connection:
            assert "WITHOUT ROWID" not in _table_sql(connection)
            assert _rows(connection) == stored
        run_alembic(command.upgrade, "head")
        with db.engine.connect() as connection:
            assert "WITHOUT ROWID" in _table_sql(connection)
            assert _rows(connection) == stored
