"""Pro-rata allocation in whole shares, by largest remainder (Hamilton's method).

Published rule: each holder's exact share is `quantity * holding / total`. Each first gets the
whole part of it; the shares left over (fewer than the number of holders) go one each to the
largest fractional parts. Ties go to the larger holding, then to the smaller holder id (plain
string order), so the result depends only on the inputs, never on their order. The parts are
never negative, sum to `quantity` exactly, and none exceeds its exact share rounded up.
"""

from __future__ import annotations

from collections.abc import Mapping

RULE = "largest_remainder; ties: larger holding, then smaller holder id"


def allocate(quantity: int, holdings: Mapping[str, int]) -> dict[str, int]:
    """Split `quantity` whole shares between holders in proportion to their holdings."""
    if quantity < 0:
        raise ValueError("cannot allocate a negative quantity")
    if any(holding < 0 for holding in holdings.values()):
        raise ValueError("holdings cannot be negative")
    total = sum(holdings.values())
    if total == 0:
        if quantity:
            raise ValueError("nothing to allocate in proportion to")
        return dict.fromkeys(holdings, 0)
    parts: dict[str, int] = {}
    remainders: dict[str, int] = {}
    for holder_id, holding in holdings.items():
        parts[holder_id], remainders[holder_id] = divmod(quantity * holding, total)
    left = quantity - sum(parts.values())
    order = sorted(holdings, key=lambda holder: (-remainders[holder], -holdings[holder], holder))
    for holder_id in order[:left]:
        parts[holder_id] += 1
    return parts
