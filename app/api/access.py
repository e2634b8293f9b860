"""Permission checks for API views: 401 without credentials, 404 for an unknown issuer, 403
for an issuer the caller may not see or change."""

from __future__ import annotations

from flask import request

from app.api.errors import ApiError
from app.auth.principal import Principal, token_principal
from app.extensions import db
from app.ledger.log import utc_now
from app.models.issuer import Issuer
from app.register.access_log import OUTSIDE_ROLES, record_access


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


def disclose_read(principal: Principal, issuer_id: str, holder_id: str | None = None) -> None:
    """Write a personal-data read by an outsider to the issuer's access log (its own
    transaction: the read itself changes nothing else)."""
    if principal.role not in OUTSIDE_ROLES:
        return
    with db.write() as session:
        record_access(
            session,
            issuer_id=issuer_id,
            actor=principal.actor,
            role=principal.role,
            resource=request.full_path.rstrip("?"),
            holder_id=holder_id,
            now=utc_now(),
        )
