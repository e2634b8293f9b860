"""Finding members on a large register: by name, identifier or member number, a page at a time.

Member numbers are stored on the holders in order of entry (see `holders.next_member_number`)
and indexed with the issuer, so a page continues after the last number shown by an index
seek; 100,000 members page as fast as 100."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models.register import Holder, HolderDetails
from app.register.members import details_of_holder, holder_with_number, member_label
from app.register.paging import Page


@dataclass(frozen=True)
class MemberRow:
    number: int
    holder_id: str
    name: str | None  # None once erased
    identifier: str | None
    country: str | None
    registered_on: date
    ceased_on: date | None
    kyc_verified: bool

    @property
    def label(self) -> str:
        return member_label(self.name, self.number)


def member_count(session: Session, issuer_id: str) -> int:
    """Members on the register now (those who ceased to be members not counted)."""
    return session.scalar(
        select(func.count()).where(Holder.issuer_id == issuer_id, Holder.ceased_on.is_(None))
    )


def members_page(
    session: Session, issuer_id: str, search: str, after_number: int | None, limit: int
) -> Page[MemberRow]:
    """Members in order of member number after `after_number`, those matching `search` only
    (a number matches that member number; text matches part of a name or identifier, in any
    case). `next_after` is the last number on a full page."""
    number = Holder.member_number
    query = (
        select(
            number,
            Holder.holder_id,
            HolderDetails.name,
            HolderDetails.identifier,
            HolderDetails.country,
            Holder.registered_on,
            Holder.ceased_on,
            Holder.kyc_verified,
        )
        .outerjoin(HolderDetails, details_of_holder())
        .where(Holder.issuer_id == issuer_id)
    )
    matches = _matching(issuer_id, search.strip())
    if matches is not None:
        query = query.where(matches)
    if after_number is not None:
        query = query.where(number > after_number)
    rows = [MemberRow(*row) for row in session.execute(query.order_by(number).limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, str(rows[-1].number) if more else None)


_NUMBERED = re.compile(r"(?:^|\(\s*)(?:no\.?\s*)?(\d[\d,]*)\s*\)?\s*$", re.IGNORECASE)


def resolve_member(session: Session, issuer_id: str, typed: str) -> str | None:
    """The holder a form's member field names: a member number ("1,204", "No. 1204"), the
    picker's "Name (No. 1204)", or a holder id. None when it names nobody."""
    typed = typed.strip()
    if session.get(Holder, (issuer_id, typed)) is not None:
        return typed
    number = _typed_number(typed)
    return None if number is None else holder_with_number(session, issuer_id, number)


def _typed_number(typed: str) -> int | None:
    """The member number typed text names ("1,204", "No. 1204", "Name (No. 1204)"), if any."""
    found = _NUMBERED.search(typed)
    return None if found is None else int(found.group(1).replace(",", ""))


def _matching(issuer_id: str, search: str) -> Any:
    if not search:
        return None
    text = search.lower()
    # Part of a name is found only by reading every name: once, into a set the members are
    # then walked through in order of number (as a join, both engines looked each member's
    # details up one by one: 100,000 lookups to find the two members a number matches).
    named = select(HolderDetails.holder_id).where(
        HolderDetails.issuer_id == issuer_id,
        or_(
            func.lower(HolderDetails.name).contains(text, autoescape=True),
            func.lower(HolderDetails.identifier).contains(text, autoescape=True),
        ),
    )
    by_text = Holder.holder_id.in_(named)
    # A search may be typed as the pages write numbers: "No. 9,876" finds member 9876.
    number = _typed_number(search)
    if number is not None:
        return or_(Holder.member_number == number, by_text)
    return by_text
