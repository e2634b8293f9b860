"""Replay rebuilds the register from the log alone, and notices any table that drifted."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models.notices import Notice
from app.register import replay, transfers
from app.register.replay import ReplayMismatch, replay_and_compare
from tests.support.helpers import seed_register, submit, transfer_request


def notices_of(issuer_id: str) -> list:
    return db.session.scalars(select(Notice).where(Notice.issuer_id == issuer_id)).all()


@pytest.fixture
def traded(app, new_issuer) -> str:
    """An issuer whose holdings changed many times over 10 commands."""
    issuer_id = new_issuer(disclosure_profile="standard")["id"]  # notices are replayed too
    a, b = seed_register(app, issuer_id, shares_for_a=90)
    with app.app_context():
        for n in range(8):
            source, target = (a, b) if n % 2 == 0 else (b, a)
            quantity = 10 + n if source == a else 3
            transfer = transfer_request(source, target, quantity, instrument_reference=f"STF-{n}")
            submit(issuer_id, transfers.lodge_transfer, transfer)
    return issuer_id


def test_replay_in_small_batches_matches(app, traded, monkeypatch):
    # Batches end mid-history, so state must carry across them exactly.
    monkeypatch.setattr(replay, "BATCH", 3)
    with app.app_context():
        report = replay_and_compare(db.session, traded)
        notices = len(notices_of(traded))
    # 13 entries of the register's commands, and the notices of the thresholds they crossed.
    assert report.entries == 13 + notices
    assert report.entries > 13
    assert report.rows_compared > 13


@pytest.mark.parametrize(
    ("statement", "table"),
    [
        (
            "UPDATE holding_versions SET held = held + 1 WHERE to_index IS NULL AND held > 0",
            "holding_versions",
        ),
        ("UPDATE share_classes SET votes_per_share = 7", "share_classes"),
        ("UPDATE holders SET commitment = 'forged'", "holders"),
        (
            "DELETE FROM holding_versions WHERE to_index IS NOT NULL AND from_index = 6",
            "holding_versions",
        ),
    ],
)
def test_replay_names_the_table_that_drifted(app, traded, statement, table):
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(text(statement))
        with pytest.raises(ReplayMismatch, match=table):
            replay_and_compare(db.session, traded)
