"""app.ledger.trust: pinned keys, rotations followed only from a trusted key, retirement."""

from __future__ import annotations

import hashlib

import pytest

from app.ledger import keys, notes
from app.ledger.trust import Trust, TrustError, load_pinned

ROOT = hashlib.sha256(b"root").digest()


def _signer(name: str = "log.example") -> notes.Signer:
    return notes.Signer(name, keys.generate_key())


def _note(size: int, *signers: notes.Signer) -> str:
    body = notes.format_checkpoint(notes.Checkpoint("log.example/1", size, ROOT))
    return notes.sign_note(body, list(signers))


def test_a_rotation_from_a_trusted_key_is_followed_and_retires_the_old_key():
    old, new = _signer(), _signer()
    trust = Trust.pinned_keys([old.verifier])
    trust.follow_rotation(7, keys.sign_rotation(old, new))
    trust.open(_note(8, old, new), "checkpoint 8")  # the rotating command's co-signed seal
    trust.checkpoint_verified(8)
    assert trust.open(_note(9, new), "checkpoint 9").verified_by == (new.verifier,)
    with pytest.raises(notes.UntrustedNote, match="retired by the rotation at index 7"):
        trust.open(_note(9, old), "checkpoint 9")
    assert any("by the rotation at index 7" in line for line in trust.signers())


def test_a_rotation_from_an_untrusted_key_is_not_followed():
    pinned, stranger, successor = _signer(), _signer(), _signer()
    trust = Trust.pinned_keys([pinned.verifier])
    trust.follow_rotation(3, keys.sign_rotation(stranger, successor))
    with pytest.raises(notes.UntrustedNote, match=r"rotation at index 3 .* not followed"):
        trust.open(_note(4, successor), "checkpoint 4")


def test_a_rotation_record_the_old_key_did_not_sign_is_not_followed():
    old, new, forger = _signer(), _signer(), _signer()
    record = keys.sign_rotation(old, new)
    record["old_signature"] = keys.sign_rotation(forger, new)["old_signature"]
    trust = Trust.pinned_keys([old.verifier])
    trust.follow_rotation(3, record)
    with pytest.raises(notes.UntrustedNote, match="does not verify"):
        trust.open(_note(4, new), "checkpoint 4")


def test_without_pinned_keys_the_report_warns_of_self_consistency():
    shipped = _signer()
    trust = Trust.choose([], [shipped.verifier], "the bundle's header")
    trust.open(_note(1, shipped), "checkpoint 1")
    assert trust.warning is not None and "the bundle's header" in trust.warning
    assert Trust.choose([shipped.verifier], [], "unused").warning is None


def test_bad_pinned_keys_are_named(tmp_path):
    with pytest.raises(TrustError, match="--vkey 'nonsense'"):
        load_pinned(["nonsense"], [])
    missing = tmp_path / "absent.vkeys"
    with pytest.raises(TrustError, match="cannot read"):
        load_pinned([], [missing])
