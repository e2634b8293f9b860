"""Terms of a conversion, split or consolidation: the ratio, the fraction policy, and the cash
paid in lieu of fractions; checked once from a request, read back from an entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy.orm import Session

from app.models.register import FractionSettlement
from app.register.capital import money_text
from app.register.errors import InvalidInput
from app.register.projection import Applied
from app.register.ratios import (
    FRACTION_POLICIES,
    ROUND_DOWN_CASH_IN_LIEU,
    Ratio,
    RatioError,
    cash_in_lieu,
    decimal_text,
    parse_ratio,
)
from app.register.requests import FractionTerms


@dataclass(frozen=True)
class CashTerms:
    """Cash in lieu of fractions: a price per resulting whole share, in a currency."""

    price: Decimal
    currency: str


@dataclass(frozen=True)
class Terms:
    ratio: Ratio
    policy: str
    cash: CashTerms | None

    def log_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ratio": str(self.ratio), "fraction_policy": self.policy}
        if self.cash:
            data["cash_in_lieu_price"] = decimal_text(self.cash.price)
            data["currency"] = self.cash.currency
        return data

    def cash_for(self, leftover: Fraction) -> Decimal | None:
        return cash_in_lieu(leftover, self.cash.price) if self.cash and leftover else None


def parse_terms(request: FractionTerms, *, allow_unchanged: bool) -> Terms:
    try:
        ratio = parse_ratio(request.ratio, allow_unchanged=allow_unchanged)
    except RatioError as error:
        raise InvalidInput(str(error), field="ratio") from None
    policy = request.fraction_policy
    if policy not in FRACTION_POLICIES:
        raise InvalidInput(
            f"the fraction policy is one of {', '.join(FRACTION_POLICIES)}",
            field="fraction_policy",
        )
    price, currency = request.cash_in_lieu_price, request.currency
    if policy != ROUND_DOWN_CASH_IN_LIEU:
        if price is not None or currency is not None:
            raise InvalidInput(
                "cash in lieu is paid only under round_down_cash_in_lieu",
                field="cash_in_lieu_price",
            )
        return Terms(ratio, policy, None)
    if price is None or not currency:
        raise InvalidInput(
            "cash in lieu needs a price per resulting share and a currency",
            field="cash_in_lieu_price",
        )
    price = Decimal(money_text(price, "cash_in_lieu_price"))
    return Terms(ratio, policy, CashTerms(price, currency))


def recorded_terms(data: Mapping[str, Any]) -> Terms:
    """The terms an entry recorded (valid, since a command checked them)."""
    price = data.get("cash_in_lieu_price")
    recorded = FractionTerms(
        ratio=data["ratio"],
        fraction_policy=data["fraction_policy"],
        cash_in_lieu_price=None if price is None else Decimal(price),
        currency=data.get("currency"),
    )
    return parse_terms(recorded, allow_unchanged=True)


def settle_fraction(
    session: Session,
    entry: Applied,
    code: str,
    holder_id: str,
    fraction: str,
    cash: str,
) -> None:
    """Record the cash a command paid for a holder's fraction (as the entry states it)."""
    session.add(
        FractionSettlement(
            issuer_id=entry.issuer_id,
            log_index=entry.index,
            holder_id=holder_id,
            class_code=code,
            fraction=fraction,
            cash_amount=cash,
            currency=entry.data["currency"],
        )
    )
