"""The log's storage: appends, seals, proofs from stored nodes, and refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.commands import command, current_ledger
from app.extensions import db
from app.ledger import log, merkle, notes
from app.ledger.keyring import verifiers
from app.ledger.log import LogIntegrityError
from tests.support import rfc6962


def _grow(app, issuer_id: str, count: int, per_command: int = 1) -> None:
    with app.app_context():
        for start in range(0, count, per_command):
            with command("test") as ctx:
                session, ledger = ctx.session, ctx.ledger
                for n in range(start, min(start + per_command, count)):
                    ledger.append(session, issuer_id, "test.event", "test", {"n": str(n)})


def _open_log(app, issuer_id: str = "00000000-0000-4000-8000-000000000001") -> str:
    with app.app_context(), command("test") as ctx:
        session, ledger = ctx.session, ctx.ledger
        ledger.create_log(session, issuer_id)
        ledger.append(session, issuer_id, "test.opened", "test", {})
    return issuer_id


def _leaf_hashes(issuer_id: str) -> list[bytes]:
    size = log.signed_size(db.session, issuer_id)
    return [entry.leaf_hash for entry in log.read_entries(db.session, issuer_id, 0, size)]


def test_roots_and_proofs_from_storage_match_the_reference_tree(app):
    issuer_id = _open_log(app)
    _grow(app, issuer_id, 20, per_command=3)
    _grow(app, issuer_id, 6)
    with app.app_context():
        hashes = _leaf_hashes(issuer_id)
        assert len(hashes) == 27
        for size in (1, 2, 7, 16, 27):
            root = merkle.root_from_leaf_hashes(hashes[:size])
            assert log.root_at(db.session, issuer_id, size) == root
            for index in range(size):
                proof = log.inclusion_proof(db.session, issuer_id, index, size)
                assert proof == rfc6962.path(index, hashes[:size]), (index, size)
                merkle.verify_inclusion(hashes[index], index, size, proof, root)
        for first in range(28):
            proof = log.consistency_proof(db.session, issuer_id, first, 27)
            assert proof == rfc6962.proof(first, hashes), first
            merkle.verify_consistency(
                first,
                27,
                proof,
                merkle.root_from_leaf_hashes(hashes[:first]),
                merkle.root_from_leaf_hashes(hashes),
            )


def test_every_command_leaves_a_signed_checkpoint_of_its_size(app):
    issuer_id = _open_log(app)
    _grow(app, issuer_id, 5, per_command=2)
    with app.app_context():
        sizes = db.session.scalars(
            text("SELECT tree_size FROM log_checkpoints WHERE issuer_id = :i ORDER BY tree_size"),
            {"i": issuer_id},
        ).all()
        assert sizes == [1, 3, 5, 6]
        latest = log.latest_checkpoint(db.session, issuer_id)
        opened = notes.open_note(latest.note, verifiers(db.session))
        checkpoint = notes.parse_checkpoint(opened.text)
        assert checkpoint.origin == current_ledger().origin(issuer_id)
        assert checkpoint.size == 6
        assert checkpoint.root == merkle.root_from_leaf_hashes(_leaf_hashes(issuer_id))


def test_leaf_is_the_exact_canonical_envelope(app):
    issuer_id = _open_log(app)
    with app.app_context(), command("test") as ctx:
        session, ledger = ctx.session, ctx.ledger
        entry = ledger.append(session, issuer_id, "test.event", "user:7", {"b": "2", "a": "1"})
    assert entry.leaf.startswith(b'{"actor":"user:7","data":{"a":"1","b":"2"},"index":1,')
    assert entry.envelope["origin"].endswith(f"/issuers/{issuer_id}")
    assert entry.envelope["recorded_at"].endswith("Z")


def test_a_failed_command_leaves_no_trace(app):
    issuer_id = _open_log(app)
    with app.app_context():
        with pytest.raises(RuntimeError, match="boom"), command("test") as ctx:
            session, ledger = ctx.session, ctx.ledger
            ledger.append(session, issuer_id, "test.event", "test", {})
            raise RuntimeError("boom")
        assert log.get_state(db.session, issuer_id).tree_size == 1
        assert len(_leaf_hashes(issuer_id)) == 1
        count = db.session.scalar(text("SELECT count(*) FROM log_leaves"))
        assert count == 1


def test_committing_appended_entries_without_a_seal_is_refused(app):
    issuer_id = _open_log(app)
    with app.app_context():
        with pytest.raises(LogIntegrityError, match="not sealed"), db.write() as session:
            log.append(
                session,
                issuer_id,
                kind="test.event",
                actor="test",
                data={},
                recorded_at=log.utc_now(),
            )
        assert log.get_state(db.session, issuer_id).tree_size == 1


def test_non_nfc_text_never_reaches_the_log(app):
    issuer_id = _open_log(app)
    with app.app_context():
        with pytest.raises(ValueError, match="NFC"), command("test") as ctx:
            session, ledger = ctx.session, ctx.ledger
            ledger.append(session, issuer_id, "test.event", "test", {"name": "Cafe\u0301"})


def test_a_seal_refuses_a_tree_inconsistent_with_the_last_checkpoint(app):
    issuer_id = _open_log(app)
    _grow(app, issuer_id, 4)
    with app.app_context():
        with db.write() as session:
            state = log.lock_log(session, issuer_id)
            # Corrupt the frontier as a bug might: the next root cannot extend the signed tree.
            state.frontier = bytes(32) * len(log.split_hashes(state.frontier))
        with pytest.raises(LogIntegrityError, match="not consistent"):
            with command("test") as ctx:
                session, ledger = ctx.session, ctx.ledger
                ledger.append(session, issuer_id, "test.event", "test", {})
        assert log.latest_checkpoint(db.session, issuer_id).tree_size == 5


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE log_leaves SET leaf = leaf",
        "DELETE FROM log_leaves",
        "UPDATE log_nodes SET hash = hash",
        "DELETE FROM log_nodes",
        "UPDATE log_checkpoints SET note = note",
        "DELETE FROM log_checkpoints",
    ],
)
def test_log_tables_refuse_update_and_delete(app, statement):
    issuer_id = _open_log(app)
    _grow(app, issuer_id, 3)
    with app.app_context(), db.engine.connect() as connection:
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text(statement))
        connection.rollback()
        assert connection.execute(text("SELECT count(*) FROM log_leaves")).scalar() == 4


def test_truncate_is_refused_on_postgresql(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            pytest.skip("TRUNCATE exists only on PostgreSQL")
        with pytest.raises(Exception, match="append-only"):
            connection.execute(text("TRUNCATE log_leaves"))
