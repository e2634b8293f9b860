"""Who is asking, and what they may see or change, whether they came by token or by login."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.auth import throttle, tokens
from app.errors import ApiError
from app.extensions import db
from app.ledger.log import utc_now
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
    # The API token it came with (None: a browser login).
    token_id: int | None = None

    def in_scope(self, issuer_id: str | None) -> bool:
        """Whether this principal reaches the issuer at all: a principal bound to one issuer
        (every secretary and investor, and any token created with --issuer) reaches only it."""
        return self.issuer_id is None or self.issuer_id == issuer_id

    def can_read(self, issuer_id: str) -> bool:
        return self.in_scope(issuer_id) and self.role in SUPERVISORY_ROLES | {"secretary"}

    def can_write(self, issuer_id: str | None) -> bool:
        return self.in_scope(issuer_id) and self.role in ("operator", "secretary")

    def acts_for_holder(self, issuer_id: str) -> bool:
        """An investor's token acting for one holder of this issuer: it may make the writes a
        holder makes (instruct on its own shares, answer as transferee), which each view
        checks."""
        return self.role == "investor" and self.issuer_id == issuer_id and bool(self.holder_id)

    @property
    def sees_all_issuers(self) -> bool:
        return self.role in SUPERVISORY_ROLES and self.issuer_id is None


def token_principal() -> Principal | None:
    """The bearer token's principal (the API accepts tokens only, so CSRF cannot reach it);
    a revoked or expired token is refused with 401 `token_revoked` / `token_expired`."""
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
    now = (current_app.config.get("LEDGER_CLOCK") or utc_now)()
    try:
        token = tokens.authenticate(db.session, secret.strip(), now)
    except tokens.TokenRejected as rejected:
        raise ApiError(401, rejected.code, rejected.message) from None
    try:
        if token is None:
            # Guessing secrets: each address gets a few wrong ones, then waits.
            throttle.count("BAD_TOKENS_PER_ADDRESS", get_remote_address())
            return None
        throttle.count("API_RATE_LIMIT", str(token.id))
    except throttle.Throttled as throttled:
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests; retry after {throttled.retry_after} s",
            headers={"Retry-After": str(throttled.retry_after)},
        ) from None
    if tokens.needs_last_used_update(token, now):
        with db.write() as session:
            tokens.mark_used(session, token.id, now)
    return Principal(
        role=token.role,
        issuer_id=token.issuer_id,
        actor=f"token:{token.id}",
        holder_id=token.holder_id,
        user_id=token.user_id,
        token_id=token.id,
    )
