"""Reductions of capital: cancellation, repurchase and redemption of a holder's shares.

Each removes shares from one holding and lowers the class's issued total, in one log entry.
Only available shares can go: frozen, pledged or reserved shares stay until released.

A repurchase here is a buy-back followed by cancellation. Holding repurchased shares in
treasury (issued but held by the company, without votes or dividends) is out of scope: the
register has no treasury holder, so a buy-back always cancels.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.models.register import HoldingVersion, ShareClass
from app.register import classes, holdings
from app.register.context import CommandContext
from app.register.errors import InvalidInput
from app.register.holders import require_active_holder
from app.register.limits import require_quantity
from app.register.projection import Applied
from app.register.ratios import decimal_text
from app.register.requests import CancelShares, Consideration, RedeemShares, RepurchaseShares

CONSIDERATION_TYPES = ("cash", "products_or_services")


@dataclass(frozen=True)
class Removal:
    """What a cancellation, repurchase or redemption recorded, and the holding it left."""

    entry: Applied
    holding: HoldingVersion
    share_class: ShareClass


def money_text(amount: Any, field: str) -> str:
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise InvalidInput("an amount of money is a finite number, not negative", field=field)
    return decimal_text(value)


def cancel_shares(ctx: CommandContext, request: CancelShares) -> Removal:
    """Cancel a holder's shares (forfeiture, a court-approved reduction of capital, ...)."""
    if not request.reason:
        raise InvalidInput("give the reason for the cancellation", field="reason")
    return _remove(ctx, "shares.cancelled", request, {"reason": request.reason})


def repurchase_shares(ctx: CommandContext, request: RepurchaseShares) -> Removal:
    """The company buys a holder's shares back and cancels them."""
    extra = {
        "price_per_share": money_text(request.price_per_share, "price_per_share"),
        "currency": request.currency,
    }
    return _remove(ctx, "shares.repurchased", request, extra)


def redeem_shares(ctx: CommandContext, request: RedeemShares) -> Removal:
    """Redeem a holder's shares for cash, or for the company's products or services (a
    brewery's shares redeemed for beer, say): then the description is what counts and a money
    value is optional."""
    extra = {"consideration": _consideration(request.consideration)}
    return _remove(ctx, "shares.redeemed", request, extra)


def _consideration(consideration: Consideration) -> dict[str, Any]:
    kind, amount, currency = consideration.type, consideration.amount, consideration.currency
    description = consideration.description
    if kind not in CONSIDERATION_TYPES:
        raise InvalidInput(
            f"the consideration's type is one of {', '.join(CONSIDERATION_TYPES)}",
            field="consideration",
        )
    if kind == "cash" and amount is None:
        raise InvalidInput("a cash redemption needs an amount and currency", field="consideration")
    if kind == "products_or_services" and not description:
        raise InvalidInput(
            "describe the products or services given for the shares", field="consideration"
        )
    if (amount is None) != (currency is None):
        raise InvalidInput("an amount goes with its currency", field="consideration")
    data: dict[str, Any] = {"type": kind}
    if amount is not None:
        data["amount"] = money_text(amount, "consideration")
        data["currency"] = currency
    if description:
        data["description"] = description
    return data


def _remove(
    ctx: CommandContext,
    kind: str,
    request: CancelShares | RepurchaseShares | RedeemShares,
    extra: dict[str, Any],
) -> Removal:
    code, holder_id, quantity = request.class_code, request.holder_id, request.quantity
    require_quantity(quantity)
    session, issuer_id = ctx.session, ctx.issuer_id
    share_class = classes.get_class(session, issuer_id, code)
    require_active_holder(session, issuer_id, holder_id)
    holdings.require_available(session, issuer_id, code, holder_id, quantity)
    data = {"class": code, "holder_id": holder_id, "quantity": str(quantity), **extra}
    entry = ctx.record(kind, data)
    holding = holdings.current(session, issuer_id, code, holder_id)
    return Removal(entry=entry, holding=holding, share_class=share_class)


def apply_shares_removed(session: Session, entry: Applied) -> None:
    quantity = int(entry.data["quantity"])
    code = entry.data["class"]
    holdings.change(session, entry, code, entry.data["holder_id"], held=-quantity)
    classes.change_issued(session, entry, code, -quantity)
