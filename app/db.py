"""Database plumbing without Flask: the declarative base, column types, engines and write
transactions. `app.flask_db` binds them to an app (an engine per app, a session per request).

On SQLite a write transaction starts with `BEGIN IMMEDIATE` so that writers are serialised
before they read anything; on PostgreSQL the ledger serialises writers per issuer with
`SELECT ... FOR UPDATE` on the log state row.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    TypeDecorator,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session

# Stable constraint names, so that Alembic migrations can name what they alter or drop.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_OPTION = "shareledger_write"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on both engines (SQLite would otherwise hand back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC one is required")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def exists_on(obj: Any, dialect_name: str) -> bool:
    """Whether a schema item made dialect-specific with `.ddl_if(dialect=...)` is created on
    `dialect_name`. Alembic's autogenerate ignores ddl_if; migrations/env.py and the schema
    test pass this as `include_object` so they compare what each engine really has."""
    condition = getattr(obj, "_ddl_if", None)
    if condition is None or condition.dialect is None:
        return True
    wanted = condition.dialect
    return dialect_name in ((wanted,) if isinstance(wanted, str) else wanted)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever driver the URL names (or omits)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, echo: bool = False) -> Engine:
    url = normalise_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling would issue a deferred BEGIN behind our back; take it
    # over so that write transactions can begin IMMEDIATE (the recipe in SQLAlchemy's docs).
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode = WAL")
        # A register must not lose a committed transaction, even on power loss.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in one transaction for schema migrations.

    SQLite changes a column's constraints only by rebuilding its table, and dropping a table
    that others refer to fails while foreign keys are enforced. So on SQLite they are not
    enforced during a migration (set before BEGIN: inside a transaction the pragma does
    nothing), every reference is checked before the commit instead, and enforcement is back
    on before the connection returns to the pool: SQLite's own procedure for such changes."""
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        raw = connection.connection.driver_connection
        if sqlite:
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"the migration broke references: {broken[:5]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys = ON")


# A table is re-sampled once a command has added this fraction of the rows its statistics
# counted (PostgreSQL's autovacuum uses 10% too), so a register built 1,000 holders at a time
# is analysed at 1k, 2k, ... 10k, 11k, 12.1k holders: each time its size grew by a tenth.
STALE_FRACTION = 0.1


def refresh_statistics(
    engine: Engine, tables: Sequence[str] | None = None, grown_by: int = 0
) -> None:
    """Have PostgreSQL re-sample its tables now (ANALYZE; SQLite plans without statistics).

    Its plans rest on statistics that autovacuum refreshes only a minute or more after a table
    has grown (or never, where it is off); until then a table that one batch filled looks
    empty, and the next command's lookups by holder become scans of the whole issuer, once per
    chunk of a batch. Without `tables`, every table; with them, those of `tables` whose
    statistics count fewer than `grown_by / STALE_FRACTION` rows."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        if tables is None:
            connection.exec_driver_sql("ANALYZE")
        else:
            _analyse_stale(connection, tables, grown_by)
        connection.commit()


def refresh_statistics_within(session: Session, tables: Sequence[str], grown_by: int) -> None:
    """`refresh_statistics` inside the session's transaction, for a command about to write
    rows whose checks are planned on tables it has itself filled. PostgreSQL's ANALYZE counts
    the rows the running transaction inserted, and the new statistics replan what follows."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        _analyse_stale(connection, tables, grown_by)


def _analyse_stale(connection: Any, tables: Sequence[str], grown_by: int) -> None:
    """ANALYZE those of `tables` whose statistics count fewer than `grown_by / STALE_FRACTION`
    rows."""
    estimates = connection.execute(
        text(
            "SELECT relname, reltuples FROM pg_class WHERE oid IN"
            " (SELECT to_regclass(name) FROM unnest(CAST(:names AS text[])) AS name)"
        ),
        {"names": list(tables)},
    )
    # reltuples is -1 for a table never analysed (0 before PostgreSQL 14).
    stale = [name for name, rows in estimates if grown_by > STALE_FRACTION * max(rows, 0)]
    if stale:
        connection.exec_driver_sql(f"ANALYZE {', '.join(sorted(stale))}")


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """One write transaction: commits if the block returns, rolls back if it raises."""
    with Session(bind=engine, expire_on_commit=False) as session:
        begin_write(session)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def begin_write(session: Session) -> None:
    """Start `session`'s transaction as a write transaction (BEGIN IMMEDIATE on SQLite)."""
    if session.in_transaction():
        raise RuntimeError("begin_write() must start the transaction, not join one")
    session.connection(execution_options={WRITE_OPTION: True})


def insert_many(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT `rows` (tuples in the order of `columns`) into `table`: one executemany, or on
    PostgreSQL from COPY_ROWS_FROM rows up one COPY (see `_copy`)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql" and len(rows) >= COPY_ROWS_FROM:
        _copy(connection, table, columns, rows)
        return
    marks = ", ".join(["?"] * len(columns))
    execute_many(session, f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


# Below this many rows an executemany costs less than setting up a COPY.
COPY_ROWS_FROM = 100


def _copy(
    connection: Any, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    # psycopg 3's COPY streams the rows in one statement, where executemany sends (pipelined)
    # one INSERT per row. It runs on the session's own driver connection, so inside the
    # command's transaction; statement events do not see it (it is one statement).
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def execute_many(session: Session, sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Run `sql` (written with ? placeholders) once per row of plain values, in the session's
    transaction, as the driver's own executemany.

    Core's executemany built and type-processed a parameter dict per row (`construct_params`:
    1.4 s of a 100,000-allocation batch's 400,000 rows); the rows written this way hold only
    strings, integers, bytes and None, which both drivers take as they are. Statement events
    (before_cursor_execute) still see the statement."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")  # psycopg's positional form; none of our SQL holds a ?
    connection.exec_driver_sql(sql, list(rows))


_CACHE_PREFIX = "shareledger.cache."


def transaction_cache(session: Session, name: str) -> dict:
    """A dict that lives as long as the session's current transaction."""
    return session.info.setdefault(_CACHE_PREFIX + name, {})


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def drop_transaction_caches(session: Session) -> None:
    """Forget every transaction cache (also needed after `expunge_all`, which detaches what
    the caches hold)."""
    for key in [key for key in session.info if key.startswith(_CACHE_PREFIX)]:
        del session.info[key]
