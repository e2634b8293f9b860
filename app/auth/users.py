"""Login accounts: creating them, finding one by email."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.passwords import hash_password
from app.models.logins import InvestorLink
from app.models.user import ROLES, User
from app.register.errors import Duplicate, InvalidInput

MIN_PASSWORD_LENGTH = 10


def find_user(session: Session, email: str) -> User | None:
    """The account of a normalised (trimmed, lower-case) email address."""
    return session.scalars(select(User).where(User.email == email)).first()


def create_user(
    session: Session,
    *,
    email: str,
    display_name: str,
    password: str,
    role: str,
    issuer_id: str | None,
    now: datetime,
    holder_id: str | None = None,
) -> User:
    email = email.strip().lower()
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}", field="role")
    if role in ("secretary", "investor") and issuer_id is None:
        raise InvalidInput(f"a {role} belongs to an issuer", field="issuer_id")
    if (role == "investor") != (holder_id is not None):
        raise InvalidInput("an investor login, and only one, names its holder", field="holder_id")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Duplicate(f"{email} already has an account", field="email")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role,
        issuer_id=issuer_id,
        holder_id=holder_id,
        created_at=now,
    )
    session.add(user)
    session.flush()
    if holder_id is not None:
        session.add(InvestorLink(user_id=user.id, issuer_id=issuer_id, holder_id=holder_id))
        session.flush()
    return user
