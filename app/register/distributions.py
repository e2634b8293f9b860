"""Distributions (dividends): declared per class with an amount per share; everyone on the
register at the end of the record date is entitled to it.

"The register at the end of the record date" is the tree of the last checkpoint signed at or
before the end of that day (UTC). The declaration carries that tree size, so the entitlement
list is computed from holding versions as of it, the same way on every replay, and anyone
can check it against the signed checkpoint. Because the register of a day is final only once
the day is over, the record date must be in the past: declaring ahead of a future record date
is not supported yet.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal, localcontext

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.register import Distribution, Entitlement, HoldingVersion
from app.register import classes
from app.register.context import CommandContext
from app.register.errors import InvalidInput, NotFound, Refused
from app.register.projection import Applied
from app.register.queries import versions_as_of
from app.register.ratios import decimal_text
from app.register.requests import DeclareDistribution
from app.register.snapshot import NoCheckpoint, find_checkpoint

# Enough digits that quantity x amount per share and their sums are exact, never rounded.
EXACT_DIGITS = 80


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


# --- declaring -----------------------------------------------------------------------------


def declare_distribution(ctx: CommandContext, request: DeclareDistribution) -> Distribution:
    """Declare a distribution on one class and fix its entitlement list from the register as
    it stood at the end of the record date."""
    session, issuer_id = ctx.session, ctx.issuer_id
    class_code, amount_per_share = request.class_code, request.amount_per_share
    record_date, payment_date = request.record_date, request.payment_date
    classes.get_class(session, issuer_id, class_code)
    if not amount_per_share.is_finite() or amount_per_share <= 0:
        raise InvalidInput("the amount per share must be above zero", field="amount_per_share")
    if payment_date is not None and payment_date < record_date:
        raise InvalidInput("payment cannot precede the record date", field="payment_date")
    record_tree_size = _record_tree_size(ctx, record_date)
    if not holdings_as_of(session, issuer_id, class_code, record_tree_size):
        raise Refused(
            "no_shares_at_record_date",
            f"nobody held {class_code} shares at the end of {record_date.isoformat()}",
            class_code=class_code,
            record_tree_size=record_tree_size,
        )
    data = {
        # Drawn here and carried by the entry, so replay recreates the same distribution.
        "distribution_id": str(uuid.uuid4()),
        "class": class_code,
        "amount_per_share": decimal_text(amount_per_share),
        "currency": request.currency,
        "record_date": record_date.isoformat(),
        "record_tree_size": str(record_tree_size),
    }
    if payment_date is not None:
        data["payment_date"] = payment_date.isoformat()
    ctx.record("distribution.declared", data)
    return get_distribution(session, issuer_id, data["distribution_id"])


def _record_tree_size(ctx: CommandContext, record_date: date) -> int:
    moment = end_of_day(record_date)
    now = ctx.clock()
    if moment >= now:
        raise Refused(
            "record_date_in_future",
            f"the register at the end of {record_date.isoformat()} (UTC) is not final yet; "
            "the record date must be a day that has ended",
            record_date=record_date.isoformat(),
            today=now.date().isoformat(),
        )
    try:
        checkpoint = find_checkpoint(ctx.session, ctx.issuer_id, as_of=moment)
    except NoCheckpoint:
        raise Refused(
            "no_register_at_record_date",
            f"the issuer had no register yet at the end of {record_date.isoformat()}",
            record_date=record_date.isoformat(),
        ) from None
    return checkpoint.tree_size


def holdings_as_of(
    session: Session, issuer_id: str, class_code: str, tree_size: int
) -> list[tuple[str, int]]:
    """(holder_id, held) of everyone holding shares of the class in the tree of `tree_size`."""
    rows = session.execute(
        select(HoldingVersion.holder_id, HoldingVersion.held)
        .where(
            HoldingVersion.issuer_id == issuer_id,
            HoldingVersion.class_code == class_code,
            versions_as_of(tree_size),
            HoldingVersion.held > 0,
        )
        .order_by(HoldingVersion.holder_id)
    )
    return [(row.holder_id, row.held) for row in rows]


def apply_distribution_declared(session: Session, entry: Applied) -> None:
    data = entry.data
    per_share = Decimal(data["amount_per_share"])
    holders = holdings_as_of(session, entry.issuer_id, data["class"], int(data["record_tree_size"]))
    with localcontext(prec=EXACT_DIGITS):
        amounts = [(holder_id, held, held * per_share) for holder_id, held in holders]
        total = sum((amount for _, _, amount in amounts), Decimal(0))
    session.add(
        Distribution(
            issuer_id=entry.issuer_id,
            distribution_id=data["distribution_id"],
            class_code=data["class"],
            amount_per_share=data["amount_per_share"],
            currency=data["currency"],
            record_date=date.fromisoformat(data["record_date"]),
            payment_date=date.fromisoformat(data["payment_date"])
            if data.get("payment_date")
            else None,
            record_tree_size=int(data["record_tree_size"]),
            total_shares=sum(held for _, held, _ in amounts),
            total_amount=decimal_text(total),
            declared_index=entry.index,
        )
    )
    session.add_all(
        Entitlement(
            issuer_id=entry.issuer_id,
            distribution_id=data["distribution_id"],
            holder_id=holder_id,
            quantity=held,
            amount=decimal_text(amount),
        )
        for holder_id, held, amount in amounts
    )
    session.flush()


# --- reading -------------------------------------------------------------------------------


def get_distribution(session: Session, issuer_id: str, distribution_id: str) -> Distribution:
    distribution = session.get(Distribution, (issuer_id, distribution_id))
    if distribution is None:
        raise NotFound(f"no distribution {distribution_id}", distribution_id=distribution_id)
    return distribution
