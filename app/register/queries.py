"""Reads of the register for the API, the pages and the CLI.

The two definitions every read builds on live here, once: a holding version is *current* while
no later entry has closed it, and *in force at tree size N* when an entry before N opened it
and none before N closed it. Views and commands select through these; none writes its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from app.db import transaction_cache
from app.models.issuer import Issuer
from app.models.log import LogCheckpoint, LogState
from app.models.register import (
    Distribution,
    Entitlement,
    Holder,
    HolderDetails,
    HoldingVersion,
    Pledge,
    ShareClass,
)
from app.register.errors import NotFound
from app.register.paging import Ordering, Page, keyset_page

T = TypeVar("T")

# --- issuers, classes, holders, holdings and reads of personal data ------------------------
# Lookups by id raise NotFound, which every entry point answers the same way (404 in the API);
# the commands use the same lookups, so an unknown issuer, class or holder reads alike.


def unknown_issuer(issuer_id: str) -> NotFound:
    """The one answer to a request about an issuer nobody registered (404 in the API)."""
    return NotFound(f"no issuer {issuer_id}", issuer_id=issuer_id)


def get_issuer(session: Session, issuer_id: str) -> Issuer:
    issuer = session.get(Issuer, issuer_id)
    if issuer is None:
        raise unknown_issuer(issuer_id)
    return issuer


def list_issuers(session: Session, only: str | None = None) -> list[Issuer]:
    """Every issuer by name, or just `only` (the one a secretary's or investor's login sees)."""
    query = select(Issuer).order_by(Issuer.legal_name, Issuer.id)
    if only is not None:
        query = query.where(Issuer.id == only)
    return list(session.scalars(query))


@dataclass(frozen=True)
class LogPosition:
    """How long an issuer's log is and when its latest checkpoint was signed."""

    tree_size: int
    signed_at: datetime | None


@dataclass(frozen=True)
class IssuerWithLog:
    """An issuer as readers see it: its record, and where its log stands."""

    issuer: Issuer
    log: LogPosition

    def __getattr__(self, name: str) -> Any:
        return getattr(self.issuer, name)


def with_log_positions(session: Session, issuers: list[Issuer]) -> list[IssuerWithLog]:
    """The issuers, each with the size of its log and the time of its latest checkpoint."""
    ids = [issuer.id for issuer in issuers]
    rows = session.execute(
        select(LogState.issuer_id, LogState.checkpoint_size, LogCheckpoint.created_at)
        .outerjoin(
            LogCheckpoint,
            (LogCheckpoint.issuer_id == LogState.issuer_id)
            & (LogCheckpoint.tree_size == LogState.checkpoint_size),
        )
        .where(LogState.issuer_id.in_(ids))
    )
    positions = {row.issuer_id: LogPosition(row.checkpoint_size, row.created_at) for row in rows}
    unsigned = LogPosition(0, None)
    return [IssuerWithLog(issuer, positions.get(issuer.id, unsigned)) for issuer in issuers]


def issuer_with_log(session: Session, issuer_id: str) -> IssuerWithLog:
    (found,) = with_log_positions(session, [get_issuer(session, issuer_id)])
    return found


def issuer_named(session: Session, legal_name: str) -> Issuer | None:
    """The first issuer registered under `legal_name` (names are not unique), if any."""
    query = select(Issuer).where(Issuer.legal_name == legal_name).order_by(Issuer.id).limit(1)
    return session.scalars(query).first()


def issuer_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Issuer))


def _kept(session: Session, cache_name: str, model: type[T], key: tuple[str, str]) -> T | None:
    """A row by primary key, kept for the transaction. The session's identity map holds
    unchanged rows only weakly, and a command asks for the same class or holder several
    times; new holders are put in the cache by their applier, so registering many in one
    command needs no flush each."""
    cache = transaction_cache(session, cache_name)
    row = cache.get(key) or session.get(model, key)
    if row is not None:
        cache[key] = row
    return row


def get_class(session: Session, issuer_id: str, code: str) -> ShareClass:
    share_class = _kept(session, "classes", ShareClass, (issuer_id, code))
    if share_class is None:
        raise NotFound(f"no share class {code}", class_code=code)
    return share_class


