"""Secondary trading for the demonstration registers: varied sizes and prices, lodged as
executed instruments of transfer through the real command."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from app.register import holders, transfers
from app.register.requests import Allocation, CeaseHolder, LodgeTransfer

PENNY = Decimal("0.01")
# Runs one command `days` after the previous one: the demo's _submit.
Submit = Callable[..., object]


def spread(rng: random.Random, low: int, high: int, step: int) -> int:
    """A size between low and high, log-uniform (many small, a few large), in steps."""
    return max(low, round(math.exp(rng.uniform(math.log(low), math.log(high))) / step) * step)


class Market:
    """Secondary trades on one class at varied sizes and prices, each lodged as an executed
    instrument of transfer; it keeps the holdings so that no seller sells what they lack."""

    def __init__(self, submit: Submit, issuer_id: str, currency: str, prefix: str) -> None:
        self.submit = submit
        self.issuer_id = issuer_id
        self.currency = currency
        self.prefix = prefix
        self.held: Counter[str] = Counter()
        self.count = 0

    def allotted(self, allocations: list[Allocation]) -> None:
        for allocation in allocations:
            self.held[allocation.holder_id] += allocation.quantity

    def trade(self, days: float, seller: str, buyer: str, quantity: int, price: Decimal) -> None:
        quantity = min(quantity, self.held[seller])
        self.count += 1
        self.submit(days, self.issuer_id, transfers.lodge_transfer, LodgeTransfer(
            class_code="ORD", from_holder_id=seller, to_holder_id=buyer, quantity=quantity,
            instrument_reference=f"{self.prefix}-{self.count:04d}",
            consideration=(quantity * price).quantize(PENNY), currency=self.currency,
        ))  # fmt: skip
        self.held[seller] -= quantity
        self.held[buyer] += quantity

    def random_trades(
        self, rng: random.Random, traders: list[str], count: int, prices: tuple[str, str]
    ) -> None:
        low, high = (Decimal(price) for price in prices)
        for _ in range(count):
            seller = rng.choice([holder for holder in traders if self.held[holder] > 100])
            buyer = rng.choice([holder for holder in traders if holder != seller])
            size = spread(rng, 100, max(100, self.held[seller] // 2), 10)
            price = (low + (high - low) * Decimal(rng.random())).quantize(PENNY)
            self.trade(rng.uniform(1.2, 4.5), seller, buyer, size, price)

    def sell_out_and_cease(self, days: float, seller: str, buyer: str, price: Decimal) -> None:
        """A member sells everything and leaves the register."""
        self.trade(days, seller, buyer, self.held[seller], price)
        self.submit(0.2, self.issuer_id, holders.cease_holder, CeaseHolder(seller))
