"""Tests for app.ledger.notes: C2SP signed notes and tlog checkpoints."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from app.ledger.notes import (
    ALG_ED25519,
    MAX_SIGNATURES,
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    format_checkpoint,
    key_id,
    open_note,
    parse_checkpoint,
    parse_vkey,
    previous_extension,
    previous_size,
    sign_note,
    vkey,
)

# Published vectors from golang.org/x/mod/sumdb/note (note_test.go, example_test.go),
# the reference implementation of c2sp.org/signed-note.
PETER_SKEY_DATA = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"  # 0x01 || Ed25519 seed
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotp"
    "RZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox3"
    "3WWd1RvMc+QQ=\n"
)
# Example checkpoint text from c2sp.org/tlog-checkpoint.
C2SP_CHECKPOINT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)

ROOT = hashlib.sha256(b"root").digest()


def peter_signer() -> Signer:
    seed = base64.b64decode(PETER_SKEY_DATA)
    assert seed[0] == ALG_ED25519
    return Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed[1:]))


@pytest.fixture
def alice() -> Signer:
    return Signer("ledger.example/alice", Ed25519PrivateKey.generate())


@pytest.fixture
def bob() -> Signer:
    return Signer("witness.example/bob", Ed25519PrivateKey.generate())


# --- keys and key IDs -------------------------------------------------------------


def test_key_id_matches_formula(alice: Signer) -> None:
    expected = hashlib.sha256(alice.name.encode() + b"\x0a" + b"\x01" + alice.public_key).digest()[
        :4
    ]
    assert key_id(alice.name, alice.public_key) == expected
    assert alice.key_id == expected
    assert alice.vkey.split("+")[1] == expected.hex()


def test_key_id_depends_on_name(alice: Signer) -> None:
    assert key_id("other.example", alice.public_key) != alice.key_id


def test_vkey_matches_published_go_vector() -> None:
    signer = peter_signer()
    assert signer.key_id == bytes.fromhex("c74f20a3")
    assert signer.vkey == PETER_VKEY
    assert vkey(signer.name, signer.public_key) == PETER_VKEY
    assert parse_vkey(PETER_VKEY) == signer.verifier


def test_vkey_round_trip(alice: Signer) -> None:
    parsed = parse_vkey(alice.vkey)
    assert (parsed.name, parsed.key_id, parsed.public_key) == (
        alice.name,
        alice.key_id,
        alice.public_key,
    )
    assert parsed.vkey == alice.vkey


def test_vkey_whose_base64_contains_plus_round_trips() -> None:
    # Base64 uses "+", which is also the vkey field separator.
    for i in range(256):
        signer = Signer("example.com/log", Ed25519PrivateKey.from_private_bytes(bytes([i]) * 32))
        if "+" in signer.vkey.split("+", 2)[2]:
            break
    else:
        pytest.fail("no seed gave a base64 key containing '+'")
    assert parse_vkey(signer.vkey) == signer.verifier


def test_parse_vkey_rejects_every_substring_and_byte_change() -> None:
    # Same mangling sweep as the Go implementation's TestNewVerifier.
    parse_vkey(PETER_VKEY)
    for i in range(len(PETER_VKEY) + 1):
        for j in range(i + 1, len(PETER_VKEY) + 1):
            if (i, j) != (0, len(PETER_VKEY)):
                with pytest.raises(NoteError):
                    parse_vkey(PETER_VKEY[i:j])
    for i, ch in enumerate(PETER_VKEY):
        with pytest.raises(NoteError):
            parse_vkey(PETER_VKEY[:i] + chr(ord(ch) + 1) + PETER_VKEY[i + 1 :])


def test_parse_vkey_rejects_other_algorithm(alice: Signer) -> None:
    kid = hashlib.sha256(alice.name.encode() + b"\n\x02" + alice.public_key).digest()[:4]
    key64 = base64.b64encode(b"\x02" + alice.public_key).decode()
    text = f"{alice.name}+{kid.hex()}+{key64}"
    with pytest.raises(NoteError, match="algorithm"):
        parse_vkey(text)


def test_parse_vkey_rejects_wrong_key_id(alice: Signer) -> None:
    name, _, key = alice.vkey.split("+", 2)
    wrong = bytes(b ^ 0xFF for b in alice.key_id).hex()
    with pytest.raises(NoteError, match="does not match"):
        parse_vkey(f"{name}+{wrong}+{key}")


@pytest.mark.parametrize("name", ["", "has space", "a+b", "tab\there", "nbsp\u00a0x", "ctl\x01"])
def test_invalid_key_names_rejected(name: str, alice: Signer) -> None:
    with pytest.raises(NoteError):
        key_id(name, alice.public_key)
    with pytest.raises(NoteError):
        Signer(name, alice.private_key)


def test_verifier_rejects_mismatched_key_id(alice: Signer) -> None:
    with pytest.raises(NoteError):
        Verifier(alice.name, b"\x00\x00\x00\x00", alice.public_key)


def test_verifier_verify(alice: Signer) -> None:
    sig = alice.sign(b"hi")
    assert alice.verifier.verify(b"hi", sig)
    assert not alice.verifier.verify(b"ho", sig)
    assert not alice.verifier.verify(b"hi", sig[:-1] + bytes([sig[-1] ^ 1]))
    assert not alice.verifier.verify(b"hi", sig[:10])


# --- signing and opening -------------------------------------------------------------


def test_sign_note_matches_published_go_vector() -> None:
    assert sign_note(GO_TEXT, [peter_signer()]) == GO_TEXT + "\n" + PETER_SIG


def test_open_published_two_signer_note_with_either_verifier() -> None:
    note = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    peter, enoch = parse_vkey(PETER_VKEY), parse_vkey(ENOCH_VKEY)
    assert open_note(note, [peter]).verified_by == (peter,)
    assert open_note(note, [enoch]).verified_by == (enoch,)
    opened = open_note(note.encode(), [enoch, peter])
    assert opened.text == GO_TEXT
    assert opened.verified_by == (peter, enoch)  # in note order
    assert [(n, k.hex()) for n, k, _ in opened.signatures] == [
        ("PeterNeumann", "c74f20a3"),
        ("EnochRoot", "af0cfe78"),
    ]


def test_round_trip_two_signers(alice: Signer, bob: Signer) -> None:
    text = "shareledger\n42\n\nblank lines are allowed in the text\n"
    note = sign_note(text, [alice, bob])
    for trusted in ([alice.verifier], [bob.verifier], [bob.verifier, alice.verifier]):
        opened = open_note(note, trusted)
        assert opened.text == text
        assert set(opened.verified_by) == set(trusted)
        assert len(opened.signatures) == 2
        for (name, kid, sig), signer in zip(opened.signatures, [alice, bob], strict=True):
            assert (name, kid) == (signer.name, signer.key_id)
            assert signer.verifier.verify(text.encode(), sig)


@pytest.mark.parametrize(
    "text",
    ["\n", "x\n\n", "a\n\n\nb\n", "hello\n\n— forged AAAAAAAA\n", "ünïcödé — ok\n"],
)
def test_round_trip_awkward_texts(text: str, alice: Signer) -> None:
    assert open_note(sign_note(text, [alice]), [alice.verifier]).text == text


def test_every_bit_flip_is_rejected(alice: Signer) -> None:
    raw = sign_note("example.com/log\n7\n" + base64.b64encode(ROOT).decode() + "\n", [alice])
    data = raw.encode()
    open_note(data, [alice.verifier])
    for i in range(len(data)):
        for bit in range(8):
            mutated = bytearray(data)
            mutated[i] ^= 1 << bit
            with pytest.raises(NoteError):
                open_note(bytes(mutated), [alice.verifier])


def test_tampered_text_rejected_with_two_signers(alice: Signer, bob: Signer) -> None:
    note = sign_note("size 10\n", [alice, bob])
    tampered = note.replace("size 10", "size 11")
    for trusted in ([alice.verifier], [bob.verifier], [alice.verifier, bob.verifier]):
        with pytest.raises(NoteError, match="invalid signature"):
            open_note(tampered, trusted)


def test_no_known_signer_rejected(alice: Signer, bob: Signer) -> None:
    note = sign_note("text\n", [alice])
    open_note(note, [alice.verifier])
    with pytest.raises(NoteError, match="no valid signature"):
        open_note(note, [bob.verifier])
    with pytest.raises(NoteError, match="no valid signature"):
        open_note(note, [])


def test_same_name_other_key_is_ignored(alice: Signer) -> None:
    impostor = Signer(alice.name, Ed25519PrivateKey.generate())
    note = sign_note("text\n", [impostor])
    # Same name, different key ID: an unknown key, so ignored rather than failed.
    with pytest.raises(NoteError, match="no valid signature"):
        open_note(note, [alice.verifier])


def test_bad_signature_from_known_key_rejects_whole_note(alice: Signer, bob: Signer) -> None:
    text = "text\n"
    good = sign_note(text, [alice])
    # Bob's name and key ID, but a signature made by Alice's key.
    sig64 = base64.b64encode(bob.key_id + alice.sign(text.encode())).decode()
    bad_line = f"— {bob.name} {sig64}\n"
    note = good + bad_line
    assert open_note(note, [alice.verifier]).verified_by == (alice.verifier,)
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(note, [alice.verifier, bob.verifier])


def test_repeated_identical_signature_accepted_once(alice: Signer) -> None:
    note = sign_note("text\n", [alice])
    line = note.split("\n\n", 1)[1]
    opened = open_note(note + line, [alice.verifier])
    assert opened.verified_by == (alice.verifier,)
    assert len(opened.signatures) == 2


def _good(alice: Signer) -> tuple[str, str]:
    note = sign_note("text\n", [alice])
    text, sigs = note.split("\n\n")
    open_note(note, [alice.verifier])  # the baseline must be valid
    return text + "\n", sigs


MALFORMED = {
    "missing blank line": (lambda t, s: t + s, "no blank line"),
    "no signature lines": (lambda t, s: t + "\n", "no signature lines"),
    "blank line after signatures": (lambda t, s: t + "\n" + s + "\n", "no signature lines"),
    "no final newline": (lambda t, s: t + "\n" + s[:-1], "end with a newline"),
    "trailing text": (lambda t, s: t + "\n" + s + "Unexpected line.\n", "expected a signature"),
    "bad base64": (lambda t, s: t + "\n" + s[:-6] + "!" + s[-5:], "invalid base64"),
    "missing padding": (lambda t, s: t + "\n" + s.replace("=", ""), "invalid base64"),
    "no dash": (lambda t, s: t + "\n" + s[2:], "expected a signature"),
    "hyphen not em dash": (lambda t, s: t + "\n-" + s[1:], "expected a signature"),
    "empty name": (lambda t, s: t + "\n—  " + s.split(" ", 2)[2], "key name is empty"),
    "no signature": (lambda t, s: t + "\n" + s.rsplit(" ", 1)[0] + "\n", "needs a key name"),
    "control character": (lambda t, s: "\x07" + t + "\n" + s, "control character"),
    "carriage return": (lambda t, s: t + "\n" + s[:-1] + "\r\n", "control character"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_notes_rejected(case: str, alice: Signer) -> None:
    text, sigs = _good(alice)
    mangle, reason = MALFORMED[case]
    with pytest.raises(NoteError, match=reason):
        open_note(mangle(text, sigs), [alice.verifier])


def test_key_id_only_signature_rejected(alice: Signer) -> None:
    line = f"— {alice.name} {base64.b64encode(alice.key_id).decode()}\n"
    with pytest.raises(NoteError, match="too short"):
        open_note("text\n\n" + line, [alice.verifier])


def test_truncated_signature_rejected(alice: Signer) -> None:
    text, sigs = _good(alice)
    name, sig64 = sigs[len("— ") : -1].split(" ")
    short = base64.b64encode(base64.b64decode(sig64)[:20]).decode()
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(f"{text}\n— {name} {short}\n", [alice.verifier])


def test_invalid_utf8_rejected(alice: Signer) -> None:
    text, sigs = _good(alice)
    with pytest.raises(NoteError, match="UTF-8"):
        open_note(b"\xff" + (text + "\n" + sigs).encode(), [alice.verifier])


def test_too_many_signatures_rejected(alice: Signer) -> None:
    text, sigs = _good(alice)
    open_note(text + "\n" + sigs * MAX_SIGNATURES, [alice.verifier])
    with pytest.raises(NoteError, match="more than"):
        open_note(text + "\n" + sigs * (MAX_SIGNATURES + 1), [alice.verifier])


@pytest.mark.parametrize("text", ["", "no newline", "ctl\x00\n", "cr\r\n", "\ud800\n"])
def test_sign_note_rejects_bad_text(text: str, alice: Signer) -> None:
    with pytest.raises(NoteError):
        sign_note(text, [alice])


def test_sign_note_rejects_no_or_duplicate_signers(alice: Signer) -> None:
    with pytest.raises(NoteError):
        sign_note("text\n", [])
    with pytest.raises(NoteError):
        sign_note("text\n", [alice, Signer(alice.name, alice.private_key)])


# --- checkpoints -------------------------------------------------------------------


def test_c2sp_example_checkpoint_parses() -> None:
    cp = parse_checkpoint(C2SP_CHECKPOINT)
    assert cp.origin == "example.com/behind-the-sofa"
    assert cp.size == 20852163
    assert cp.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert cp.extensions == ()
    assert format_checkpoint(cp) == C2SP_CHECKPOINT


def test_format_checkpoint_exact() -> None:
    cp = Checkpoint("shareledger.example/register", 0, bytes(32), ("ext one", "ext2"))
    assert format_checkpoint(cp) == (
        "shareledger.example/register\n"
        "0\n"
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
        "ext one\n"
        "ext2\n"
    )


_line = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=30)


@given(
    origin=_line,
    size=st.integers(0, 2**64 - 1),
    root=st.binary(min_size=32, max_size=32),
    extensions=st.lists(_line, max_size=3).map(tuple),
)
def test_checkpoint_round_trip(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    cp = Checkpoint(origin, size, root, extensions)
    assert parse_checkpoint(format_checkpoint(cp)) == cp


def test_signed_checkpoint_round_trip(alice: Signer) -> None:
    cp = Checkpoint(alice.name, 12345, ROOT)
    opened = open_note(sign_note(format_checkpoint(cp), [alice]), [alice.verifier])
    assert parse_checkpoint(opened.text) == cp


ROOT64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "text",
    [
        f"origin\n01\n{ROOT64}\n",
        f"origin\n00\n{ROOT64}\n",
        f"origin\n+1\n{ROOT64}\n",
        f"origin\n-1\n{ROOT64}\n",
        f"origin\n 1\n{ROOT64}\n",
        f"origin\n1_0\n{ROOT64}\n",
        f"origin\n\u0661\n{ROOT64}\n",  # ARABIC-INDIC DIGIT ONE
        f"origin\n\n{ROOT64}\n",
        f"origin\n{2**64}\n{ROOT64}\n",
        f"origin\n{'9' * 5000}\n{ROOT64}\n",
        f"origin\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"origin\n1\n{base64.b64encode(ROOT + b'x').decode()}\n",
        f"origin\n1\n{ROOT64.rstrip('=')}\n",
        f"origin\n1\n{ROOT64[:-2]}F=\n",  # non-canonical padding bits
        f"origin\n1\n{ROOT.hex()}\n",
        f"\n1\n{ROOT64}\n",
        f"origin\n1\n{ROOT64}",
        f"origin\n1\n{ROOT64}\n\n",
        f"origin\n1\n{ROOT64}\next\n\nmore\n",
        "origin\n1\n",
        "",
        f"ori\x00gin\n1\n{ROOT64}\n",
    ],
)
def test_parse_checkpoint_strict(text: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(text)


def test_parse_checkpoint_accepts_largest_size() -> None:
    assert parse_checkpoint(f"o\n{2**64 - 1}\n{ROOT64}\n").size == 2**64 - 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"origin": ""},
        {"origin": "two\nlines"},
        {"size": -1},
        {"size": 2**64},
        {"size": True},
        {"root": bytes(31)},
        {"root": "x" * 32},
        {"extensions": ("",)},
        {"extensions": ("a\nb",)},
        {"extensions": "abc"},
    ],
)
def test_checkpoint_rejects_bad_fields(kwargs: dict[str, object]) -> None:
    fields: dict[str, object] = {"origin": "o", "size": 1, "root": ROOT, "extensions": ()}
    Checkpoint(**fields)  # type: ignore[arg-type]
    with pytest.raises(NoteError):
        Checkpoint(**(fields | kwargs))  # type: ignore[arg-type]


# --- the previous-checkpoint extension line ----------------------------------------------------


def test_a_checkpoint_names_its_previous_size_in_an_extension_line():
    line = previous_extension(118)
    checkpoint = Checkpoint("example.com/log", 121, ROOT, (line,))
    parsed = parse_checkpoint(format_checkpoint(checkpoint))
    assert parsed.extensions == ("previous 118",)
    assert previous_size(parsed) == 118
    # The first three lines are still a plain C2SP checkpoint for verifiers that stop there.
    assert format_checkpoint(checkpoint).split("\n")[:3] == [
        "example.com/log",
        "121",
        base64.b64encode(ROOT).decode(),
    ]


def test_a_checkpoint_without_the_line_names_no_previous_size():
    assert previous_size(parse_checkpoint(C2SP_CHECKPOINT)) is None
    other = Checkpoint("example.com/log", 5, ROOT, ("witnessed by someone",))
    assert previous_size(other) is None


@pytest.mark.parametrize(
    "lines",
    [
        ("previous 01",),
        ("previous +3",),
        ("previous ",),
        ("previous 5",),
        ("previous 9",),
        ("previous 1", "previous 2"),
    ],
)
def test_a_bad_previous_line_is_refused(lines):
    with pytest.raises(NoteError):
        previous_size(Checkpoint("example.com/log", 5, ROOT, lines))
