"""Holding versions are buffered and written in bulk; reads in the same command see them."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import app.db as app_db
from app.commands import command
from app.extensions import db
from app.models.register import HoldingVersion
from app.register import holdings, issuance, transfers
from app.register.replay import replay_and_compare
from tests.support.helpers import issue_request, seed_register, transfer_request


def _versions(session, issuer_id: str, holder_id: str) -> list[tuple]:
    return [
        tuple(row)
        for row in session.execute(
            select(HoldingVersion.from_index, HoldingVersion.to_index, HoldingVersion.held)
            .where(HoldingVersion.issuer_id == issuer_id, HoldingVersion.holder_id == holder_id)
            .order_by(HoldingVersion.from_index)
        )
    ]


def _issue(ctx, holder_id: str, *quantities: int) -> list:
    return issuance.issue_shares(ctx, issue_request(*((holder_id, q) for q in quantities)))


@pytest.mark.parametrize("copy_rows_from", [100, 1], ids=["executemany", "copy"])
def test_reads_in_the_same_command_see_buffered_versions(app, new_issuer, monkeypatch,
                                                         copy_rows_from):  # fmt: skip
    # On PostgreSQL, "copy" writes every bulk row (leaves, nodes, versions) through COPY.
    monkeypatch.setattr(app_db, "COPY_ROWS_FROM", copy_rows_from)
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=90)
    with app.app_context():
        with command("test", issuer_id) as ctx:
            session = ctx.session
            before = _versions(session, issuer_id, a)
            first, second = _issue(ctx, a, 5, 7)
            # Two versions opened by this command, the first already closed by the second,
            # and the stored one closed: a query sees them without an explicit flush.
            seen = _versions(session, issuer_id, a)
            assert seen[-2:] == [(first.index, second.index, 95), (second.index, None, 102)]
            assert seen[-3][1] == first.index
            # The versions are now stored; closing one of them again updates the row.
            transfers.lodge_transfer(ctx, transfer_request(a, b, 2, instrument_reference="STF-1"))
            assert holdings.current(session, issuer_id, "ORD", a).held == 100
            assert _versions(session, issuer_id, a)[-1][2] == 100
        with Session(bind=db.engine) as session:
            after = _versions(session, issuer_id, a)
            assert len(after) == len(before) + 3
            assert [row[1] for row in after].count(None) == 1
            replay_and_compare(session, issuer_id)


def test_a_failing_command_writes_no_versions(app, new_issuer):
    issuer_id = new_issuer()["id"]
    a, _ = seed_register(app, issuer_id, shares_for_a=90)
    with app.app_context():
        with Session(bind=db.engine) as session:
            before = _versions(session, issuer_id, a)
        with pytest.raises(RuntimeError), command("test", issuer_id) as ctx:
            _issue(ctx, a, 5)
            _versions(ctx.session, issuer_id, a)  # written to the database, not yet committed
            _issue(ctx, a, 6)
            raise RuntimeError("the service fails after its changes")
        with Session(bind=db.engine) as session:
            assert _versions(session, issuer_id, a) == before
