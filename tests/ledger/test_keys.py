"""Tests for app.ledger.keys: key files and signed key rotation."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.ledger import keys
from app.ledger.keys import (
    ROTATION_STATEMENT_PREFIX,
    KeyFileExistsError,
    SigningKeyError,
    generate_key,
    load_key,
    load_or_create_dev_key,
    public_key_bytes,
    rotation_statement,
    save_key,
    sign_rotation,
    verify_rotation,
)
from app.ledger.notes import NoteError, Signer, parse_checkpoint

PASS = "correct horse battery staple"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _same_key(a: Ed25519PrivateKey, b: Ed25519PrivateKey) -> bool:
    return public_key_bytes(a) == public_key_bytes(b)


# --- key files ------------------------------------------------------------------


def test_save_load_round_trip(tmp_path: Path) -> None:
    key = generate_key()
    path = tmp_path / "nested" / "dir" / "log.key"
    save_key(key, path, PASS)
    loaded = load_key(path, PASS)
    assert _same_key(loaded, key)
    assert loaded.sign(b"m") == key.sign(b"m")  # Ed25519 is deterministic


def test_str_and_bytes_passphrases_are_equivalent(tmp_path: Path) -> None:
    key = generate_key()
    save_key(key, tmp_path / "k", "pässword")
    assert _same_key(load_key(tmp_path / "k", "pässword".encode()), key)


def test_wrong_passphrase_rejected(tmp_path: Path) -> None:
    save_key(generate_key(), tmp_path / "k", PASS)
    with pytest.raises(SigningKeyError, match="wrong passphrase"):
        load_key(tmp_path / "k", PASS + "!")


def test_file_is_encrypted_pkcs8_pem(tmp_path: Path) -> None:
    key = generate_key()
    save_key(key, tmp_path / "k", PASS)
    data = (tmp_path / "k").read_bytes()
    assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    assert raw not in data and base64.b64encode(raw) not in data
    with pytest.raises(TypeError):
        serialization.load_pem_private_key(data, password=None)


def test_file_mode_0600_and_new_parent_0700(tmp_path: Path) -> None:
    old_umask = os.umask(0)  # the permissive worst case
    try:
        path = tmp_path / "secrets" / "log.key"
        save_key(generate_key(), path, PASS)
    finally:
        os.umask(old_umask)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_overwrite_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "k"
    path.write_bytes(b"old")
    path.chmod(0o644)
    save_key(generate_key(), path, PASS, overwrite=True)
    assert _mode(path) == 0o600


def test_empty_passphrase_refused(tmp_path: Path) -> None:
    for empty in ("", b""):
        with pytest.raises(SigningKeyError, match="empty passphrase"):
            save_key(generate_key(), tmp_path / "k", empty)
    assert list(tmp_path.iterdir()) == []
    save_key(generate_key(), tmp_path / "k", PASS)
    with pytest.raises(SigningKeyError, match="empty passphrase"):
        load_key(tmp_path / "k", "")


def test_existing_file_not_overwritten_by_default(tmp_path: Path) -> None:
    path = tmp_path / "k"
    first = generate_key()
    save_key(first, path, PASS)
    with pytest.raises(KeyFileExistsError):
        save_key(generate_key(), path, PASS)
    assert _same_key(load_key(path, PASS), first)
    assert [p.name for p in tmp_path.iterdir()] == ["k"]  # no temp file left behind

    second = generate_key()
    save_key(second, path, PASS, overwrite=True)
    assert _same_key(load_key(path, PASS), second)


def test_failed_replace_leaves_old_key_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "k"
    first = generate_key()
    save_key(first, path, PASS)

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(keys.os, "replace", boom)
    with pytest.raises(SigningKeyError, match="disk full"):
        save_key(generate_key(), path, PASS, overwrite=True)
    assert _same_key(load_key(path, PASS), first)
    assert [p.name for p in tmp_path.iterdir()] == ["k"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SigningKeyError, match="not found"):
        load_key(tmp_path / "absent.key", PASS)


def test_not_ed25519(tmp_path: Path) -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(PASS.encode()),
    )
    (tmp_path / "ec.key").write_bytes(pem)
    with pytest.raises(SigningKeyError, match="not Ed25519"):
        load_key(tmp_path / "ec.key", PASS)


def test_unencrypted_key_file_refused(tmp_path: Path) -> None:
    pem = generate_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "plain.key").write_bytes(pem)
    with pytest.raises(SigningKeyError, match="not encrypted"):
        load_key(tmp_path / "plain.key", PASS)


def test_garbage_file(tmp_path: Path) -> None:
    (tmp_path / "junk").write_bytes(b"hello")
    with pytest.raises(SigningKeyError, match="not an encrypted"):
        load_key(tmp_path / "junk", PASS)


def test_public_key_bytes() -> None:
    key = generate_key()
    raw = public_key_bytes(key)
    assert len(raw) == 32
    assert raw == key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert public_key_bytes(key.public_key()) == raw
    assert public_key_bytes(generate_key()) != raw


# --- development keys -------------------------------------------------------------


def test_dev_key_created_once_with_loud_warning(tmp_path: Path) -> None:
    path = tmp_path / "dev" / "log.key"
    warnings: list[str] = []
    first = load_or_create_dev_key(path, PASS, warnings.append)
    assert path.exists() and _mode(path) == 0o600
    assert len(warnings) == 1 and "GENERATED A NEW DEVELOPMENT SIGNING KEY" in warnings[0]
    assert str(path) in warnings[0]

    second = load_or_create_dev_key(path, PASS, warnings.append)
    assert _same_key(first, second)
    assert len(warnings) == 2 and "DEVELOPMENT" in warnings[1]


def test_dev_key_wrong_passphrase_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "log.key"
    first = load_or_create_dev_key(path, PASS, lambda _: None)
    with pytest.raises(SigningKeyError, match="wrong passphrase"):
        load_or_create_dev_key(path, "other", lambda _: None)
    assert _same_key(load_key(path, PASS), first)


def test_dev_key_creation_race_uses_winner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "log.key"
    winner = generate_key()
    real_save = keys.save_key

    def racing_save(key: Ed25519PrivateKey, p: Path, passphrase: str) -> None:
        real_save(winner, p, passphrase)  # another worker gets there first
        real_save(key, p, passphrase)

    monkeypatch.setattr(keys, "save_key", racing_save)
    got = load_or_create_dev_key(path, PASS, lambda _: None)
    assert _same_key(got, winner)


# --- rotation ------------------------------------------------------------------------


@pytest.fixture
def old() -> Signer:
    return Signer("shareledger.example/register", generate_key())


@pytest.fixture
def new() -> Signer:
    return Signer("shareledger.example/register", generate_key())


def test_rotation_statement_exact_bytes(old: Signer, new: Signer) -> None:
    expected = b"shareledger key rotation v1\n" + old.vkey.encode() + b"\n"
    expected += new.vkey.encode() + b"\n"
    assert ROTATION_STATEMENT_PREFIX == "shareledger key rotation v1\n"
    assert rotation_statement(old.vkey, new.vkey) == expected


def test_rotation_statement_rejects_bad_vkeys(old: Signer, new: Signer) -> None:
    with pytest.raises(SigningKeyError):
        rotation_statement(old.vkey + "\nextra", new.vkey)
    with pytest.raises(SigningKeyError):
        rotation_statement(old.vkey, "not a vkey")
    with pytest.raises(SigningKeyError, match="same key"):
        rotation_statement(old.vkey, old.vkey)


def test_rotation_statement_is_not_a_checkpoint(old: Signer, new: Signer) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(rotation_statement(old.vkey, new.vkey).decode())


def test_rotation_round_trip(old: Signer, new: Signer) -> None:
    record = sign_rotation(old, new)
    assert set(record) == {"old_vkey", "new_vkey", "old_signature", "new_signature"}
    assert (record["old_vkey"], record["new_vkey"]) == (old.vkey, new.vkey)
    statement = rotation_statement(old.vkey, new.vkey)
    assert old.verifier.verify(statement, base64.b64decode(record["old_signature"]))
    assert new.verifier.verify(statement, base64.b64decode(record["new_signature"]))
    verify_rotation(record)
    verify_rotation(json.loads(json.dumps(record)))


def _flip_sig(sig64: str) -> str:
    raw = bytearray(base64.b64decode(sig64))
    raw[0] ^= 1
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize("field", ["old_signature", "new_signature"])
def test_rotation_altered_signature_fails(field: str, old: Signer, new: Signer) -> None:
    record = sign_rotation(old, new)
    verify_rotation(record)
    with pytest.raises(SigningKeyError, match=field.split("_")[0]):
        verify_rotation(record | {field: _flip_sig(record[field])})


def test_rotation_swapped_signatures_fail(old: Signer, new: Signer) -> None:
    record = sign_rotation(old, new)
    swapped = record | {
        "old_signature": record["new_signature"],
        "new_signature": record["old_signature"],
    }
    with pytest.raises(SigningKeyError):
        verify_rotation(swapped)


@pytest.mark.parametrize("field", ["old_vkey", "new_vkey"])
def test_rotation_altered_vkey_fails(field: str, old: Signer, new: Signer) -> None:
    record = sign_rotation(old, new)
    other = Signer("shareledger.example/register", generate_key())
    with pytest.raises(SigningKeyError):
        verify_rotation(record | {field: other.vkey})
    renamed = Signer(
        "evil.example/register", old.private_key if field == "old_vkey" else new.private_key
    )
    with pytest.raises(SigningKeyError):
        verify_rotation(record | {field: renamed.vkey})


def test_rotation_signed_by_only_one_key_fails(old: Signer, new: Signer) -> None:
    # An attacker holding only the old key cannot vouch for a key it doesn't hold.
    attacker = Signer(new.name, generate_key())
    forged = sign_rotation(old, attacker) | {"new_vkey": new.vkey}
    with pytest.raises(SigningKeyError):
        verify_rotation(forged)


@pytest.mark.parametrize(
    "change",
    [
        {"old_signature": None},
        {"old_signature": "not base64!"},
        {"new_signature": ""},
        {"old_vkey": 7},
    ],
)
def test_rotation_malformed_fields_fail(change: dict, old: Signer, new: Signer) -> None:
    with pytest.raises(SigningKeyError):
        verify_rotation(sign_rotation(old, new) | change)


@pytest.mark.parametrize("missing", ["old_vkey", "new_vkey", "old_signature", "new_signature"])
def test_rotation_missing_field_fails(missing: str, old: Signer, new: Signer) -> None:
    record = sign_rotation(old, new)
    del record[missing]
    with pytest.raises(SigningKeyError, match=missing):
        verify_rotation(record)


def test_rotation_non_canonical_signature_encoding_fails(old: Signer, new: Signer) -> None:
    record = sign_rotation(old, new)
    sig64 = record["old_signature"]
    assert sig64.endswith("==")  # 64 bytes: the last data character carries 4 unused bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    loose = sig64[:-3] + alphabet[alphabet.index(sig64[-3]) | 1] + "=="
    assert base64.b64decode(loose) == base64.b64decode(sig64)  # same bytes, other text
    with pytest.raises(SigningKeyError, match="canonical"):
        verify_rotation(record | {"old_signature": loose})
