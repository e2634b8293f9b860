"""Reads of the register for the API, the pages and the CLI.

The two definitions every read builds on live here, once: a holding version is *current* while
no later entry has closed it, and *in force at tree size N* when an entry before N opened it
and none before N closed it. Views and commands select through these; none writes its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from app.models.register import Distribution, Entitlement, HolderDetails, HoldingVersion, Pledge


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


def pledges(session: Session, issuer_id: str) -> list[Pledge]:
    """Every pledge on the issuer's shares, active or released, in the order registered."""
    return list(
        session.scalars(
            select(Pledge)
            .where(Pledge.issuer_id == issuer_id)
            .order_by(Pledge.registered_index, Pledge.pledge_id)
        )
    )


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


def entitlements(session: Session, issuer_id: str, distribution_id: str) -> list[EntitlementLine]:
    """A distribution's entitlement list by holder name (erased holders, who have none, last)."""
    rows = session.execute(
        select(Entitlement, HolderDetails.name)
        .outerjoin(
            HolderDetails,
            (HolderDetails.issuer_id == Entitlement.issuer_id)
            & (HolderDetails.holder_id == Entitlement.holder_id),
        )
        .where(
            Entitlement.issuer_id == issuer_id,
            Entitlement.distribution_id == distribution_id,
        )
        .order_by(
            HolderDetails.name.is_(None), func.lower(HolderDetails.name), Entitlement.holder_id
        )
    )
    return [
        EntitlementLine(entitlement.holder_id, name, entitlement.quantity, entitlement.amount)
        for entitlement, name in rows
    ]
