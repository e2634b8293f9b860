"""What the secretary's dashboard shows at a glance: who holds the votes, and how the capital
grew. Both are aggregates the database computes; neither reads the register row by row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.models.log import LogCheckpoint
from app.models.register import HoldingVersion, ShareClass
from app.register.queries import current_versions
from app.register.snapshot import totals_query

CAPITAL_POINTS = 12


@dataclass(frozen=True)
class VotingStake:
    holder_id: str
    votes: int


@dataclass(frozen=True)
class CapitalPoint:
    tree_size: int
    signed_at: datetime
    issued: int  # shares of every class


def largest_holders(session: Session, issuer_id: str, limit: int) -> tuple[list[VotingStake], int]:
    """The `limit` holders with the most votes now, largest first, and the total votes."""
    votes = func.sum(HoldingVersion.held * ShareClass.votes_per_share)
    query = (
        select(HoldingVersion.holder_id, votes.label("votes"))
        .select_from(HoldingVersion)
        .join(
            ShareClass,
            and_(
                ShareClass.issuer_id == HoldingVersion.issuer_id,
                ShareClass.code == HoldingVersion.class_code,
            ),
        )
        .where(HoldingVersion.issuer_id == issuer_id, current_versions(), HoldingVersion.held > 0)
        .group_by(HoldingVersion.holder_id)
    )
    top = [
        VotingStake(row.holder_id, int(row.votes))
        for row in session.execute(
            query.order_by(votes.desc(), HoldingVersion.holder_id).limit(limit)
        )
    ]
    total = session.scalar(select(func.coalesce(func.sum(query.subquery().c.votes), 0)))
    return top, int(total)


def capital_over_time(session: Session, issuer_id: str) -> list[CapitalPoint]:
    """Shares issued at up to 12 signed checkpoints spread evenly over the log, oldest first:
    a few index lookups whatever the log's length, as the snapshot does."""
    latest = session.scalar(
        select(func.max(LogCheckpoint.tree_size)).where(LogCheckpoint.issuer_id == issuer_id)
    )
    if latest is None:
        return []
    targets = sorted({max(1, latest * n // CAPITAL_POINTS) for n in range(1, CAPITAL_POINTS + 1)})
    points: dict[int, CapitalPoint] = {}
    for target in targets:
        checkpoint = session.scalars(
            select(LogCheckpoint)
            .where(LogCheckpoint.issuer_id == issuer_id, LogCheckpoint.tree_size >= target)
            .order_by(LogCheckpoint.tree_size)
            .limit(1)
        ).one()
        totals = session.execute(totals_query(issuer_id, checkpoint.tree_size))
        issued = sum(int(total or 0) for _, total, _ in totals)
        points[checkpoint.tree_size] = CapitalPoint(
            checkpoint.tree_size, checkpoint.created_at, issued
        )
    return list(points.values())
