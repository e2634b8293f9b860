"""Reads of the notices context: the voting positions crossings are computed from, an issuer's
notices, a holder's own, and the persons with significant control as of a tree size.

Known limit (shared with the register's snapshots): share classes are not versioned, so "as
of" a past size a class counts with its votes per share now.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from app.models.notices import Notice
from app.models.register import HolderDetails, HoldingVersion, ShareClass
from app.notices.profiles import percent_text
from app.register.paging import Ordering, Page, keyset_page
from app.register.queries import current_versions, get_issuer, versions_as_of
from app.register.snapshot import ERASED_NAME, find_checkpoint

# Holder ids per IN list: SQLite's default limit on bound parameters is far above this, and
# each list stays one index probe per id.
CHUNK = 500
# 25% or more of the shares or of the votes marks a person with significant control.
SIGNIFICANT_CONTROL = Fraction(25, 100)


# --- positions -----------------------------------------------------------------------------


def class_votes(session: Session, issuer_id: str) -> list:
    """Every class with its votes per share, issued total and the entry that last changed it."""
    return list(
        session.execute(
            select(
                ShareClass.code,
                ShareClass.votes_per_share,
                ShareClass.issued,
                ShareClass.last_log_index,
            ).where(ShareClass.issuer_id == issuer_id)
        )
    )


def _positions_query(issuer_id: str, as_of: int | None) -> Select:
    in_force = current_versions() if as_of is None else versions_as_of(as_of)
    return select(HoldingVersion.holder_id, HoldingVersion.class_code, HoldingVersion.held).where(
        HoldingVersion.issuer_id == issuer_id, in_force, HoldingVersion.held > 0
    )


def holder_votes(
    session: Session,
    issuer_id: str,
    votes_per_share: Mapping[str, int],
    as_of: int | None = None,
    holder_ids: Collection[str] | None = None,
) -> dict[str, int]:
    """Votes per holder (held shares x votes per share over all classes), now or as of a tree
    size; of every holder in one query, or of the holders named, a few hundred a query. Python
    adds them up: a sum in SQL could pass a BIGINT."""
    query = _positions_query(issuer_id, as_of)
    if holder_ids is None:
        chunks = [query]
    elif votes_per_share:
        # Naming the classes lets the lookup seek the primary key (issuer, class, holder)
        # rather than read every version of the issuer (measured on SQLite: 59 ms a transfer
        # on a 100,000-holder issuer without).
        query = query.where(HoldingVersion.class_code.in_(sorted(votes_per_share)))
        ids = sorted(holder_ids)
        chunks = [
            query.where(HoldingVersion.holder_id.in_(ids[start : start + CHUNK]))
            for start in range(0, len(ids), CHUNK)
        ]
    else:
        return {}  # no classes: nobody holds anything
    votes: dict[str, int] = {}
    for chunk in chunks:
        for holder_id, code, held in session.execute(chunk):
            votes[holder_id] = votes.get(holder_id, 0) + held * votes_per_share.get(code, 0)
    return votes


# --- notices -------------------------------------------------------------------------------

NOTICES_ORDER = Ordering(  # newest first
    ((Notice.log_index, True),),
    at=lambda key: Notice.log_index == int(key) if key.isdigit() else None,
    key_of=lambda row: str(row[0].log_index),
    what="notice",
)


def notices_page(
    session: Session,
    issuer_id: str,
    after: str | None,
    limit: int,
    holder_id: str | None = None,
) -> Page[Notice]:
    """The issuer's notices (or one holder's), newest first, a page at a time."""
    get_issuer(session, issuer_id)
    query = select(Notice).select_from(Notice).where(Notice.issuer_id == issuer_id)
    if holder_id is not None:
        query = query.where(Notice.holder_id == holder_id)
    page = keyset_page(session, query, NOTICES_ORDER, after, limit)
    return Page([row[0] for row in page.items], page.next_after)


def holder_notices(session: Session, issuer_id: str, holder_id: str, limit: int) -> list[Notice]:
    """A holder's latest notices, newest first."""
    return notices_page(session, issuer_id, None, limit, holder_id).items


# --- persons with significant control ------------------------------------------------------


@dataclass(frozen=True)
class PersonWithControl:
    holder_id: str
    name: str
    shares: int
    votes: int
    percent_of_shares: str
    percent_of_votes: str
    by_shares: bool  # 25% or more of all shares
    by_votes: bool  # 25% or more of all votes


@dataclass(frozen=True)
class SignificantControl:
    issuer_id: str
    tree_size: int
    total_shares: int
    total_votes: int
    persons: list[PersonWithControl]


def _reaches(part: int, whole: int) -> bool:
    return whole > 0 and Fraction(part, whole) >= SIGNIFICANT_CONTROL


def significant_control(
    session: Session, issuer_id: str, tree_size: int | None = None
) -> SignificantControl:
    """Holders with 25% or more of all shares or of all votes, as of a signed tree size (the
    latest by default; a size without a checkpoint is refused as for a snapshot)."""
    get_issuer(session, issuer_id)
    size = find_checkpoint(session, issuer_id, tree_size, None).tree_size
    votes_per_share = {row.code: row.votes_per_share for row in class_votes(session, issuer_id)}
    shares: dict[str, int] = {}
    votes: dict[str, int] = {}
    for holder_id, code, held in session.execute(_positions_query(issuer_id, size)):
        shares[holder_id] = shares.get(holder_id, 0) + held
        votes[holder_id] = votes.get(holder_id, 0) + held * votes_per_share.get(code, 0)
    total_shares, total_votes = sum(shares.values()), sum(votes.values())
    controlling = sorted(
        holder_id
        for holder_id in shares
        if _reaches(shares[holder_id], total_shares) or _reaches(votes[holder_id], total_votes)
    )
    names = holder_names(session, issuer_id, controlling)
    persons = [
        PersonWithControl(
            holder_id=holder_id,
            name=names.get(holder_id, ERASED_NAME),
            shares=shares[holder_id],
            votes=votes[holder_id],
            percent_of_shares=percent_text(shares[holder_id], total_shares),
            percent_of_votes=percent_text(votes[holder_id], total_votes),
            by_shares=_reaches(shares[holder_id], total_shares),
            by_votes=_reaches(votes[holder_id], total_votes),
        )
        for holder_id in controlling
    ]
    persons.sort(key=lambda person: (-person.votes, -person.shares, person.holder_id))
    return SignificantControl(issuer_id, size, total_shares, total_votes, persons)


def holder_names(session: Session, issuer_id: str, holder_ids: Collection[str]) -> dict[str, str]:
    """The register names of a few holders (a page of notices, the persons with control);
    an erased holder has none."""
    if not holder_ids:
        return {}
    query = select(HolderDetails.holder_id, HolderDetails.name).where(
        and_(HolderDetails.issuer_id == issuer_id, HolderDetails.holder_id.in_(list(holder_ids)))
    )
    return dict(session.execute(query).all())
