"""Permission checks for API views: 401 without credentials; 404 for an issuer that is unknown
or that the caller may not see (the two answer alike, so nobody can probe which issuers
exist); 403 for an issuer the caller sees but may not read or change."""

from __future__ import annotations

from app.auth.principal import Principal, token_principal
from app.errors import ApiError
from app.extensions import db
from app.register.queries import get_issuer, unknown_issuer


def require_principal() -> Principal:
    principal = token_principal()
    if principal is None:
        raise ApiError(401, "unauthorized", "send a bearer token: Authorization: Bearer <token>")
    return principal


def require_visible(issuer_id: str) -> Principal:
    """The caller, if it may see this issuer at all; otherwise the unknown issuer's answer."""
    principal = require_principal()
    if not principal.in_scope(issuer_id):
        raise unknown_issuer(issuer_id)
    get_issuer(db.session, issuer_id)
    return principal


def require_read(issuer_id: str) -> Principal:
    principal = require_visible(issuer_id)
    if not principal.can_read(issuer_id):
        raise ApiError(403, "forbidden", "this token may not read this issuer's register")
    return principal


def require_write(issuer_id: str) -> Principal:
    principal = require_visible(issuer_id)
    if not principal.can_write(issuer_id):
        raise ApiError(403, "forbidden", "this token may not change this issuer's register")
    return principal


def require_role(*roles: str) -> Principal:
    principal = require_principal()
    if principal.role not in roles:
        raise ApiError(403, "forbidden", f"only {' or '.join(roles)} may do this")
    return principal


def investor_holder(principal: Principal, issuer_id: str) -> str | None:
    """The holder an investor's token acts for at this issuer (None: the caller is not this
    issuer's investor); an investor's token that acts for nobody may do nothing here."""
    if principal.role != "investor" or principal.issuer_id != issuer_id:
        return None
    if not principal.acts_for_holder(issuer_id):
        raise ApiError(403, "forbidden", "an investor's token may not do this")
    return principal.holder_id


def acting(issuer_id: str) -> tuple[Principal, str | None]:
    """Who acts, and the holder they act for (None: the company, for anyone)."""
    principal = require_principal()
    return principal, investor_holder(principal, issuer_id)


def require_company_access(issuer_id: str, method: str) -> Principal:
    """For a company-side caller: reading for GET, changing the register otherwise."""
    return require_read(issuer_id) if method == "GET" else require_write(issuer_id)
