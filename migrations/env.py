"""Alembic environment. `flask db ...` (app/cli/database.py) hands over an open connection;
run standalone, it connects to DATABASE_URL."""

from alembic import context

from app import models  # noqa: F401  (registers every table on the metadata)
from app.db import Base, UTCDateTime, exists_on, make_engine, migration_connection

config = context.config


def render_item(type_, obj, autogen_context):
    """Render our column types as plain SQLAlchemy ones, so migrations do not import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        compare_type=True,
        render_item=render_item,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=lambda obj, _name, _type, _reflected, _compare: exists_on(
            obj, connection.dialect.name
        ),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    import os

    from config import config_for

    engine = make_engine(os.environ.get("DATABASE_URL", config_for().DATABASE_URL))
    with migration_connection(engine) as connection:
        run_migrations(connection)