def list_classes(session: Session, issuer_id: str) -> list[ShareClass]:
    return list(
        session.scalars(
            select(ShareClass).where(ShareClass.issuer_id == issuer_id).order_by(ShareClass.code)
        )
    )


def get_holder(session: Session, issuer_id: str, holder_id: str) -> Holder:
    holder = _kept(session, "holders", Holder, (issuer_id, holder_id))
    if holder is None:
        raise NotFound(f"no holder {holder_id}", holder_id=holder_id)
    return holder


def holder_with_details(
    session: Session, issuer_id: str, holder_id: str
) -> tuple[Holder, HolderDetails | None]:
    """A holder and their register details (None once erased)."""
    holder = get_holder(session, issuer_id, holder_id)
    return holder, session.get(HolderDetails, (issuer_id, holder_id))


def holders_page(
    session: Session, issuer_id: str, after: str | None, limit: int
) -> tuple[list[tuple[Holder, HolderDetails | None]], str | None]:
    """Up to `limit` holders in holder_id order after `after`, with their details, and the
    holder_id to continue after (None on the last page)."""
    query = (
        select(Holder, HolderDetails)
        .select_from(Holder)
        .outerjoin(
            HolderDetails,
            (HolderDetails.issuer_id == Holder.issuer_id)
            & (HolderDetails.holder_id == Holder.holder_id),
        )
        .where(Holder.issuer_id == issuer_id)
    )
    page = keyset_page(
        session,
        query,
        Ordering(
            ((Holder.holder_id, False),),
            at=lambda key: Holder.holder_id == key,
            key_of=lambda row: row[0].holder_id,
            what="holder",
        ),
        after,
        limit,
    )
    return [(holder, details) for holder, details in page.items], page.next_after


def _holdings_query(issuer_id: str, holder_id: str | None, class_code: str | None) -> Select:
    query = (
        select(HoldingVersion)
        .select_from(HoldingVersion)
        .where(HoldingVersion.issuer_id == issuer_id, current_versions())
    )
    if holder_id:
        query = query.where(HoldingVersion.holder_id == holder_id)
    if class_code:
        query = query.where(HoldingVersion.class_code == class_code)
    return query


def _holding_at(key: str) -> ColumnElement[bool] | None:
    # A holding's key is "CLASS:holder_id"; class codes hold no colon.
    code, colon, holder_id = key.partition(":")
    if not colon:
        return None
    return and_(HoldingVersion.class_code == code, HoldingVersion.holder_id == holder_id)


HOLDINGS_ORDER = Ordering(
    ((HoldingVersion.class_code, False), (HoldingVersion.holder_id, False)),
    at=_holding_at,
    key_of=lambda row: f"{row[0].class_code}:{row[0].holder_id}",
    what="holding",
)


def current_holdings(
    session: Session,
    issuer_id: str,
    holder_id: str | None = None,
    class_code: str | None = None,
) -> list[HoldingVersion]:
    """Current holdings by class and holder, optionally of one holder or one class."""
    query = HOLDINGS_ORDER.sort(_holdings_query(issuer_id, holder_id, class_code))
    return list(session.scalars(query))


def holdings_page(
    session: Session,
    issuer_id: str,
    after: str | None,
    limit: int,
    holder_id: str | None = None,
    class_code: str | None = None,
) -> Page[HoldingVersion]:
    """A page of current holdings by class and holder; keys are "CLASS:holder_id"."""
    query = _holdings_query(issuer_id, holder_id, class_code)
    page = keyset_page(session, query, HOLDINGS_ORDER, after, limit)
    return Page([row[0] for row in page.items], page.next_after)


# --- the two definitions -------------------------------------------------------------------


def current_versions(versions: Any = HoldingVersion) -> ColumnElement[bool]:
    """The condition for a holding version nothing has superseded yet."""
    return versions.to_index.is_(None)


def versions_as_of(tree_size: int, versions: Any = HoldingVersion) -> ColumnElement[bool]:
    """The condition for a holding version in force in the log of `tree_size` entries.

    `versions` may be an alias of HoldingVersion (a self-join compares two sizes)."""
    return and_(
        versions.from_index < tree_size,
        or_(versions.to_index.is_(None), versions.to_index >= tree_size),
    )


# --- restrictions and distributions --------------------------------------------------------


