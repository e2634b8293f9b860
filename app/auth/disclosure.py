"""Disclose outsiders' reads of personal data: the API and the browser pages both call this."""

from __future__ import annotations

from flask import request

from app.auth.principal import Principal
from app.extensions import db
from app.ledger.log import utc_now
from app.register.access_log import OUTSIDE_ROLES, record_access


def disclose_read(principal: Principal, issuer_id: str, holder_id: str | None = None) -> None:
    """Write a personal-data read by an outsider (regulator, auditor, operator) to the issuer's
    access log, in its own transaction: the read itself changes nothing else."""
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
