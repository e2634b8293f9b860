"""Permission checks for API views: 401 without credentials, 404 for an unknown issuer, 403
for an issuer the caller may not see or change."""

from __future__ import annotations

from app.auth.principal import Principal, token_principal
from app.errors import ApiError
from app.extensions import db
from app.register.queries import get_issuer


def require_principal() -> Principal:
    principal = token_principal()
    if principal is None:
        raise ApiError(401, "unauthorized", "send a bearer token: Authorization: Bearer <token>")
    return principal


def require_read(issuer_id: str) -> Principal:
    principal = require_principal()
    get_issuer(db.session, issuer_id)
    if not principal.can_read(issuer_id):
        raise ApiError(403, "forbidden", "this token may not read this issuer's register")
    return principal


def require_write(issuer_id: str) -> Principal:
    principal = require_principal()
    get_issuer(db.session, issuer_id)
    if not principal.can_write(issuer_id):
        raise ApiError(403, "forbidden", "this token may not change this issuer's register")
    return principal


def require_role(*roles: str) -> Principal:
    principal = require_principal()
    if principal.role not in roles:
        raise ApiError(403, "forbidden", f"only {' or '.join(roles)} may do this")
    return principal
