"""The migrated schema is the models' schema, and migrations run both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.cli.database import run_alembic
from app.db import Base, exists_on
from app.extensions import db


def _differences(connection) -> list:
    def include_object(obj, _name, _type, _reflected, _compare) -> bool:
        return exists_on(obj, connection.dialect.name)

    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return compare_metadata(context, Base.metadata)


def test_migrated_schema_equals_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        assert _differences(connection) == []


def test_downgrade_to_base_and_upgrade_again(app, runner):
    from alembic import command

    with app.app_context():
        run_alembic(command.downgrade, "base")
        with db.engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    current = runner.invoke(args=["db", "current"])
    assert "(head)" in current.output
    with app.app_context(), db.engine.connect() as connection:
        assert _differences(connection) == []
