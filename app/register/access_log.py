"""The personal-data access log: every read of register details by someone outside the issuer
(regulator, auditor, operator) is written here, for the issuer and the holders to see."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from app.models.access import PersonalDataAccess

# Roles that read personal data as outsiders to the issuer, so their reads are disclosed.
OUTSIDE_ROLES = frozenset({"operator", "regulator", "auditor"})


@dataclass(frozen=True)
class DayRange:
    """Whole days in UTC, both ends inclusive, either open; what the access log is filtered
    by, on its page and in the API alike."""

    since_day: date | None = None
    until_day: date | None = None

    @property
    def since(self) -> datetime | None:
        return None if self.since_day is None else datetime.combine(self.since_day, time(), UTC)

    @property
    def before(self) -> datetime | None:
        """The moment the last day ends (None for no end, or for the last day there is)."""
        if self.until_day is None or self.until_day == date.max:
            return None
        return datetime.combine(self.until_day + timedelta(days=1), time(), UTC)


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
