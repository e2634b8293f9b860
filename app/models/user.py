"""People, their browser sessions and API tokens. Passwords are argon2 hashes; tokens and
session ids are stored as SHA-256 digests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

ROLES = ("operator", "secretary", "investor", "regulator", "auditor")
# Roles that may read every issuer's register and log.
SUPERVISORY_ROLES = frozenset({"operator", "regulator", "auditor"})


class User(Base):
    """A browser login. It answers Flask-Login's user protocol itself (rather than through
    `UserMixin`) so that the models import without Flask."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    issuer_id: Mapped[str | None] = mapped_column(ForeignKey("issuers.id"))
    # For investors: the holder this login belongs to.
    holder_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    is_active = True
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)


class ApiToken(Base):
    """A bearer token. With `issuer_id` set it reaches that issuer only, whatever its role."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))
    issuer_id: Mapped[str | None] = mapped_column(ForeignKey("issuers.id"))
    # For investors: the holder this token acts for.
    holder_id: Mapped[str | None] = mapped_column(String(36))
    # A personal token: the login it belongs to (its /me/ resources, e.g. notifications).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # None: the token does not expire (until revoked).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginSession(Base):
    """A browser session, kept server-side so that logging out (or expiry) ends it even for a
    copy of the cookie: the cookie holds a random id whose digest is `session_hash`."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
