"""Issuing shares: one log entry per allocation; a batch is one command, all or nothing."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.register import Holder
from app.register import classes, holdings
from app.register.errors import InvalidInput, NotFound, Refused
from app.register.limits import require_quantity
from app.register.projection import Applied
from app.register.ratios import decimal_text
from app.register.requests import Allocation, IssueShares

if TYPE_CHECKING:
    from app.register.context import CommandContext


def _require_holders_active(session: Session, issuer_id: str, holder_ids: set[str]) -> None:
    ids = sorted(holder_ids)
    # Two columns, not Holder objects: a batch may name 100,000 holders.
    found = {
        row.holder_id: row
        for start in range(0, len(ids), 500)
        for row in session.execute(
            select(Holder.holder_id, Holder.ceased_on).where(
                Holder.issuer_id == issuer_id, Holder.holder_id.in_(ids[start : start + 500])
            )
        )
    }
    for holder_id in ids:
        holder = found.get(holder_id)
        if holder is None:
            raise NotFound(f"no holder {holder_id}", holder_id=holder_id)
        if holder.ceased_on is not None:
            raise Refused(
                "holder_ceased",
                f"holder {holder_id} has ceased to be a member",
                holder_id=holder_id,
            )


def issue_shares(ctx: CommandContext, request: IssueShares) -> list[Applied]:
    """Allot shares: every allocation is checked before the first is recorded."""
    allocations = request.allocations
    if not allocations:
        raise InvalidInput("name at least one allocation", field="allocations")
    session, issuer_id = ctx.session, ctx.issuer_id
    per_class = Counter()
    for allocation in allocations:
        require_quantity(allocation.quantity)
        if (allocation.price_per_share is None) != (allocation.currency is None):
            raise InvalidInput("give the currency with the price per share", field="currency")
        per_class[allocation.class_code] += allocation.quantity
    for code, quantity in per_class.items():
        classes.require_authorised(classes.get_class(session, issuer_id, code), quantity)
    _require_holders_active(session, issuer_id, {a.holder_id for a in allocations})
    holdings.preload(session, issuer_id, ((a.class_code, a.holder_id) for a in allocations))
    return [ctx.record("shares.issued", _log_data(allocation)) for allocation in allocations]


def _log_data(allocation: Allocation) -> dict[str, Any]:
    data = {
        "class": allocation.class_code,
        "holder_id": allocation.holder_id,
        "quantity": str(allocation.quantity),
    }
    if allocation.price_per_share is not None:
        data["price_per_share"] = decimal_text(Decimal(allocation.price_per_share))
        data["currency"] = allocation.currency
    if allocation.reference:
        data["reference"] = allocation.reference
    if allocation.locked_until is not None:
        data["locked_until"] = allocation.locked_until.isoformat()
    return data


def apply_shares_issued(session: Session, entry: Applied) -> None:
    quantity = int(entry.data["quantity"])
    classes.change_issued(session, entry, entry.data["class"], quantity)
    holdings.change(session, entry, entry.data["class"], entry.data["holder_id"], held=quantity)
