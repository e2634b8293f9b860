"""PostgreSQL re-samples the lookup tables after a command that grew them by a tenth."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import refresh_statistics
from app.extensions import db


def _analyses(connection, table: str) -> int:
    return connection.execute(
        text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = :t"), {"t": table}
    ).scalar_one()


def test_only_stale_tables_are_analysed(app):
    with app.app_context():
        engine = db.engine
        if engine.dialect.name != "postgresql":
            pytest.skip("SQLite plans without statistics")
        refresh_statistics(engine)  # every table analysed once: holders' estimate is now 0 rows
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_stat_clear_snapshot()"))
            before = {t: _analyses(connection, t) for t in ("holders", "share_classes")}
        refresh_statistics(engine, ("holders",), grown_by=1)
        refresh_statistics(engine, ("share_classes",), grown_by=0)  # not grown: left alone
        with engine.connect() as connection:
            # Statistics reach the cumulative views with a delay; wait for the report.
            connection.execute(text("SELECT pg_stat_force_next_flush()"))
            for _ in range(50):
                connection.execute(text("SELECT pg_stat_clear_snapshot()"))
                if _analyses(connection, "holders") > before["holders"]:
                    break
                connection.execute(text("SELECT pg_sleep(0.1)"))
            assert _analyses(connection, "holders") == before["holders"] + 1
            assert _analyses(connection, "share_classes") == before["share_classes"]
