"""Who is asking, and what they may see or change, whether they came by token or by login."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from flask_login import current_user

from app.auth.tokens import find_token
from app.extensions import db
from app.models.user import SUPERVISORY_ROLES


@dataclass(frozen=True)
class Principal:
    role: str
    issuer_id: str | None
    # How the log names this actor: opaque ids only, no personal data.
    actor: str
    # For an investor: the holder it acts for (None: it acts for nobody).
    holder_id: str | None = None
    # The login this principal is (a browser session, or a personal token): whose /me/ it is.
    user_id: int | None = None

    def can_read(self, issuer_id: str) -> bool:
        return self.role in SUPERVISORY_ROLES or (
            self.role == "secretary" and self.issuer_id == issuer_id
        )

    def can_write(self, issuer_id: str) -> bool:
        return self.role == "operator" or (self.role == "secretary" and self.issuer_id == issuer_id)

    def acts_for_holder(self, issuer_id: str) -> bool:
        """An investor's token acting for one holder of this issuer: it may make the writes a
        holder makes (instruct on its own shares, answer as transferee), which each view
        checks."""
        return self.role == "investor" and self.issuer_id == issuer_id and bool(self.holder_id)

    @property
    def sees_all_issuers(self) -> bool:
        return self.role in SUPERVISORY_ROLES


def token_principal() -> Principal | None:
    """The bearer token's principal (the API accepts tokens only, so CSRF cannot reach it)."""
    if "token_principal" not in g:
        g.token_principal = _principal_from_token()
    return g.token_principal


def login_principal() -> Principal | None:
    """The logged-in browser user's principal."""
    if not current_user.is_authenticated:
        return None
    return Principal(
        role=current_user.role,
        issuer_id=current_user.issuer_id,
        actor=f"user:{current_user.id}",
        holder_id=current_user.holder_id,
        user_id=current_user.id,
    )


def _principal_from_token() -> Principal | None:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret:
        return None
    token = find_token(db.session, secret.strip())
    if token is None:
        return None
    return Principal(
        role=token.role,
        issuer_id=token.issuer_id,
        actor=f"token:{token.id}",
        holder_id=token.holder_id,
        user_id=token.user_id,
    )
