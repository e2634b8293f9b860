"""The register of members as the law asks it to be printed (UK Companies Act 2006): each
member's entry with its member number, joint holders and the dates entered and ceased (s113),
former members for ten years after they ceased (s121), and an index of names (s115).

Member numbers are the order of entry on the register: the holders by the log index that
registered them, stored on each holder as the log registers them
(`holders.next_member_number`). A number never changes, since holders are never removed.

Streamed like the snapshot's rows (app.register.snapshot), with the same known limit: names,
addresses and dates are those on the register now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, select

from app.models.register import Holder, HolderDetails
from app.register.snapshot import (
    ERASED_NAME,
    Snapshot,
    holdings_query,
    stream,
    with_percentages,
)

FORMER_MEMBERS_KEPT_YEARS = 10  # s121: an entry may be removed ten years after ceasing
INDEX_ABOVE_MEMBERS = 50  # s115: a company of more than 50 members keeps an index
_AMOUNT_PAID = "not recorded"


class MemberHolding(NamedTuple):
    """One member's holding of one class, as the printed register enters it."""

    class_code: str
    holder_id: str
    number: int
    name: str
    joint_holders: tuple[str, ...]
    address: str
    country: str
    entered: str  # ISO date
    quantity: int
    percentage_of_class: str
    percentage_of_votes: str


class FormerMember(NamedTuple):
    holder_id: str
    number: int
    name: str
    joint_holders: tuple[str, ...]
    address: str
    country: str
    entered: str
    ceased: str


class IndexEntry(NamedTuple):
    """A name in the index of members, with the classes whose entries it points to."""

    number: int
    name: str
    class_codes: tuple[str, ...]


def amount_paid_per_share() -> str:
    """The register records each allotment's issue price on the log, not the amount paid up
    on the shares, so the printout says so rather than guess that shares are fully paid."""
    return _AMOUNT_PAID


def member_number(session: Any, issuer_id: str, holder_id: str) -> int:
    """One holder's member number (stored on the holder when the log registered them)."""
    return session.get(Holder, (issuer_id, holder_id)).member_number


def holder_with_number(session: Any, issuer_id: str, number: int) -> str | None:
    """The holder_id of the member entered `number`th on the register, if there is one."""
    return session.scalar(
        select(Holder.holder_id).where(
            Holder.issuer_id == issuer_id, Holder.member_number == number
        )
    )


def holder_labels(session: Any, issuer_id: str, holder_ids: Iterable[str]) -> dict[str, str]:
    """Each holder as "Name (No. N)", so that namesakes are told apart; an erased holder is
    shown by number only. One query for any number of holders."""
    wanted = set(holder_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Holder.holder_id, Holder.member_number, HolderDetails.name)
        .outerjoin(HolderDetails, details_of_holder())
        .where(Holder.issuer_id == issuer_id, Holder.holder_id.in_(wanted))
    )
    return {row.holder_id: member_label(row.name, row.member_number) for row in rows}


def member_label(name: str | None, number: int) -> str:
    return f"{name} (No. {number:,})" if name is not None else f"erased member (No. {number:,})"


def details_of_holder() -> Any:
    """The join of a holder to their register details (none once erased)."""
    return and_(
        HolderDetails.issuer_id == Holder.issuer_id, HolderDetails.holder_id == Holder.holder_id
    )


def _with_member(query: Select, snapshot: Snapshot, holder_id: Any) -> tuple[Select, Any]:
    """A holdings query joined to the member's register entry, and their number's column."""
    entry = and_(Holder.issuer_id == snapshot.issuer_id, Holder.holder_id == holder_id)
    return query.join(Holder, entry), Holder.member_number


def member_holdings(session: Any, snapshot: Snapshot) -> Iterator[MemberHolding]:
    """Every holding as of the snapshot's size, in the snapshot's order, with the member's
    number, joint holders and date of entry."""
    base = holdings_query(snapshot)
    query, number = _with_member(base, snapshot, base.selected_columns.holder_id)
    query = query.add_columns(number, HolderDetails.joint_holders, Holder.registered_on)
    for row, percentages in with_percentages(snapshot, stream(session, query)):
        code, holder_id, name, address, country, held, member, joint, entered = row
        yield MemberHolding(
            code,
            holder_id,
            member,
            ERASED_NAME if name is None else name,
            _names(joint),
            address or "",
            country or "",
            str(entered),
            held,
            *percentages,
        )


def former_members(session: Any, snapshot: Snapshot) -> Iterator[FormerMember]:
    """Members who ceased within the ten years before the snapshot was signed, by name."""
    signed_on = snapshot.checkpoint.created_at.date()
    query = (
        select(
            Holder.holder_id,
            HolderDetails.name,
            HolderDetails.joint_holders,
            HolderDetails.address,
            HolderDetails.country,
            Holder.registered_on,
            Holder.ceased_on,
            Holder.member_number,
        )
        .select_from(Holder)
        .outerjoin(HolderDetails, details_of_holder())
        .where(
            Holder.issuer_id == snapshot.issuer_id,
            Holder.registered_index < snapshot.tree_size,
            Holder.ceased_on <= signed_on,
            Holder.ceased_on >= years_before(signed_on, FORMER_MEMBERS_KEPT_YEARS),
        )
    )
    query = query.order_by(HolderDetails.name.asc().nulls_last(), Holder.member_number)
    for holder_id, name, joint, address, country, entered, ceased, member in stream(session, query):
        yield FormerMember(
            holder_id,
            member,
            ERASED_NAME if name is None else name,
            _names(joint),
            address or "",
            country or "",
            str(entered),
            str(ceased),
        )


def member_index(session: Any, snapshot: Snapshot) -> Iterator[IndexEntry]:
    """The members holding shares as of the snapshot, alphabetically by name (erased holders
    last), each once, with the classes they hold."""
    base = holdings_query(snapshot)
    columns = base.selected_columns
    query, number = _with_member(base, snapshot, columns.holder_id)
    query = query.with_only_columns(columns.class_code, columns.holder_id, columns.name, number)
    by_name = (columns.name.asc().nulls_last(), number, columns.class_code)
    query = query.order_by(None).order_by(*by_name)
    current: IndexEntry | None = None
    for code, _holder_id, name, member in stream(session, query):
        if current is not None and current.number == member:
            current = current._replace(class_codes=(*current.class_codes, code))
            continue
        if current is not None:
            yield current
        current = IndexEntry(member, ERASED_NAME if name is None else name, (code,))
    if current is not None:
        yield current


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _names(joint: Any) -> tuple[str, ...]:
    # A JSON column read through the raw driver: text on SQLite, already a list on PostgreSQL.
    if isinstance(joint, str):
        joint = json.loads(joint)
    return tuple(joint or ())
