"""Ratio and rounding arithmetic for conversions, splits and consolidations.

Pure functions on integers, `Fraction` and `Decimal`: no floats, no database. Commands use them
to compute a change once; the entry records the result and the appliers apply it. Only the
applier of a split or consolidation entry written before entries carried each holding's result
works the holdings out again, with these same functions.

A ratio "new:old" means `new` resulting shares for every `old` shares: a split "2:1", a
consolidation "1:10", a conversion "3:1" (three shares of the new class for each one converted).

Fraction policies:
- `round_down_cash_in_lieu`: each holder gets the whole shares below their exact entitlement and
  is paid cash for the leftover fraction, at a price per RESULTING whole share (the price the
  company gives for a whole new share, the usual way a board resolution states it).
- `round_half_up`: each holder's entitlement is rounded to the nearest whole share, halves up;
  nothing is paid, so a holder can gain or lose up to half a share.

Encumbrances (frozen, each pledge, reserved) always scale DOWN, whatever the policy: since
frozen + pledges + reserved <= held, the sum of their floors is at most floor(held x ratio), which
is at most the new held under either policy, so `available` can never become negative.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import floor, gcd

ROUND_DOWN_CASH_IN_LIEU = "round_down_cash_in_lieu"
ROUND_HALF_UP = "round_half_up"
FRACTION_POLICIES = (ROUND_DOWN_CASH_IN_LIEU, ROUND_HALF_UP)

# Bounding each term keeps every leftover fraction (a multiple of 1/old) at least 1e-9, so the
# FRACTION_PLACES digits recorded for it are never all zero.
MAX_TERM = 10**9
FRACTION_PLACES = 12
# Cash is rounded to the cent at least, or to as many places as the price was given in.
MIN_CASH_PLACES = 2

# Also the API schema's pattern, so the published OpenAPI document states the form.
RATIO_PATTERN = r"^([1-9][0-9]*):([1-9][0-9]*)$"
_RATIO = re.compile(RATIO_PATTERN)


class RatioError(ValueError):
    """A ratio that is malformed or makes no change."""


@dataclass(frozen=True)
class Ratio:
    new: int
    old: int

    def __str__(self) -> str:
        return f"{self.new}:{self.old}"

    @property
    def factor(self) -> Fraction:
        return Fraction(self.new, self.old)


def parse_ratio(text: str, *, allow_unchanged: bool = False) -> Ratio:
    """Parse "new:old" (positive integers, ASCII digits, no signs or spaces) in lowest terms.
    A ratio that changes nothing (1:1, 3:3) is refused unless `allow_unchanged`: it is a
    valid conversion ratio but a meaningless split."""
    match = _RATIO.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise RatioError('write the ratio as "new:old" with positive whole numbers, e.g. "2:1"')
    new, old = int(match[1]), int(match[2])
    if new > MAX_TERM or old > MAX_TERM:
        raise RatioError(f"each side of the ratio must be at most {MAX_TERM}")
    divisor = gcd(new, old)
    ratio = Ratio(new // divisor, old // divisor)
    if ratio.new == ratio.old and not allow_unchanged:
        raise RatioError("a 1:1 ratio changes nothing")
    return ratio


@dataclass(frozen=True)
class Allotment:
    """Whole shares allotted for a quantity, and what rounding left over: `exact - whole`, in
    [0, 1) when rounding down, in [-1/2, 1/2) when rounding half up."""

    whole: int
    leftover: Fraction


def exact(quantity: int, ratio: Ratio) -> Fraction:
    return quantity * ratio.factor


def scale_down(quantity: int, ratio: Ratio) -> int:
    return floor(exact(quantity, ratio))


def allot(quantity: int, ratio: Ratio, policy: str) -> Allotment:
    entitlement = exact(quantity, ratio)
    if policy == ROUND_DOWN_CASH_IN_LIEU:
        whole = floor(entitlement)
    elif policy == ROUND_HALF_UP:
        whole = floor(entitlement + Fraction(1, 2))
    else:
        raise ValueError(f"unknown fraction policy {policy!r}")
    return Allotment(whole=whole, leftover=entitlement - whole)


@dataclass(frozen=True)
class ScaledHolding:
    held: int
    frozen: int
    pledges: tuple[int, ...]
    reserved: int
    leftover: Fraction

    @property
    def pledged(self) -> int:
        return sum(self.pledges)

    @property
    def available(self) -> int:
        return self.held - self.frozen - self.pledged - self.reserved


def scale_holding(
    held: int,
    frozen: int,
    reserved: int,
    pledges: Sequence[int],
    ratio: Ratio,
    policy: str,
) -> ScaledHolding:
    """A whole holding after a split or consolidation: held by the policy, encumbrances down.
    Each pledge scales on its own (a pledge is released whole, by its own quantity), so the
    pledged total becomes the sum of the scaled pledges."""
    allotment = allot(held, ratio, policy)
    return ScaledHolding(
        held=allotment.whole,
        frozen=scale_down(frozen, ratio),
        pledges=tuple(scale_down(pledge, ratio) for pledge in pledges),
        reserved=scale_down(reserved, ratio),
        leftover=allotment.leftover,
    )


def _decimal(units: int, places: int) -> Decimal:
    # From text, so that no Decimal context can round a long number.
    return Decimal(f"{units}E-{places}")


def _round_half_up(value: Fraction, places: int) -> Decimal:
    return _decimal(floor(value * 10**places + Fraction(1, 2)), places)


def cash_places(price: Decimal) -> int:
    exponent = price.as_tuple().exponent
    return max(MIN_CASH_PLACES, -exponent if isinstance(exponent, int) else 0)


def cash_in_lieu(leftover: Fraction, price_per_resulting_share: Decimal) -> Decimal:
    """Cash for a leftover fraction of a resulting share, rounded half up to the cent (or to
    the price's own precision when finer)."""
    exact_cash = leftover * Fraction(price_per_resulting_share)
    return _round_half_up(exact_cash, cash_places(price_per_resulting_share))


def fraction_text(leftover: Fraction) -> str:
    """A fraction of a share as a decimal string, cut (not rounded) to FRACTION_PLACES when it
    does not terminate: 1/4 -> "0.25", 1/3 -> "0.333333333333"."""
    text = decimal_text(_decimal(floor(leftover * 10**FRACTION_PLACES), FRACTION_PLACES))
    return text.rstrip("0").rstrip(".") if "." in text else text


def decimal_text(value: Decimal) -> str:
    """Fixed-point text as the log carries money: never an exponent ("1E+3" -> "1000"), the
    places as given ("1.50" stays "1.50")."""
    return format(value, "f")
