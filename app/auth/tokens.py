"""API bearer tokens: random secrets shown once, stored as SHA-256 digests; scoped to one
issuer or to all, expiring or not, revocable.

A token carries 256 bits of randomness, so a fast hash is enough to make a stolen table
useless (unlike passwords, which need argon2's slowness).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.user import ROLES, ApiToken, User
from app.register.errors import InvalidInput, NotFound
from app.register.queries import get_issuer

TOKEN_PREFIX = "slt_"
# How stale `last_used_at` may get: a busy token is not rewritten on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
DURATION = re.compile(r"^\s*(\d{1,6})\s*([mhdw])\s*$")
TOKEN_STATES = ("active", "expired", "revoked")


@dataclass(frozen=True)
class NewToken:
    """What a new token is for (the API's body; the CLI's options)."""

    role: str
    label: str
    issuer_id: str | None = None
    holder_id: str | None = None
    expires_in: timedelta | None = None


class TokenRejected(Exception):
    """A token that exists but may no longer be used (`token_expired`, `token_revoked`)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def parse_duration(text: str) -> timedelta:
    """`30d`, `12h`, `90m`, `2w`: how long a new token lives."""
    match = DURATION.match(text)
    if match is None or int(match[1]) == 0:
        raise InvalidInput(
            f"{text!r} is not a duration: use a whole number and m, h, d or w (e.g. 30d)",
            field="expires_in",
        )
    return timedelta(**{DURATION_UNITS[match[2]]: int(match[1])})


def create_token(
    session: Session,
    *,
    role: str,
    label: str,
    issuer_id: str | None,
    now: datetime,
    holder_id: str | None = None,
    user_id: int | None = None,
    expires_in: timedelta | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its secret (the only time the secret exists outside its holder)."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    if role in ("secretary", "investor") and issuer_id is None:
        raise InvalidInput(f"a {role} token must name its issuer", field="issuer_id")
    if holder_id is not None and role != "investor":
        raise InvalidInput("only an investor token acts for a holder", field="holder_id")
    if issuer_id is not None:
        get_issuer(session, issuer_id)
    if user_id is not None:
        _require_like_its_login(session, user_id, role, issuer_id, holder_id)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        token_hash=digest(secret),
        label=label,
        role=role,
        issuer_id=issuer_id,
        holder_id=holder_id,
        user_id=user_id,
        created_at=now,
        expires_at=now + expires_in if expires_in else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def _require_like_its_login(
    session: Session, user_id: int, role: str, issuer_id: str | None, holder_id: str | None
) -> None:
    """A personal token may do what its login may, no more and no other."""
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput(f"no login {user_id}", field="user_id")
    if (user.role, user.issuer_id, user.holder_id) != (role, issuer_id, holder_id):
        raise InvalidInput(
            "a personal token has its login's role, issuer and holder", field="user_id"
        )


def authenticate(session: Session, secret: str, now: datetime) -> ApiToken | None:
    """The token whose secret this is (None: no such token); raises `TokenRejected` for a
    revoked or expired one."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    presented = digest(secret)
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == presented)).first()
    # The index finds the row; the comparison of the digests themselves takes constant time.
    if token is None or not hmac.compare_digest(token.token_hash, presented):
        return None
    if token.revoked_at is not None:
        raise TokenRejected("token_revoked", "this token was revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRejected("token_expired", "this token has expired")
    return token


def needs_last_used_update(token: ApiToken, now: datetime) -> bool:
    return token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION


def mark_used(session: Session, token_id: int, now: datetime) -> None:
    token = session.get(ApiToken, token_id)
    if token is not None:
        token.last_used_at = now


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def get_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"no token {token_id}")
    return token


def revoke_token(session: Session, token_id: int, now: datetime) -> ApiToken:
    """Revoke a token; revoking it again changes nothing (it keeps its first revocation)."""
    token = get_token(session, token_id)
    if token.revoked_at is None:
        token.revoked_at = now
        session.flush()
    return token


def token_state(token: ApiToken, now: datetime) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"
