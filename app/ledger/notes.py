"""C2SP signed notes (c2sp.org/signed-note) and tlog checkpoints (c2sp.org/tlog-checkpoint).

Only Ed25519 (signature type 0x01) is supported. Parsing is strict: anything the
specifications do not allow is rejected with :class:`NoteError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01

# The spec says verifiers MUST accept at least 16 signatures; 100 matches the Go
# implementation and bounds the work an attacker can make us do per note.
MAX_SIGNATURES = 100

_SIG_PREFIX = "— "  # em dash U+2014, space
_KEY_ID_LEN = 4
_ED25519_KEY_LEN = 32
_ROOT_LEN = 32
_MAX_TREE_SIZE = 2**64 - 1  # other implementations store the size as uint64
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class NoteError(ValueError):
    """A malformed note, key or checkpoint, or a note without a trusted valid signature."""


class UntrustedNote(NoteError):
    """A well-formed note that no trusted key signed."""


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str) -> bytes:
    """Decode standard padded base64, accepting only the canonical encoding."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteError(f"{what}: invalid base64") from exc
    # Non-zero padding bits would give one value several encodings; refuse them
    # so that every accepted byte string has exactly one textual form.
    if _b64encode(data) != text:
        raise NoteError(f"{what}: non-canonical base64")
    return data


def _check_text(text: str, what: str) -> None:
    """Enforce valid UTF-8 and no ASCII control characters other than newline."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates
        raise NoteError(f"{what} is not valid UTF-8") from exc
    for ch in text:
        if ch < " " and ch != "\n":
            raise NoteError(f"{what} contains control character {ch!r}")


def _check_name(name: str) -> None:
    if not name:
        raise NoteError("key name is empty")
    _check_text(name, "key name")
    if "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"invalid key name {name!r}: no spaces or '+' allowed")


def key_id(name: str, public_key: bytes) -> bytes:
    """Return the 4-byte key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    _check_name(name)
    if len(public_key) != _ED25519_KEY_LEN:
        raise NoteError(f"Ed25519 public key must be 32 bytes, got {len(public_key)}")
    data = name.encode("utf-8") + b"\n" + bytes([ALG_ED25519]) + public_key
    return hashlib.sha256(data).digest()[:_KEY_ID_LEN]


def vkey(name: str, public_key: bytes) -> str:
    """Return the verifier key string ``name+hex(key id)+base64(0x01 || public key)``."""
    kid = key_id(name, public_key)
    return f"{name}+{kid.hex()}+{_b64encode(bytes([ALG_ED25519]) + public_key)}"


