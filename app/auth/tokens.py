"""API bearer tokens: random secrets shown once, stored as SHA-256 digests.

A token carries 256 bits of randomness, so a fast hash is enough to make a stolen table
useless (unlike passwords, which need argon2's slowness).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.user import ROLES, ApiToken, User
from app.register.errors import InvalidInput

TOKEN_PREFIX = "slt_"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session,
    *,
    role: str,
    label: str,
    issuer_id: str | None,
    now: datetime,
    holder_id: str | None = None,
    user_id: int | None = None,
) -> tuple[ApiToken, str]:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    if role in ("secretary", "investor") and issuer_id is None:
        raise InvalidInput(f"a {role} token must name its issuer", field="issuer_id")
    if holder_id is not None and role != "investor":
        raise InvalidInput("only an investor token acts for a holder", field="holder_id")
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


def find_token(session: Session, secret: str) -> ApiToken | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    if token is None or token.revoked_at is not None:
        return None
    return token
