"""DDL that makes a table append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on
PostgreSQL). Migrations apply it to every log table, on both engines; tests use the same
statements to drop the triggers when they play an attacker with direct database access.
The access log (who read personal data) is evidence too, and append-only the same way."""

from __future__ import annotations

LOG_TABLES = ("log_leaves", "log_nodes", "log_checkpoints")
ACCESS_LOG_TABLES = ("personal_data_access",)
# Stored documents: the log holds their hashes, so the bytes must not change either.
DOCUMENT_TABLES = ("documents",)
PG_FUNCTION = "shareledger_refuse_change"

PG_FUNCTION_DDL = f"""
CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def create_statements(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()",
        ]
    return [
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
        for action in ("UPDATE", "DELETE")
    ]


def drop_statements(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{action}" for action in ("update", "delete")]


def make_append_only(op, tables: tuple[str, ...]) -> None:
    """Alembic upgrade step: `op` is alembic.op."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(PG_FUNCTION_DDL)
    for table in tables:
        for statement in create_statements(dialect, table):
            op.execute(statement)


def drop_append_only(op, tables: tuple[str, ...], drop_function: bool) -> None:
    """Alembic downgrade step."""
    dialect = op.get_bind().dialect.name
    for table in tables:
        for statement in drop_statements(dialect, table):
            op.execute(statement)
    if dialect == "postgresql" and drop_function:
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")