PLEDGES_ORDER = Ordering(  # in the order registered
    ((Pledge.registered_index, False), (Pledge.pledge_id, False)),
    at=lambda key: Pledge.pledge_id == key,
    key_of=lambda row: row[0].pledge_id,
    what="pledge",
)


def _pledges_query(issuer_id: str) -> Select:
    return select(Pledge).select_from(Pledge).where(Pledge.issuer_id == issuer_id)


def pledges(session: Session, issuer_id: str) -> list[Pledge]:
    """Every pledge on the issuer's shares, active or released, in the order registered."""
    return list(session.scalars(PLEDGES_ORDER.sort(_pledges_query(issuer_id))))


def pledges_page(session: Session, issuer_id: str, after: str | None, limit: int) -> Page[Pledge]:
    """A page of `pledges`; keys are pledge ids."""
    page = keyset_page(session, _pledges_query(issuer_id), PLEDGES_ORDER, after, limit)
    return Page([row[0] for row in page.items], page.next_after)


def distributions(session: Session, issuer_id: str) -> list[Distribution]:
    """The issuer's declared distributions, in the order declared."""
    return list(
        session.scalars(
            select(Distribution)
            .where(Distribution.issuer_id == issuer_id)
            .order_by(Distribution.declared_index)
        )
    )


@dataclass(frozen=True)
class EntitlementLine:
    holder_id: str
    name: str | None  # None once the holder's details are erased
    quantity: int
    amount: str


def _entitlements_query(issuer_id: str, distribution_id: str) -> Select:
    return (
        select(Entitlement, HolderDetails.name)
        .select_from(Entitlement)
        .outerjoin(
            HolderDetails,
            (HolderDetails.issuer_id == Entitlement.issuer_id)
            & (HolderDetails.holder_id == Entitlement.holder_id),
        )
        .where(
            Entitlement.issuer_id == issuer_id,
            Entitlement.distribution_id == distribution_id,
        )
    )


# By holder name, case-insensitively; erased holders, who have no name, last. Written without
# NULLs so that a page can continue after any row.
ENTITLEMENTS_ORDER = Ordering(
    (
        (case((HolderDetails.name.is_(None), 1), else_=0), False),
        (func.lower(func.coalesce(HolderDetails.name, "")), False),
        (Entitlement.holder_id, False),
    ),
    at=lambda key: Entitlement.holder_id == key,
    key_of=lambda row: row[0].holder_id,
    what="holder",
)


def _entitlement_line(row: Row) -> EntitlementLine:
    entitlement, name = row
    return EntitlementLine(entitlement.holder_id, name, entitlement.quantity, entitlement.amount)


def entitlements(session: Session, issuer_id: str, distribution_id: str) -> list[EntitlementLine]:
    """A distribution's entitlement list by holder name (erased holders, who have none, last)."""
    query = ENTITLEMENTS_ORDER.sort(_entitlements_query(issuer_id, distribution_id))
    return [_entitlement_line(row) for row in session.execute(query)]


def entitlements_page(
    session: Session, issuer_id: str, distribution_id: str, after: str | None, limit: int
) -> Page[EntitlementLine]:
    """A page of `entitlements`; keys are holder ids."""
    query = _entitlements_query(issuer_id, distribution_id)
    page = keyset_page(session, query, ENTITLEMENTS_ORDER, after, limit)
    return Page([_entitlement_line(row) for row in page.items], page.next_after)


def unfixed_distributions(
    session: Session, issuer_id: str, before: date | None = None
) -> list[Distribution]:
    """Distributions whose entitlements are not fixed yet (with a record date before `before`
    when given), in the order declared."""
    query = select(Distribution).where(
        Distribution.issuer_id == issuer_id, Distribution.fixed_index.is_(None)
    )
    if before is not None:
        query = query.where(Distribution.record_date < before)
    return list(session.scalars(query.order_by(Distribution.declared_index)))


def issuers_with_unfixed_distributions(session: Session, before: date) -> list[str]:
    """The issuers with a distribution whose record date is before `before` and whose
    entitlements are not fixed yet."""
    query = (
        select(Distribution.issuer_id)
        .where(Distribution.fixed_index.is_(None), Distribution.record_date < before)
        .distinct()
        .order_by(Distribution.issuer_id)
    )
    return list(session.scalars(query))
