"""PostgreSQL re-samples the lookup tables after a command that grew them by a tenth."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.commands import command
from app.db import refresh_statistics
from app.extensions import db
from app.register import classes, holders, holdings, issuance
from tests.support.helpers import HOLDER_A, class_request, holder_request, issue_request


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


def test_a_command_registering_a_crowd_resamples_holders_before_writing_their_holdings(
    app, new_issuer
):
    """The holdings' foreign-key checks are planned on holders' statistics. A command that
    registers a crowd and allots to it in one transaction (a CSV import) must not check
    100,000 rows against statistics that count a few hundred holders: PostgreSQL would scan
    the table once per row (seen: minutes for one import)."""
    issuer_id = new_issuer()["id"]
    crowd = 1_200
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite plans without statistics")
        refresh_statistics(db.engine)
        with command("test", issuer_id) as ctx:
            classes.create_class(ctx, class_request())
            details = [{**HOLDER_A, "identifier": f"GB-CROWD-{n}"} for n in range(crowd)]
            ids = [holders.register_holder(ctx, holder_request(d)).holder_id for d in details]
            issuance.issue_shares(ctx, issue_request(*((h, 1) for h in ids)))
            holdings.write_pending(ctx.session)
            counted = ctx.session.execute(
                text("SELECT reltuples FROM pg_class WHERE relname = 'holders'")
            ).scalar_one()
            assert counted >= crowd
