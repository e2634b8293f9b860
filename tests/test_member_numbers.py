"""Member numbers are stored on the holder when the log registers them: numbered from 1 in
order of entry (log index, holder_id within one index), the same on replay and after the
migration that back-fills them, and read from there by every page that shows them."""

from __future__ import annotations

import pytest
from alembic import command as alembic_command
from sqlalchemy import select, text

from app.cli.database import run_alembic
from app.commands import command
from app.extensions import db
from app.models.register import Holder
from app.register import holders, members, replay
from app.register.member_search import members_page, resolve_member
from app.register.replay import ReplayMismatch, replay_and_compare
from tests.support.helpers import ACTOR, HOLDER_A, holder_request, seed_register

BEFORE = "d7c3a9e5f102"  # the revision before member numbers were stored


def _register(issuer_id: str, holder_ids: list[str]) -> None:
    """Register holders with the given ids, in that order, in one command."""
    with command(ACTOR, issuer_id) as ctx:
        for holder_id in holder_ids:
            details = {**HOLDER_A, "name": f"Member {holder_id}", "identifier": f"ID-{holder_id}"}
            holders.register_holder(ctx, holder_request(details), holder_id=holder_id)


def _stored(issuer_id: str) -> list[tuple[str, int]]:
    query = (
        select(Holder.holder_id, Holder.member_number)
        .where(Holder.issuer_id == issuer_id)
        .order_by(Holder.member_number)
    )
    return [tuple(row) for row in db.session.execute(query)]


def _in_order_of_entry(connection, issuer_id: str) -> list[tuple[str, int]]:
    """The rule, told independently of the code: (registered_index, holder_id) order."""
    rows = connection.execute(
        text("SELECT holder_id, registered_index FROM holders WHERE issuer_id = :issuer"),
        {"issuer": issuer_id},
    )
    ordered = sorted(rows, key=lambda row: (row.registered_index, row.holder_id))
    return [(row.holder_id, number) for number, row in enumerate(ordered, start=1)]


@pytest.fixture
def entered(app, new_issuer) -> str:
    """An issuer whose members were entered in two commands, in an order unlike their ids'."""
    issuer_id = new_issuer()["id"]
    with app.app_context():
        _register(issuer_id, ["m-zulu", "m-alpha", "m-mike"])
        _register(issuer_id, ["m-bravo", "m-yankee"])
    return issuer_id


def test_numbers_are_stored_in_order_of_entry(app, entered):
    with app.app_context():
        assert _stored(entered) == [
            ("m-zulu", 1),
            ("m-alpha", 2),
            ("m-mike", 3),
            ("m-bravo", 4),
            ("m-yankee", 5),
        ]
        with db.engine.connect() as connection:
            assert _stored(entered) == _in_order_of_entry(connection, entered)


def test_each_issuer_numbers_its_own_members_from_one(app, entered, new_issuer):
    other = new_issuer()["id"]
    with app.app_context():
        _register(other, ["m-other"])
        assert _stored(other) == [("m-other", 1)]


def test_replay_gives_the_same_numbers_across_its_batches(app, entered, monkeypatch):
    # Batches of two commit mid-registration: numbering must carry across commits.
    monkeypatch.setattr(replay, "BATCH", 2)
    with app.app_context():
        report = replay_and_compare(db.session, entered)
    assert report.rows_compared >= 5


def test_replay_notices_a_changed_member_number(app, entered):
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(
                text("UPDATE holders SET member_number = member_number + 10 WHERE holder_id = :h"),
                {"h": "m-yankee"},
            )
        with pytest.raises(ReplayMismatch, match="member_number"):
            replay_and_compare(db.session, entered)


def test_readers_take_the_stored_number(app, entered):
    """Every reader shows the number stored on the holder, not one counted afresh."""
    with app.app_context():
        with db.engine.begin() as connection:
            # Renumber out of order of entry (two steps: the numbers are unique).
            connection.execute(
                text("UPDATE holders SET member_number = member_number + 100 WHERE issuer_id = :i"),
                {"i": entered},
            )
            connection.execute(
                text(
                    "UPDATE holders SET member_number = 206 - member_number + 100"
                    " WHERE issuer_id = :i"
                ),
                {"i": entered},
            )
        session = db.session
        assert members.member_number(session, entered, "m-zulu") == 205
        assert members.holder_with_number(session, entered, 201) == "m-yankee"
        assert resolve_member(session, entered, "No. 202") == "m-bravo"
        labels = members.holder_labels(session, entered, ["m-alpha"])
        assert labels == {"m-alpha": "Member m-alpha (No. 204)"}
        page = members_page(session, entered, "", None, 2)
        assert [(row.number, row.holder_id) for row in page.items] == [
            (201, "m-yankee"),
            (202, "m-bravo"),
        ]
        assert page.next_after == "202"
        after = members_page(session, entered, "", 202, 10)
        assert [row.number for row in after.items] == [203, 204, 205]
        assert [row.holder_id for row in members_page(session, entered, "203", None, 5).items] == [
            "m-mike"
        ]


def test_the_migration_back_fills_numbers_in_order_of_entry(app, entered, new_issuer):
    other = new_issuer()["id"]
    seed_register(app, other, shares_for_a=5)
    with app.app_context():
        run_alembic(alembic_command.downgrade, BEFORE)
        with db.engine.begin() as connection:
            # Two holders entered at one log index: holder_id breaks the tie.
            connection.execute(
                text(
                    "UPDATE holders SET registered_index = ("
                    " SELECT registered_index FROM holders WHERE holder_id = 'm-alpha')"
                    " WHERE holder_id = 'm-zulu'"
                )
            )
            expected = {
                issuer: _in_order_of_entry(connection, issuer) for issuer in (entered, other)
            }
        assert [holder for holder, _ in expected[entered][:3]] == ["m-alpha", "m-zulu", "m-mike"]
        run_alembic(alembic_command.upgrade, "head")
        db.session.remove()
        for issuer, numbers in expected.items():
            assert _stored(issuer) == numbers


def test_a_savepoint_rolled_back_takes_its_numbers_with_it(app, new_issuer):
    """A command that failed inside a request's transaction leaves no gap: the next member
    entered in the same transaction gets the number the failed one would have had."""
    issuer_id = new_issuer()["id"]
    with app.test_request_context(), db.request_transaction() as transaction:
        with pytest.raises(RuntimeError), command(ACTOR, issuer_id) as ctx:
            details = {**HOLDER_A, "name": "Withdrawn", "identifier": "ID-withdrawn"}
            holders.register_holder(ctx, holder_request(details), holder_id="m-withdrawn")
            raise RuntimeError("the command failed after registering")
        _register(issuer_id, ["m-kept"])
        transaction.commit()
    with app.app_context():
        assert _stored(issuer_id) == [("m-kept", 1)]
