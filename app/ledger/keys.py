"""Ed25519 signing-key storage and signed key-rotation records.

Keys live on disk as passphrase-encrypted PKCS#8 PEM files readable only by
their owner. A rotation record is a statement naming the old and new verifier
keys, signed by both, so a verifier that trusts the old key can learn the new one.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.ledger.notes import NoteError, Signer, Verifier, parse_vkey

ROTATION_STATEMENT_PREFIX = "shareledger key rotation v1\n"

_PEM_ENCRYPTED = b"-----BEGIN ENCRYPTED PRIVATE KEY-----"
_PEM_PLAIN = b"-----BEGIN PRIVATE KEY-----"
_ROTATION_FIELDS = ("old_vkey", "new_vkey", "old_signature", "new_signature")


class SigningKeyError(Exception):
    """A signing key could not be stored, loaded or verified."""


class KeyFileExistsError(SigningKeyError):
    """``save_key`` refused to overwrite an existing key file."""


def _passphrase_bytes(passphrase: str | bytes) -> bytes:
    data = passphrase.encode("utf-8") if isinstance(passphrase, str) else bytes(passphrase)
    if not data:
        raise SigningKeyError("an empty passphrase is not allowed for signing keys")
    return data


def generate_key() -> Ed25519PrivateKey:
    """Return a fresh Ed25519 private key."""
    return Ed25519PrivateKey.generate()


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """Return the raw 32-byte Ed25519 public key."""
    pub = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def save_key(
    key: Ed25519PrivateKey,
    path: Path,
    passphrase: str | bytes,
    *,
    overwrite: bool = False,
) -> None:
    """Write ``key`` as encrypted PKCS#8 PEM, atomically, with mode 0600.

    Missing parent directories are created with mode 0700. An existing file is
    replaced only with ``overwrite=True``, because losing a log key is not undoable.
    """
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError("only Ed25519 private keys can be saved")
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase_bytes(passphrase)),
    )
    path = Path(path)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp creates the file 0600, so the key is never world-readable,
        # not even for the moment between creation and rename.
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SigningKeyError(f"cannot create key file in {path.parent}: {exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(pem)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp_name, path)
        else:
            # link() fails if the target exists, so two processes racing to
            # create the same key cannot silently replace each other's key.
            os.link(tmp_name, path)
        _fsync_dir(path.parent)
    except FileExistsError as exc:
        raise KeyFileExistsError(f"key file already exists: {path}") from exc
    except OSError as exc:
        raise SigningKeyError(f"cannot write key file {path}: {exc}") from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)


def _fsync_dir(directory: Path) -> None:
    """Persist a rename; best effort because not every platform can open directories."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_key(path: Path, passphrase: str | bytes) -> Ed25519PrivateKey:
    """Load an encrypted Ed25519 key written by :func:`save_key`."""
    path = Path(path)
    secret = _passphrase_bytes(passphrase)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SigningKeyError(f"signing key file not found: {path}") from exc
    except OSError as exc:
        raise SigningKeyError(f"cannot read signing key file {path}: {exc}") from exc
    if _PEM_PLAIN in data:
        raise SigningKeyError(f"signing key file {path} is not encrypted; refusing to use it")
    if _PEM_ENCRYPTED not in data:
        raise SigningKeyError(f"{path} is not an encrypted PKCS#8 PEM private key")
    try:
        key = serialization.load_pem_private_key(data, password=secret)
    except ValueError as exc:
        # OpenSSL cannot tell a wrong passphrase from a damaged file.
        raise SigningKeyError(
            f"cannot decrypt signing key {path}: wrong passphrase (or corrupted file)"
        ) from exc
    except (TypeError, UnsupportedAlgorithm) as exc:
        raise SigningKeyError(f"cannot load signing key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"signing key {path} is {type(key).__name__}, not Ed25519")
    return key


def load_or_create_dev_key(
    path: Path, passphrase: str | bytes, warn: Callable[[str], None]
) -> Ed25519PrivateKey:
    """Load the key at ``path``, creating it first if missing. For development only.

    ``warn`` is always called, so a development key in use is never silent.
    """
    path = Path(path)
    if not path.exists():
        try:
            save_key(generate_key(), path, passphrase)
        except KeyFileExistsError:
            pass  # another process created it first; use theirs
        else:
            warn(
                f"WARNING: GENERATED A NEW DEVELOPMENT SIGNING KEY at {path}. "
                "Checkpoints signed with it are not trustworthy. "
                "Never use a development key in production."
            )
            return load_key(path, passphrase)
    warn(
        f"WARNING: using DEVELOPMENT signing key {path}. Never use a development key in production."
    )
    return load_key(path, passphrase)


def rotation_statement(old_vkey: str, new_vkey: str) -> bytes:
    """Return the exact bytes both keys sign to rotate from ``old_vkey`` to ``new_vkey``.

    Both vkeys are parsed first, so neither can smuggle in a newline. Because a
    vkey stands where a checkpoint has its decimal tree size, a rotation
    statement never parses as a checkpoint, nor a checkpoint as a rotation.
    """
    old = _verifier(old_vkey, "old")
    new = _verifier(new_vkey, "new")
    if old.public_key == new.public_key:
        raise SigningKeyError("old and new keys are the same key")
    return f"{ROTATION_STATEMENT_PREFIX}{old_vkey}\n{new_vkey}\n".encode()


def _verifier(text: object, which: str) -> Verifier:
    if not isinstance(text, str):
        raise SigningKeyError(f"{which} vkey must be a string")
    try:
        return parse_vkey(text)
    except NoteError as exc:
        raise SigningKeyError(f"invalid {which} vkey: {exc}") from exc


def sign_rotation(old: Signer, new: Signer) -> dict[str, str]:
    """Return a rotation record signed by both the outgoing and the incoming key."""
    statement = rotation_statement(old.vkey, new.vkey)
    return {
        "old_vkey": old.vkey,
        "new_vkey": new.vkey,
        "old_signature": base64.b64encode(old.sign(statement)).decode("ascii"),
        "new_signature": base64.b64encode(new.sign(statement)).decode("ascii"),
    }


def verify_rotation(record: Mapping[str, object]) -> None:
    """Raise :class:`SigningKeyError` unless both keys signed the rotation statement.

    The old key's signature authorises the change; the new key's signature
    proves its holder controls it and agreed to succeed the old one.
    """
    missing = [field for field in _ROTATION_FIELDS if field not in record]
    if missing:
        raise SigningKeyError(f"rotation record lacks {', '.join(missing)}")
    old = _verifier(record["old_vkey"], "old")
    new = _verifier(record["new_vkey"], "new")
    # Signatures cover the vkey strings exactly as recorded, not a re-rendering.
    statement = rotation_statement(str(record["old_vkey"]), str(record["new_vkey"]))
    for which, verifier in (("old", old), ("new", new)):
        sig = _decode_signature(record[f"{which}_signature"], which)
        if not verifier.verify(statement, sig):
            raise SigningKeyError(f"{which} key's signature over the rotation does not verify")


def _decode_signature(sig64: object, which: str) -> bytes:
    # Only the canonical encoding is accepted, so that every edit to the text
    # of a signature changes the bytes that get verified.
    try:
        if not isinstance(sig64, str):
            raise ValueError("not a string")
        sig = base64.b64decode(sig64.encode("ascii"), validate=True)
    except (ValueError, binascii.Error) as exc:
        raise SigningKeyError(f"{which} signature is not valid base64") from exc
    if base64.b64encode(sig).decode("ascii") != sig64:
        raise SigningKeyError(f"{which} signature is not canonical base64")
    return sig
