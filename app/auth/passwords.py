"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password")


def check_login(password_hash: str | None, password: str) -> bool:
    """Verify a login's password; for an unknown account (None) verify against a dummy hash
    anyway, so that the answer takes as long and tells nobody which emails have accounts."""
    if password_hash is None:
        check_password(_dummy_hash(), password)
        return False
    return check_password(password_hash, password)
