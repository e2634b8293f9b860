"""Verification trusts only keys the user pinned (and keys reached from them by a signed
rotation), and checks a log against checkpoints the user kept: offline on a bundle
(`python -m app.ledger.verify`) and on the database (`flask log verify`)."""

from __future__ import annotations

import hashlib
import json

import pytest

from app.extensions import db
from app.ledger import log, verify
from app.register import issuers
from app.register.requests import AmendIssuer
from tests.support.helpers import submit
from tests.support.logs import (
    export,
    forge_bundle,
    fresh_signer,
    grow_register,
    real_signer,
    resign,
    transfer,
)

OTHER_ROOT = hashlib.sha256(b"another history").digest()


@pytest.fixture
def traded(app, new_issuer):
    """41 entries: `grow_register`, then a transfer of 5 shares from A to B."""
    issuer_id = new_issuer()["id"]
    a, b = grow_register(app, issuer_id)
    transfer(app, issuer_id, a, b, 5)
    return issuer_id


def _amend(app, issuer_id: str) -> None:
    with app.app_context():
        submit(issuer_id, issuers.amend_issuer, AmendIssuer(disclosure_profile="otc"))


def _note(app, issuer_id: str, size: int | None = None) -> str:
    with app.app_context():
        if size is None:
            return log.latest_checkpoint(db.session, issuer_id).note
        return log.checkpoint_at(db.session, issuer_id, size).note


def _run(capsys, *args) -> tuple[int, str, str]:
    code = verify.main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _multiply_quantity(data: dict) -> None:
    data["quantity"] = str(int(data["quantity"]) * 1000)


def test_a_forged_bundle_passes_only_without_a_pinned_key(app, runner, traded, tmp_path, capsys):
    real = real_signer(app)
    honest = export(runner, traded, tmp_path / "log.jsonl")
    forged = tmp_path / "forged.jsonl"
    lines = forge_bundle(honest, "transfer.settled", _multiply_quantity, fresh_signer(real.name))
    forged.write_text("\n".join(lines) + "\n")

    code, out, _ = _run(capsys, forged)
    assert code == 0
    assert "OK: " in out and "41 leaves" in out
    assert "NO KEY PINNED" in out
    assert "Only self-consistency was checked" in out
    assert "the keys in the bundle's own header" in out

    code, out, err = _run(capsys, forged, "--strict")
    assert code == verify.EXIT_UNPINNED
    assert "NO KEY PINNED" in out and "--strict" in err

    code, _, err = _run(capsys, forged, "--vkey", real.vkey)
    assert code == verify.EXIT_FAILED
    assert "checkpoint 1 is signed by no key you pinned" in err
    assert f"trusted: {real.name}+{real.key_id.hex()}" in err

    code, out, _ = _run(capsys, tmp_path / "log.jsonl", "--vkey", real.vkey, "--strict")
    assert code == 0, out
    assert "NO KEY PINNED" not in out
    assert f"signed by: {real.name}+{real.key_id.hex()} (pinned)" in out


def test_a_vkey_file_takes_one_key_a_line_with_comments(app, runner, traded, tmp_path, capsys):
    real = real_signer(app)
    bundle = tmp_path / "log.jsonl"
    export(runner, traded, bundle)
    pins = tmp_path / "pins.txt"
    pins.write_text(f"# fetched from /api/v1/log/keys\n\n{real.vkey}  # the log key\n")
    code, out, _ = _run(capsys, bundle, "--vkey-file", pins, "--strict")
    assert code == 0, out
    pins.write_text("# nothing but\nnot-a-key\n")
    code, _, err = _run(capsys, bundle, "--vkey-file", pins)
    assert code == verify.EXIT_UNREADABLE
    assert "pins.txt line 2" in err


def test_a_rotation_from_a_pinned_key_is_followed(app, runner, traded, tmp_path, capsys):
    old = real_signer(app)
    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    _amend(app, traded)  # signed by the new key alone
    new = real_signer(app)
    assert new.vkey != old.vkey
    bundle = tmp_path / "log.jsonl"
    lines = export(runner, traded, bundle)

    code, out, _ = _run(capsys, bundle, "--vkey", old.vkey, "--strict")
    assert code == 0, out
    assert "43 leaves" in out
    assert f"reached from {old.name}+{old.key_id.hex()} by the rotation at index 41" in out

    on_database = runner.invoke(args=["log", "verify", "--vkey", old.vkey, "--strict"])
    assert on_database.exit_code == 0, on_database.output
    assert "by the rotation at index 41" in on_database.output

    # Pinning only the new key leaves the checkpoints before the rotation unsigned.
    code, _, err = _run(capsys, bundle, "--vkey", new.vkey)
    assert code == verify.EXIT_FAILED
    assert "checkpoint 1 is signed by no key you pinned" in err

    # The old key no longer counts after the checkpoint that covers its rotation.
    *before, last = lines
    record = json.loads(last)
    assert record["tree_size"] == 43
    record["note"] = resign(record["note"], old)
    old_signed = [*before, json.dumps(record)]
    (tmp_path / "old-signed.jsonl").write_text("\n".join(old_signed) + "\n")
    code, _, err = _run(capsys, tmp_path / "old-signed.jsonl", "--vkey", old.vkey)
    assert code == verify.EXIT_FAILED
    assert "checkpoint 43 is signed by no key you pinned" in err
    assert "was retired by the rotation at index 41" in err


