"""Disclose outsiders' reads of personal data: the API and the browser pages both call this.

A regulator, auditor or operator states why they read (`X-Purpose` header or `purpose`
query parameter); without a purpose the read is refused before anything is shown, and with
one the read, its purpose and the token or login that made it go to the issuer's access log.
"""

from __future__ import annotations

import unicodedata

from flask import request

from app.auth.principal import Principal
from app.errors import ApiError
from app.extensions import db
from app.ledger.log import utc_now
from app.register.access_log import OUTSIDE_ROLES, record_access

PURPOSE_HEADER = "X-Purpose"
PURPOSE_PARAMETER = "purpose"
MAX_PURPOSE_LENGTH = 500


class PurposeMissing(ApiError):
    """400 `purpose_required` (none stated) or `invalid_purpose` in the API; the pages ask
    for the purpose instead."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(400, code, message)


def stated_purpose() -> str | None:
    given = request.headers.get(PURPOSE_HEADER) or request.args.get(PURPOSE_PARAMETER) or ""
    text = unicodedata.normalize("NFC", given).strip()
    return text or None


def require_purpose(principal: Principal) -> str | None:
    """The purpose an outsider stated (None for the issuer's own people, who need none)."""
    if principal.role not in OUTSIDE_ROLES:
        return None
    purpose = stated_purpose()
    if purpose is None:
        raise PurposeMissing(
            "purpose_required",
            f"a {principal.role} states why they read personal data: send an {PURPOSE_HEADER} "
            f"header or a `{PURPOSE_PARAMETER}` parameter",
        )
    if len(purpose) > MAX_PURPOSE_LENGTH or not purpose.isprintable():
        raise PurposeMissing(
            "invalid_purpose",
            f"a purpose is at most {MAX_PURPOSE_LENGTH} printable characters",
        )
    return purpose


def disclose_read(principal: Principal, issuer_id: str, holder_id: str | None = None) -> None:
    """Write a personal-data read by an outsider (regulator, auditor, operator) to the issuer's
    access log, with its purpose, in its own transaction: the read itself changes nothing
    else. Without a stated purpose the read is refused."""
    purpose = require_purpose(principal)
    if purpose is None:
        return
    with db.write() as session:
        record_access(
            session,
            issuer_id=issuer_id,
            actor=principal.actor,
            role=principal.role,
            resource=request.full_path.rstrip("?")[:500],
            holder_id=holder_id,
            now=utc_now(),
            purpose=purpose,
        )
