"""`flask log verify | export`, offline verification, tamper detection and key rotation."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from app import append_only
from app.commands import command
from app.extensions import db
from app.ledger import log, notes
from app.ledger.verify import VerificationError, verify_bundle
from app.register import holders, issuers
from app.register.requests import AmendIssuer, CeaseHolder, EraseHolder
from tests.support.helpers import ACTOR, HOLDER_B, holder_request, seed_register, submit
from tests.support.logs import grow_register

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def grown_issuer(app, new_issuer):
    """An issuer whose log has 40 entries over 14 commands (see `grow_register`)."""
    issuer_id = new_issuer()["id"]
    grow_register(app, issuer_id)
    return issuer_id


def test_verify_passes_on_an_honest_log(runner, grown_issuer):
    result = runner.invoke(args=["log", "verify"])
    assert result.exit_code == 0, result.output
    assert "40 leaves" in result.output
    assert "14 checkpoints" in result.output
    assert "register replayed" in result.output
    assert result.output.strip().endswith("all hold")


def _drop_triggers(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        for table in append_only.LOG_TABLES:
            for statement in append_only.drop_statements(connection.dialect.name, table):
                connection.execute(text(statement))


def _flip_byte(app, statement: str, params: dict) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text(statement), params)


@pytest.mark.parametrize(
    ("what", "statement", "broken_index"),
    [
        (
            "leaf",
            "UPDATE log_leaves SET leaf = :tampered WHERE issuer_id = :i AND idx = 17",
            17,
        ),
        (
            "node",
            "UPDATE log_nodes SET hash = :tampered WHERE issuer_id = :i AND level = 2 AND idx = 3",
            15,
        ),
        (
            "checkpoint",
            "UPDATE log_checkpoints SET note = :tampered WHERE issuer_id = :i AND tree_size = 22",
            21,
        ),
    ],
)
def test_verify_catches_one_changed_byte(app, runner, grown_issuer, what, statement, broken_index):
    column = {"leaf": "leaf", "node": "hash", "checkpoint": "note"}[what]
    table = {"leaf": "log_leaves", "node": "log_nodes", "checkpoint": "log_checkpoints"}[what]
    where = statement.split("WHERE", 1)[1]
    with app.app_context():
        original = db.session.execute(
            text(f"SELECT {column} FROM {table} WHERE {where}"), {"i": grown_issuer}
        ).scalar_one()
    if isinstance(original, str):
        # Change one character of the signature line's base64 (still valid base64).
        position = original.rindex(" ") + 5
        replacement = "A" if original[position] != "A" else "B"
        tampered = original[:position] + replacement + original[position + 1 :]
    else:
        tampered = bytes([original[0] ^ 0x01]) + original[1:]
    _drop_triggers(app)
    _flip_byte(app, statement, {"tampered": tampered, "i": grown_issuer})
    result = runner.invoke(args=["log", "verify", "--issuer", grown_issuer])
    assert result.exit_code != 0
    assert f"at index {broken_index}" in result.output


def test_export_verifies_offline_without_flask(app, runner, grown_issuer, tmp_path):
    bundle = tmp_path / "log.jsonl"
    result = runner.invoke(args=["log", "export", "--issuer", grown_issuer, "-o", str(bundle)])
    assert result.exit_code == 0, result.output
    probe = (
        "import runpy, sys; sys.argv = ['verify', sys.argv[1]];"
        "code = 0\n"
        "try:\n    runpy.run_module('app.ledger.verify', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules, 'imports Flask'\n"
        "sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(bundle)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "OK:" in done.stdout and "40 leaves, 14 signed checkpoints" in done.stdout


def test_offline_verify_rejects_a_changed_bundle(runner, grown_issuer, tmp_path):
    bundle = tmp_path / "log.jsonl"
    runner.invoke(args=["log", "export", "--issuer", grown_issuer, "-o", str(bundle)])
    original = bundle.read_text().splitlines()
    assert verify_bundle(iter(original)).size == 40
    lines = list(original)
    record = json.loads(lines[5])
    assert record["type"] == "leaf"
    record["leaf"] = record["leaf"][:-4] + ("AAAA" if record["leaf"][-4:] != "AAAA" else "BBBB")
    lines[5] = json.dumps(record)
    with pytest.raises(VerificationError, match="index 3"):
        verify_bundle(iter(lines))
    unsigned = [line for line in original if '"checkpoint"' not in line]
    with pytest.raises(VerificationError, match="no checkpoint"):
        verify_bundle(iter(unsigned))
    unsigned_tail = original[:-1]
    with pytest.raises(VerificationError, match="covered by no checkpoint"):
        verify_bundle(iter(unsigned_tail))


def test_a_key_swapped_in_by_hand_is_refused(app, runner, grown_issuer, tmp_path):
    key_file = tmp_path / "rotating-key.pem"
    app.config["SIGNING_KEY_FILE"] = str(key_file)
    from app.ledger import keys

    keys.save_key(keys.generate_key(), key_file, app.config["SIGNING_KEY_PASSPHRASE"])
    # A key swapped in by hand is refused: keys change only by rotation.
    with app.app_context(), pytest.raises(RuntimeError, match="rotate"):
        with command(ACTOR, grown_issuer) as ctx:
            ctx.ledger.append(ctx.session, grown_issuer, "test.event", "test", {})


def test_rotation_keeps_old_checkpoints_verifiable(app, runner, grown_issuer):
    before = runner.invoke(args=["keys", "list"]).output
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from app.ledger.keyring import published_keys

        published = published_keys(db.session)
        assert [key.status for key in published] == ["retired", "active"]
        old, new = (notes.parse_vkey(key.vkey) for key in published)
        latest = log.latest_checkpoint(db.session, grown_issuer)
        opened = notes.open_note(latest.note, [old, new])
        assert {v.key_id for v in opened.verified_by} == {old.key_id, new.key_id}
        size = latest.tree_size
        (entry,) = log.read_entries(db.session, grown_issuer, size - 1, size)
        assert entry.envelope["kind"] == "key.rotated"
        from app.ledger.keys import verify_rotation

        verify_rotation(entry.envelope["data"])
    # The service keeps working with the new key, and the whole log still verifies.
    with app.app_context():
        submit(grown_issuer, issuers.amend_issuer, AmendIssuer(disclosure_profile="otc"))
    verify = runner.invoke(args=["log", "verify"])
    assert verify.exit_code == 0, verify.output
    assert before != runner.invoke(args=["keys", "list"]).output


def test_tokens_create_prints_the_secret_last(app, runner, client):
    result = runner.invoke(args=["tokens", "create", "--role", "regulator", "--label", "FCA"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("slt_")
    response = client.get("/api/v1/issuers", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    with app.app_context():
        stored = db.session.execute(text("SELECT token_hash FROM api_tokens")).scalars().all()
    assert secret not in stored and len(stored) == 1


def test_secretary_token_needs_an_issuer(runner):
    result = runner.invoke(args=["tokens", "create", "--role", "secretary", "--label", "x"])
    assert result.exit_code != 0
    assert "must name its issuer" in result.output


def test_verify_catches_a_deleted_last_checkpoint(app, runner, grown_issuer):
    """Every command seals its leaves. With the triggers dropped, the last checkpoint row can
    be deleted (the state row still agrees with the leaves): its leaves are then covered by no
    checkpoint."""
    _drop_triggers(app)
    _flip_byte(
        app,
        "DELETE FROM log_checkpoints WHERE issuer_id = :i AND tree_size = 40",
        {"i": grown_issuer},
    )
    result = runner.invoke(args=["log", "verify", "--issuer", grown_issuer])
    assert result.exit_code != 0, result.output
    assert "leaves after 37 are covered by no checkpoint" in result.output


@pytest.mark.parametrize(
    ("column", "value"), [("name", "Ada King"), ("salt", "00" * 16), ("address", "Elsewhere")]
)
def test_verify_catches_changed_holder_details(app, runner, grown_issuer, column, value):
    """Details stay off the log, but the log holds a commitment to them."""
    with app.app_context():
        holder_id = db.session.execute(
            text("SELECT holder_id FROM holder_details WHERE issuer_id = :i ORDER BY holder_id"),
            {"i": grown_issuer},
        ).first()[0]
    _flip_byte(
        app,
        f"UPDATE holder_details SET {column} = :v WHERE issuer_id = :i AND holder_id = :h",
        {"v": value, "i": grown_issuer, "h": holder_id},
    )
    result = runner.invoke(args=["log", "verify", "--issuer", grown_issuer])
    assert result.exit_code != 0, result.output
    assert f"holder {holder_id}: the stored details do not match" in result.output


def test_verify_counts_erased_holders_apart(app, runner, grown_issuer):
    """A holder who ceased and was erased has no details left to check; the others still do."""
    with app.app_context():
        gone = {**HOLDER_B, "name": "Gone Ltd", "identifier": "GB-CRN-00000099"}
        holder_id = submit(grown_issuer, holders.register_holder, holder_request(gone)).holder_id
        submit(grown_issuer, holders.cease_holder, CeaseHolder(holder_id))
        submit(grown_issuer, holders.erase_holder, EraseHolder(holder_id))
        live = db.session.execute(
            text("SELECT count(*) FROM holder_details WHERE issuer_id = :i"), {"i": grown_issuer}
        ).scalar_one()
    result = runner.invoke(args=["log", "verify", "--issuer", grown_issuer])
    assert result.exit_code == 0, result.output
    assert f"{live} holders' details match their commitments (1 erased)" in result.output


def test_verify_catches_a_deleted_middle_checkpoint(app, runner, grown_issuer, tmp_path):
    """Each checkpoint names the size of the one before it, so deleting one in the middle
    leaves the next naming a size that has no checkpoint: in the database and in a bundle."""
    bundle = tmp_path / "log.jsonl"
    runner.invoke(args=["log", "export", "--issuer", grown_issuer, "-o", str(bundle)])
    lines = bundle.read_text().splitlines()
    without_22 = [line for line in lines if '"tree_size":22,' not in line]
    assert len(without_22) == len(lines) - 1
    with pytest.raises(VerificationError, match="checkpoint 25 follows checkpoint 22, which is"):
        verify_bundle(iter(without_22))
    _drop_triggers(app)
    _flip_byte(
        app,
        "DELETE FROM log_checkpoints WHERE issuer_id = :i AND tree_size = 22",
        {"i": grown_issuer},
    )
    result = runner.invoke(args=["log", "verify", "--issuer", grown_issuer])
    assert result.exit_code != 0, result.output
    assert "checkpoint 25 follows checkpoint 22, which is missing" in result.output


def test_checkpoints_from_before_the_chain_are_said_to_be_unprovable(
    app, runner, new_issuer, monkeypatch, tmp_path
):
    """Checkpoints signed before they named their predecessor carry no such line: the output
    says from which size on a deleted checkpoint would show."""
    monkeypatch.setattr(log, "checkpoint_extensions", lambda previous: ())
    issuer_id = new_issuer()["id"]
    with app.app_context():
        seed_register(app, issuer_id, 10)
        monkeypatch.undo()
        submit(issuer_id, issuers.amend_issuer, AmendIssuer(disclosure_profile="otc"))
    result = runner.invoke(args=["log", "verify", "--issuer", issuer_id])
    assert result.exit_code == 0, result.output
    assert "checkpoint chain provable from size 5 on" in result.output
    bundle = tmp_path / "log.jsonl"
    runner.invoke(args=["log", "export", "--issuer", issuer_id, "-o", str(bundle)])
    assert verify_bundle(iter(bundle.read_text().splitlines())).chain_from == 5


def test_an_honest_log_proves_its_whole_checkpoint_chain(runner, grown_issuer):
    result = runner.invoke(args=["log", "verify", "--issuer", grown_issuer])
    assert result.exit_code == 0, result.output
    assert "every checkpoint names its predecessor" in result.output
