"""Holdings: held, frozen, pledged and reserved per (class, holder), versioned by log index."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import transaction_cache
from app.models.register import HoldingVersion
from app.register.errors import Refused
from app.register.projection import Applied
from app.register.queries import current_versions

BUCKETS = ("held", "frozen", "pledged", "reserved")


class RegisterInvariantError(RuntimeError):
    """A change would make a holding negative or over-committed. Commands check first, so this
    means a bug, or (during replay) a log that the rules could never have produced."""


HoldingKey = tuple[str, str, str]  # issuer_id, class_code, holder_id


def _cache(session: Session) -> dict[HoldingKey, HoldingVersion | None]:
    # Commands touch the same holdings repeatedly (batches, checks then changes); within one
    # transaction the current version is read from the database once.
    return transaction_cache(session, "holdings")


def current(
    session: Session, issuer_id: str, class_code: str, holder_id: str
) -> HoldingVersion | None:
    cache = _cache(session)
    key = (issuer_id, class_code, holder_id)
    if key not in cache:
        cache[key] = session.scalars(
            select(HoldingVersion).where(
                HoldingVersion.issuer_id == issuer_id,
                HoldingVersion.class_code == class_code,
                HoldingVersion.holder_id == holder_id,
                current_versions(),
            )
        ).one_or_none()
    return cache[key]


def preload(session: Session, issuer_id: str, keys: Iterable[tuple[str, str]]) -> None:
    """Read the current versions of many (class, holder) holdings in a few queries."""
    cache = _cache(session)
    wanted: dict[str, list[str]] = {}
    for code, holder_id in set(keys):
        if (issuer_id, code, holder_id) not in cache:
            wanted.setdefault(code, []).append(holder_id)
    for code, holder_ids in wanted.items():
        # One class at a time, so the lookup seeks the primary key (a row-value IN over
        # (class, holder) makes SQLite read every version of the issuer).
        for start in range(0, len(holder_ids), 500):
            chunk = holder_ids[start : start + 500]
            for holder_id in chunk:
                cache[(issuer_id, code, holder_id)] = None
            rows = session.scalars(
                select(HoldingVersion).where(
                    HoldingVersion.issuer_id == issuer_id,
                    HoldingVersion.class_code == code,
                    HoldingVersion.holder_id.in_(chunk),
                    current_versions(),
                )
            )
            for row in rows:
                cache[(issuer_id, row.class_code, row.holder_id)] = row


def available(session: Session, issuer_id: str, class_code: str, holder_id: str) -> int:
    holding = current(session, issuer_id, class_code, holder_id)
    return holding.available if holding else 0


def require_available(
    session: Session, issuer_id: str, class_code: str, holder_id: str, quantity: int
) -> HoldingVersion:
    holding = current(session, issuer_id, class_code, holder_id)
    have = holding.available if holding else 0
    if have < quantity:
        raise Refused(
            "insufficient_available",
            f"holder {holder_id} has {have} {class_code} shares available, {quantity} needed",
            holder_id=holder_id,
            class_code=class_code,
            available=have,
            requested=quantity,
        )
    return holding


def change(
    session: Session,
    entry: Applied,
    class_code: str,
    holder_id: str,
    *,
    held: int = 0,
    frozen: int = 0,
    pledged: int = 0,
    reserved: int = 0,
) -> HoldingVersion:
    """Apply deltas as of `entry`: close the current version and open the next one."""
    previous = current(session, entry.issuer_id, class_code, holder_id)
    if previous is not None and previous.from_index == entry.index:
        version = previous  # a second change by the same entry amends its own version
    else:
        version = HoldingVersion(
            issuer_id=entry.issuer_id,
            class_code=class_code,
            holder_id=holder_id,
            from_index=entry.index,
            to_index=None,
            held=previous.held if previous else 0,
            frozen=previous.frozen if previous else 0,
            pledged=previous.pledged if previous else 0,
            reserved=previous.reserved if previous else 0,
        )
        if previous is not None:
            previous.to_index = entry.index
        session.add(version)
        _cache(session)[(entry.issuer_id, class_code, holder_id)] = version
    version.held += held
    version.frozen += frozen
    version.pledged += pledged
    version.reserved += reserved
    if min(version.held, version.frozen, version.pledged, version.reserved) < 0 or (
        version.available < 0
    ):
        raise RegisterInvariantError(
            f"entry {entry.index} ({entry.kind}) would leave {holder_id}'s {class_code} holding "
            f"at held={version.held} frozen={version.frozen} pledged={version.pledged} "
            f"reserved={version.reserved}"
        )
    return version
