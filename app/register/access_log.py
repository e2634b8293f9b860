"""The personal-data access log: every read of register details by someone outside the issuer
(regulator, auditor, operator) is written here, for the issuer and the holders to see."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from app.models.access import PersonalDataAccess

# Roles that read personal data as outsiders to the issuer, so their reads are disclosed.
OUTSIDE_ROLES = frozenset({"operator", "regulator", "auditor"})


def record_access(
    session: Session,
    *,
    issuer_id: str,
    actor: str,
    role: str,
    resource: str,
    holder_id: str | None,
    now: datetime,
    purpose: str | None = None,
) -> PersonalDataAccess | None:
    if role not in OUTSIDE_ROLES:
        return None
    access = PersonalDataAccess(
        issuer_id=issuer_id,
        access_id=str(uuid.uuid4()),
        accessed_at=now,
        actor=actor,
        role=role,
        resource=resource,
        holder_id=holder_id,
        purpose=purpose,
    )
    session.add(access)
    return access