def test_a_kept_checkpoint_of_a_longer_log_shows_a_rollback(app, runner, traded, tmp_path, capsys):
    real = real_signer(app)
    bundle = tmp_path / "before.jsonl"
    export(runner, traded, bundle)  # what a restored backup would serve
    _amend(app, traded)
    kept = tmp_path / "kept-42.txt"
    kept.write_text(_note(app, traded))
    code, _, err = _run(capsys, bundle, "--vkey", real.vkey, "--checkpoint", kept)
    assert code == verify.EXIT_FAILED
    assert "the log is shorter than a checkpoint you hold: it was rolled back" in err
    assert "size 42" in err and "the log has 41 entries" in err


def test_a_kept_checkpoint_of_another_history_shows_a_fork(app, runner, traded, tmp_path, capsys):
    real = real_signer(app)
    bundle = tmp_path / "log.jsonl"
    export(runner, traded, bundle)
    same = tmp_path / "kept-22.txt"
    same.write_text(_note(app, traded, 22))
    code, out, _ = _run(capsys, bundle, "--vkey", real.vkey, "--checkpoint", same)
    assert code == 0, out
    assert f"contains the checkpoint you kept ({same}, size 22)" in out

    forked = tmp_path / "forked-22.txt"
    forked.write_text(resign(_note(app, traded, 22), real, root=OTHER_ROOT))
    code, _, err = _run(capsys, bundle, "--vkey", real.vkey, "--checkpoint", forked)
    assert code == verify.EXIT_FAILED
    assert "the log forked" in err and "root at size 22" in err

    # A kept checkpoint counts only when a trusted key signed it.
    stranger = tmp_path / "stranger-22.txt"
    stranger.write_text(resign(_note(app, traded, 22), fresh_signer(real.name), root=OTHER_ROOT))
    code, _, err = _run(capsys, bundle, "--vkey", real.vkey, "--checkpoint", stranger)
    assert code == verify.EXIT_FAILED
    assert f"the checkpoint you kept ({stranger}, size 22) is signed by no key you pinned" in err


# --- the same on the database ----------------------------------------------------------------


def test_database_verify_counts_its_own_keys_as_self_consistency(app, runner, traded):
    real = real_signer(app)
    plain = runner.invoke(args=["log", "verify", "--issuer", traded])
    assert plain.exit_code == 0, plain.output
    assert "NO KEY PINNED" in plain.output and "the keys in the database itself" in plain.output
    strict = runner.invoke(args=["log", "verify", "--issuer", traded, "--strict"])
    assert strict.exit_code == 3
    assert "NO KEY PINNED" in strict.output
    pinned = runner.invoke(args=["log", "verify", "--issuer", traded, "--vkey", real.vkey])
    assert pinned.exit_code == 0, pinned.output
    assert "NO KEY PINNED" not in pinned.output
    assert f"{real.name}+{real.key_id.hex()} (pinned)" in pinned.output
    other = fresh_signer(real.name).vkey
    refused = runner.invoke(args=["log", "verify", "--issuer", traded, "--vkey", other])
    assert refused.exit_code == 1
    assert "checkpoint 1 is signed by no key you pinned" in refused.output


def test_database_verify_checks_kept_checkpoints(app, runner, traded, tmp_path):
    real = real_signer(app)
    pin = ["--vkey", real.vkey, "--issuer", traded]
    kept = tmp_path / "kept.txt"
    kept.write_text(_note(app, traded, 22))
    result = runner.invoke(args=["log", "verify", *pin, "--checkpoint", str(kept)])
    assert result.exit_code == 0, result.output
    assert "contains the checkpoint you kept" in result.output

    kept.write_text(resign(_note(app, traded, 22), real, root=OTHER_ROOT))
    result = runner.invoke(args=["log", "verify", *pin, "--checkpoint", str(kept)])
    assert result.exit_code == 1
    assert "the log forked" in result.output

    # A checkpoint the service signed at a size its database no longer has: a restored backup.
    kept.write_text(resign(_note(app, traded), real, size=60, root=OTHER_ROOT))
    result = runner.invoke(args=["log", "verify", *pin, "--checkpoint", str(kept)])
    assert result.exit_code == 1
    assert "the log is shorter than a checkpoint you hold: it was rolled back" in result.output

    kept.write_text(resign(_note(app, traded), real, origin="elsewhere.example/issuers/x"))
    result = runner.invoke(args=["log", "verify", *pin, "--checkpoint", str(kept)])
    assert result.exit_code == 1
    assert "is of no log verified here" in result.output