@dataclass(frozen=True)
class Verifier:
    """An Ed25519 public key trusted under a key name."""

    name: str
    key_id: bytes
    public_key: bytes

    def __post_init__(self) -> None:
        # A verifier whose ID disagrees with its key could only ever be matched
        # against signatures made by some other key, so refuse to build one.
        if key_id(self.name, self.public_key) != self.key_id:
            raise NoteError(f"key ID does not match public key for {self.name!r}")
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as exc:
            raise NoteError(f"invalid Ed25519 public key for {self.name!r}") from exc

    @property
    def vkey(self) -> str:
        """The verifier key string for this key."""
        return vkey(self.name, self.public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is a valid Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


def parse_vkey(text: str) -> Verifier:
    """Parse ``name+hexid+base64key`` into a :class:`Verifier`."""
    # Names cannot contain "+" but base64 can, so split on the first two only.
    name, _, rest = text.partition("+")
    hex_id, sep, key64 = rest.partition("+")
    if not sep:
        raise NoteError("verifier key must have the form name+keyid+key")
    _check_name(name)
    if not _HEX8.fullmatch(hex_id):
        raise NoteError("verifier key ID must be 8 hex digits")
    raw = _b64decode(key64, "verifier key")
    if not raw or raw[0] != ALG_ED25519:
        raise NoteError("verifier key uses an unsupported signature algorithm")
    if len(raw) != 1 + _ED25519_KEY_LEN:
        raise NoteError("verifier key has the wrong length for Ed25519")
    return Verifier(name=name, key_id=bytes.fromhex(hex_id), public_key=raw[1:])


@dataclass(frozen=True)
class Signer:
    """An Ed25519 private key that signs notes under a key name."""

    name: str
    private_key: Ed25519PrivateKey

    def __post_init__(self) -> None:
        _check_name(self.name)
        if not isinstance(self.private_key, Ed25519PrivateKey):
            raise TypeError("Signer needs an Ed25519PrivateKey")

    # Derived once per signer: every checkpoint needs the key id, and deriving the public key
    # and hashing for the id on each seal showed in the single-command profile.
    @cached_property
    def public_key(self) -> bytes:
        """The raw 32-byte public key."""
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @cached_property
    def key_id(self) -> bytes:
        """The 4-byte key ID."""
        return key_id(self.name, self.public_key)

    @cached_property
    def vkey(self) -> str:
        """The verifier key string to publish."""
        return vkey(self.name, self.public_key)

    @property
    def verifier(self) -> Verifier:
        """The matching :class:`Verifier`."""
        return Verifier(self.name, self.key_id, self.public_key)

    def sign(self, message: bytes) -> bytes:
        """Return the raw 64-byte Ed25519 signature of ``message``."""
        return self.private_key.sign(message)


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Sign ``text`` with every signer and return the encoded signed note."""
    _check_text(text, "note text")
    if not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if not signers:
        raise NoteError("at least one signer is required")
    if len(signers) > MAX_SIGNATURES:
        raise NoteError(f"more than {MAX_SIGNATURES} signers")
    ids = [(s.name, s.key_id) for s in signers]
    if len(set(ids)) != len(ids):
        raise NoteError("the same key appears twice among the signers")
    message = text.encode("utf-8")
    lines = [f"{_SIG_PREFIX}{s.name} {_b64encode(s.key_id + s.sign(message))}\n" for s in signers]
    return text + "\n" + "".join(lines)


@dataclass(frozen=True)
class OpenedNote:
    """A note whose text was signed by at least one trusted key."""

    text: str
    verified_by: tuple[Verifier, ...]
    signatures: tuple[tuple[str, bytes, bytes], ...]  # (name, key ID, signature), all lines


def _parse_sig_line(line: str) -> tuple[str, bytes, bytes]:
    if not line.startswith(_SIG_PREFIX):
        raise NoteError(f"expected a signature line, got {line[:40]!r}")
    name, sep, sig64 = line[len(_SIG_PREFIX) :].partition(" ")
    if not sep or not sig64:
        raise NoteError("signature line needs a key name and a signature")
    _check_name(name)
    raw = _b64decode(sig64, f"signature by {name!r}")
    if len(raw) <= _KEY_ID_LEN:
        raise NoteError(f"signature by {name!r} is too short")
    return name, raw[:_KEY_ID_LEN], raw[_KEY_ID_LEN:]


def open_note(note: str | bytes, verifiers: Sequence[Verifier]) -> OpenedNote:
    """Parse a signed note and check it against the trusted ``verifiers``.

    Signatures by unknown keys are ignored. Every signature by a known key must
    verify, and at least one must be present; otherwise :class:`NoteError`.
    """
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("note is not valid UTF-8") from exc
    _check_text(note, "note")

    known: dict[tuple[str, bytes], Verifier] = {}
    for v in verifiers:
        if known.setdefault((v.name, v.key_id), v) != v:
            raise NoteError(f"ambiguous verifiers for {v.name}+{v.key_id.hex()}")

    # The text may itself contain blank lines; signature lines never do, so the
    # last blank line is the separator.
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block:
        raise NoteError("note has no signature lines")
    if not block.endswith("\n"):
        raise NoteError("note does not end with a newline after its last signature")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")

    message = text.encode("utf-8")
    signatures = tuple(_parse_sig_line(line) for line in lines)
    verified: list[Verifier] = []
    for name, kid, sig in signatures:
        verifier = known.get((name, kid))
        if verifier is None:
            continue  # unknown keys MUST be ignored (witnesses, rotated keys)
        # A bad signature from a key we trust means tampering or a broken
        # signer; the spec says SHOULD reject, and we do.
        if not verifier.verify(message, sig):
            raise NoteError(f"invalid signature by {name}+{kid.hex()}")
        if verifier not in verified:
            verified.append(verifier)
    if not verified:
        raise UntrustedNote("note has no valid signature from a trusted key")
    return OpenedNote(text=text, verified_by=tuple(verified), signatures=signatures)


@dataclass(frozen=True)
class Checkpoint:
    """A transparency log tree head: origin, tree size and RFC 6962 root hash."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if isinstance(self.extensions, str):
            raise NoteError("checkpoint extensions must be a sequence of lines")
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for label, line in (("origin", self.origin), *(("extension", e) for e in self.extensions)):
            if not isinstance(line, str) or not line:
                raise NoteError(f"checkpoint {label} line must be a non-empty string")
            _check_text(line, f"checkpoint {label}")
            if "\n" in line:
                raise NoteError(f"checkpoint {label} line contains a newline")
        if isinstance(self.size, bool) or not isinstance(self.size, int):
            raise NoteError("checkpoint size must be an int")
        if not 0 <= self.size <= _MAX_TREE_SIZE:
            raise NoteError("checkpoint size out of range")
        if not isinstance(self.root, bytes) or len(self.root) != _ROOT_LEN:
            raise NoteError("checkpoint root hash must be 32 bytes")


def format_checkpoint(cp: Checkpoint) -> str:
    """Return the checkpoint note text (ending in a newline, unsigned)."""
    lines = [cp.origin, str(cp.size), _b64encode(cp.root), *cp.extensions]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse checkpoint note text strictly."""
    _check_text(text, "checkpoint")
    if not text.endswith("\n"):
        raise NoteError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("checkpoint needs origin, size and root hash lines")
    origin, size_line, root_line, *extensions = lines
    # Python's int() would also take "+5", " 5", "5_0" and non-ASCII digits; the
    # length cap keeps int() away from its own digit limit (2**64 has 20 digits).
    if len(size_line) > 20 or not _DECIMAL.fullmatch(size_line):
        raise NoteError(f"checkpoint size {size_line[:40]!r} is not canonical decimal")
    root = _b64decode(root_line, "checkpoint root hash")
    return Checkpoint(origin=origin, size=int(size_line), root=root, extensions=tuple(extensions))


# --- the previous-checkpoint extension line ----------------------------------------------------

# ShareLedger's checkpoints name the size of the checkpoint signed before them, so a deleted
# checkpoint shows: the next one names a size that has no checkpoint. C2SP verifiers that do not
# know the line ignore it (extension lines are opaque to them).
_PREVIOUS = "previous "


def previous_extension(size: int) -> str:
    """The extension line naming the size of the checkpoint signed before this one (0: none)."""
    return f"{_PREVIOUS}{size}"


def previous_size(checkpoint: Checkpoint) -> int | None:
    """The size the checkpoint names as its predecessor, or None when it names none."""
    found = [line for line in checkpoint.extensions if line.startswith(_PREVIOUS)]
    if not found:
        return None
    if len(found) > 1:
        raise NoteError("checkpoint names its previous checkpoint more than once")
    size_text = found[0][len(_PREVIOUS) :]
    if len(size_text) > 20 or not _DECIMAL.fullmatch(size_text):
        raise NoteError(f"previous checkpoint size {size_text[:40]!r} is not canonical decimal")
    size = int(size_text)
    if size >= checkpoint.size:
        raise NoteError(f"checkpoint {checkpoint.size} names a previous size {size} not below it")
    return size


def unverified_text(note: str) -> str:
    """The text of a signed note before its signatures, not checked: to read which log and size
    a note claims before choosing the keys to check it with."""
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    return note[: split + 1]


def signer_ids(note: str) -> list[str]:
    """`name+keyid` of every signature line of a note, unchecked: to say who signed a note that
    no trusted key signed."""
    found = []
    for line in note[len(unverified_text(note)) + 1 :].splitlines():
        try:
            name, key, _ = _parse_sig_line(line)
        except NoteError:
            continue
        found.append(f"{name}+{key.hex()}")
    return found
