"""Reads of the personal-data access log (written by `access_log.record_access`): the latest
reads of a register, or of what could include one holder's details, a page at a time, within
whole days if asked; the API's `access-log`, the access log page and the members' pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from app.models.access import PersonalDataAccess
from app.register.paging import Ordering, Page, keyset_page


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


def _accesses_query(
    issuer_id: str, holder_id: str | None, since: datetime | None, before: datetime | None
) -> Select:
    query = (
        select(PersonalDataAccess)
        .select_from(PersonalDataAccess)
        .where(PersonalDataAccess.issuer_id == issuer_id)
    )
    if holder_id is not None:
        query = query.where(
            or_(PersonalDataAccess.holder_id == holder_id, PersonalDataAccess.holder_id.is_(None))
        )
    if since is not None:
        query = query.where(PersonalDataAccess.accessed_at >= since)
    if before is not None:
        query = query.where(PersonalDataAccess.accessed_at < before)
    return query


ACCESSES_ORDER = Ordering(  # latest first
    ((PersonalDataAccess.accessed_at, True), (PersonalDataAccess.access_id, True)),
    at=lambda key: PersonalDataAccess.access_id == key,
    key_of=lambda row: row[0].access_id,
    what="access",
)


def accesses(
    session: Session, issuer_id: str, holder_id: str | None = None, limit: int = 200
) -> list[PersonalDataAccess]:
    """The latest reads of an issuer's register; for a holder, those that could include them
    (reads of their own record and reads of the whole register)."""
    return accesses_page(session, issuer_id, None, limit, holder_id).items


def accesses_page(
    session: Session,
    issuer_id: str,
    after: str | None,
    limit: int,
    holder_id: str | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
) -> Page[PersonalDataAccess]:
    """A page of the reads `accesses` lists, latest first; keys are access ids. `since` and
    `before` bound when they were made (from `since`, up to but not including `before`)."""
    query = _accesses_query(issuer_id, holder_id, since, before)
    page = keyset_page(session, query, ACCESSES_ORDER, after, limit)
    return Page([row[0] for row in page.items], page.next_after)
