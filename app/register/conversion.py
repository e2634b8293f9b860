"""Conversion of a holder's shares from one class into another, at a ratio "new:old".

The command computes the allotment once and the entry carries it (`allotted`, and the cash in
lieu of a fraction); the applier applies what the entry says. Only available shares convert:
frozen, pledged and reserved shares (pending transfers) stay in their class.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models.register import HoldingVersion, ShareClass
from app.register import classes, holdings
from app.register.context import CommandContext
from app.register.errors import InvalidInput
from app.register.fraction_terms import parse_terms, settle_fraction
from app.register.holders import require_active_holder
from app.register.limits import require_quantity
from app.register.projection import Applied
from app.register.ratios import allot, decimal_text, exact, fraction_text, parse_ratio
from app.register.requests import ConvertShares


@dataclass(frozen=True)
class Conversion:
    entry: Applied
    allotted: int
    from_holding: HoldingVersion
    to_holding: HoldingVersion
    from_class: ShareClass
    to_class: ShareClass
    fraction: str | None
    cash_in_lieu: str | None


def convert_shares(ctx: CommandContext, request: ConvertShares) -> Conversion:
    """Convert a holder's shares of one class into another at a ratio "new:old" (1:1 allowed:
    the commonest conversion); cash in lieu of a fraction under round_down_cash_in_lieu."""
    session, issuer_id = ctx.session, ctx.issuer_id
    quantity, holder_id = request.quantity, request.holder_id
    source_code, target_code = request.from_class, request.to_class
    require_quantity(quantity)
    terms = parse_terms(request.terms, allow_unchanged=True)
    if source_code == target_code:
        raise InvalidInput("a conversion needs two different classes", field="to_class")
    source = classes.get_class(session, issuer_id, source_code)
    target = classes.get_class(session, issuer_id, target_code)
    require_active_holder(session, issuer_id, holder_id)
    holdings.require_available(session, issuer_id, source_code, holder_id, quantity)
    allotment = allot(quantity, terms.ratio, terms.policy)
    if allotment.whole < 1:
        raise InvalidInput(
            f"{quantity} shares at {terms.ratio} would not make one whole share", field="quantity"
        )
    classes.require_authorised(target, allotment.whole)
    cash = terms.cash_for(allotment.leftover)
    data = {
        "holder_id": holder_id,
        "from_class": source_code,
        "to_class": target_code,
        "quantity": str(quantity),
        **terms.log_data(),
        "allotted": str(allotment.whole),
    }
    if cash is not None:
        data["cash_in_lieu_amount"] = decimal_text(cash)
    entry = ctx.record("shares.converted", data)
    return Conversion(
        entry=entry,
        allotted=allotment.whole,
        from_holding=holdings.current(session, issuer_id, source_code, holder_id),
        to_holding=holdings.current(session, issuer_id, target_code, holder_id),
        from_class=source,
        to_class=target,
        fraction=fraction_text(allotment.leftover) if cash is not None else None,
        cash_in_lieu=data.get("cash_in_lieu_amount"),
    )


def apply_shares_converted(session: Session, entry: Applied) -> None:
    data = entry.data
    quantity, allotted, holder_id = int(data["quantity"]), int(data["allotted"]), data["holder_id"]
    holdings.change(session, entry, data["from_class"], holder_id, held=-quantity)
    classes.change_issued(session, entry, data["from_class"], -quantity)
    holdings.change(session, entry, data["to_class"], holder_id, held=allotted)
    classes.change_issued(session, entry, data["to_class"], allotted)
    if "cash_in_lieu_amount" in data:
        # The fraction is what the recorded allotment left of the exact entitlement.
        leftover = exact(quantity, parse_ratio(data["ratio"], allow_unchanged=True)) - allotted
        cash = data["cash_in_lieu_amount"]
        settle_fraction(session, entry, data["to_class"], holder_id, fraction_text(leftover), cash)
