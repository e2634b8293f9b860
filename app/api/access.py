"""Permission checks for API views: 401 without credentials, 404 for an unknown issuer, 403
for an issuer the caller may not see or change."""

from __future__ import annotations

from app.auth.principal import Principal, token_principal
from app.errors import ApiError
from app.extensions import db
from app.models.issuer import Issuer


def require_principal() -> Principal:
    principal = token_principal()
    if principal is None:
        raise ApiError(401, "unauthorized", "send a bearer token: Authorization: Bearer <token>")
    return principal


def _require_issuer(issuer_id: str) -> None:
    if db.session.get(Issuer, issuer_id) is None:
        raise ApiError(404, "not_found", f"no issuer {issuer_id}")


def require_read(issuer_id: str) -> Principal:
    principal = require_principal()
    _require_issuer(issuer_id)
    if not principal.can_read(issuer_id):
        raise ApiError(403, "forbidden", "this token may not read this issuer's register")
    return principal


def require_write(issuer_id: str) -> Principal:
    principal = require_principal()
    _require_issuer(issuer_id)
    if not principal.can_write(issuer_id):
        raise ApiError(403, "forbidden", "this token may not change this issuer's register")
    return principal


def require_role(*roles: str) -> Principal:
    principal = require_principal()
    if principal.role not in roles:
        raise ApiError(403, "forbidden", f"only {' or '.join(roles)} may do this")
    return principal
