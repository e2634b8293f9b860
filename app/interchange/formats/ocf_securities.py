"""The pieces every OCF transaction is made of: ids, numbers, money, issuances, and the OCF
securities each holder holds.

OCF names shares by *security*: an issuance creates one, and a transfer, cancellation or
repurchase consumes one whole, any remainder becoming a new "balance" security issued to the same
holder. The register keeps one fungible holding per class and holder. The export bridges the two
by tracking each holder's open securities and consuming them oldest first (FIFO): its memory
grows with the number of open securities, about one per holder.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

NUMERIC_PLACES = 10  # OCF's Numeric type allows at most ten decimal places
INDEX_DIGITS = 12  # transactions replay in (date, id) order: ids sort as the log does


def tx_id(index: int) -> str:
    """The id of the (first) transaction of the log entry at `index`."""
    return f"TX-{index:0{INDEX_DIGITS}d}"


def numeric(value: Any) -> str:
    """A decimal as OCF's fixed-point Numeric string."""
    number = Decimal(value)
    if number.as_tuple().exponent < -NUMERIC_PLACES:
        number = number.quantize(Decimal(1).scaleb(-NUMERIC_PLACES))
    return format(number, "f")


def money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": numeric(amount), "currency": currency}


def issuance_item(
    transaction_id: str,
    security_id: str,
    date: str,
    code: str,
    holder_id: str,
    quantity: int,
    price: dict[str, str],
    comment: str | None = None,
) -> dict[str, Any]:
    item = {
        "object_type": "TX_STOCK_ISSUANCE",
        "id": transaction_id,
        "security_id": security_id,
        "custom_id": security_id,
        "date": date,
        "stakeholder_id": holder_id,
        "stock_class_id": code,
        "quantity": str(quantity),
        "share_price": price,
        "stock_legend_ids": [],
        "security_law_exemptions": [],
    }
    if comment:
        item["comments"] = [comment]
    return item


class Securities:
    """The OCF securities each holder holds in each class, oldest first."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], list[tuple[str, int]]] = {}

    def add(self, code: str, holder_id: str, security_id: str, quantity: int) -> None:
        self._open.setdefault((code, holder_id), []).append((security_id, quantity))

    def keep_first(self, code: str, holder_id: str, security_id: str, quantity: int) -> None:
        self._open.setdefault((code, holder_id), []).insert(0, (security_id, quantity))

    def of_class(self, code: str) -> list[tuple[str, list[tuple[str, int]]]]:
        """Each holder of the class (in holder_id order) with their open securities."""
        return sorted(
            (holder_id, list(securities))
            for (held_code, holder_id), securities in self._open.items()
            if held_code == code
        )

    def replace(self, code: str, holder_id: str, securities: list[tuple[str, int]]) -> None:
        kept = [(security_id, quantity) for security_id, quantity in securities if quantity]
        if kept:
            self._open[(code, holder_id)] = kept
        else:
            self._open.pop((code, holder_id), None)

    def take(self, code: str, holder_id: str, quantity: int) -> tuple[list[tuple[str, int]], int]:
        """Consume `quantity` oldest first: [(security_id, its quantity)], and how much no
        security covered (only if entries this export skips changed the holding)."""
        key = (code, holder_id)
        securities = self._open.get(key, [])
        taken = []
        while quantity > 0 and securities:
            security_id, held = securities.pop(0)
            taken.append((security_id, held))
            quantity -= held
        if not securities:
            self._open.pop(key, None)
        return taken, max(quantity, 0)
