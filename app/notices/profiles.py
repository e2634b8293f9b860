"""Disclosure profiles: which shares of the voting rights a holder must disclose reaching or
leaving, by regime. Pure arithmetic, no database.

- `eu`: the Transparency Directive (2004/109/EC art. 9): 5, 10, 15, 20, 25, 30, 50 and 75%.
- `uk`: the FCA's DTR 5.1.2: 3% and every 1% above it.
- `cn`: the PRC Securities Law (art. 63): a report at 5% and at every 5% after it, and a
  change notice at every 1% in between.
- `us`: Exchange Act s13(d) at 5%, and 10% (s16 insiders).

A share of votes is an exact fraction. Every threshold is a whole percentage, so a share
`votes/total` has reached threshold t exactly when t <= floor(100 * votes / total): crossings
are found with integer arithmetic, with no rounding anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

SUBSTANTIAL = "substantial"  # a substantial-holding notice (or report)
CHANGE = "change"  # cn: a change notice at a 1% step between two reporting thresholds
PERCENT_PLACES = 4
_PERCENT_SCALE = 100 * 10**PERCENT_PLACES
UP, DOWN = "up", "down"


@dataclass(frozen=True)
class Threshold:
    percent: int  # a whole percentage of all voting rights
    category: str  # SUBSTANTIAL or CHANGE

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.percent, 100)

    @property
    def text(self) -> str:
        return str(self.percent)


@dataclass(frozen=True)
class Crossing:
    """The thresholds one holder's share of votes crossed in one command, in the order crossed
    (rising: lowest first; falling: highest first)."""

    direction: str  # UP or DOWN
    thresholds: tuple[Threshold, ...]

    @property
    def threshold(self) -> Threshold:
        """The one that matters: the highest reached going up, the lowest left going down."""
        return self.thresholds[-1]

    @property
    def category(self) -> str:
        """SUBSTANTIAL if any threshold crossed calls for a substantial-holding notice."""
        categories = {threshold.category for threshold in self.thresholds}
        return SUBSTANTIAL if SUBSTANTIAL in categories else CHANGE


@dataclass(frozen=True)
class Profile:
    name: str
    label: str
    summary: str  # the thresholds in words
    thresholds: tuple[Threshold, ...]  # ascending

    def crossing_between(self, level_before: int, level_after: int) -> Crossing | None:
        """The crossing from one whole-percent level (see `percent_level`) to another."""
        if level_after > level_before:
            crossed = [t for t in self.thresholds if level_before < t.percent <= level_after]
            return Crossing(UP, tuple(crossed)) if crossed else None
        if level_after < level_before:
            crossed = [t for t in self.thresholds if level_after < t.percent <= level_before]
            return Crossing(DOWN, tuple(reversed(crossed))) if crossed else None
        return None

    def crossing(self, before: Fraction, after: Fraction) -> Crossing | None:
        """The crossing from one share of votes to another (fractions of 1)."""
        return self.crossing_between(_level(before), _level(after))


def _level(share: Fraction) -> int:
    return (share.numerator * 100) // share.denominator


def percent_level(votes: int, total: int) -> int:
    """floor(100 * votes / total): the highest whole percentage the share has reached."""
    return (votes * 100) // total if total else 0


def percent_text(votes: int, total: int) -> str:
    """The share as a percentage with four decimals, truncated, never rounded up, so that a
    share just below a threshold never reads as the threshold ("24.9999", not "25.0000")."""
    scaled = (votes * _PERCENT_SCALE) // total if total else 0
    whole, decimals = divmod(scaled, 10**PERCENT_PLACES)
    return f"{whole}.{decimals:0{PERCENT_PLACES}d}"


def _substantial(*percents: int) -> tuple[Threshold, ...]:
    return tuple(Threshold(percent, SUBSTANTIAL) for percent in percents)


PROFILES: dict[str, Profile] = {
    profile.name: profile
    for profile in (
        Profile(
            "eu",
            "EU Transparency Directive",
            "5, 10, 15, 20, 25, 30, 50 and 75% of the votes",
            _substantial(5, 10, 15, 20, 25, 30, 50, 75),
        ),
        Profile(
            "uk", "UK DTR 5", "3% of the votes and every 1% above", _substantial(*range(3, 101))
        ),
        Profile(
            "cn",
            "PRC Securities Law",
            "5% of the votes and every 5% above; a change notice at every 1% between",
            tuple(
                Threshold(percent, SUBSTANTIAL if percent % 5 == 0 else CHANGE)
                for percent in range(5, 101)
            ),
        ),
        Profile("us", "US Exchange Act 13(d)", "5 and 10% of the votes", _substantial(5, 10)),
        # A company no substantial-holding regime applies to (one not admitted to a market):
        # no notices are written; persons with significant control are still shown.
        Profile("none", "No substantial-holding notices", "no thresholds", ()),
    )
}
PROFILE_NAMES = tuple(PROFILES)
_BY_COUNTRY = {"GB": "uk", "CN": "cn", "US": "us"}
DEFAULT_PROFILE = "eu"  # the EU's and EEA's regime, and the default everywhere else


def default_profile(jurisdiction: str) -> Profile:
    """The profile a jurisdiction ("GB", "US-DE", ...) uses unless the issuer sets another."""
    country = jurisdiction[:2].upper()
    return PROFILES[_BY_COUNTRY.get(country, DEFAULT_PROFILE)]


def effective_profile(disclosure_profile: str, jurisdiction: str) -> Profile:
    """The issuer's profile: the one it set, else its jurisdiction's. Values from before the
    four profiles existed ("standard", "otc", "crowdfunding") name no regime: they mean the
    jurisdiction's default."""
    return PROFILES.get(disclosure_profile) or default_profile(jurisdiction)
