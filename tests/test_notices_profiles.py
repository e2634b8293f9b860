"""The disclosure profiles' arithmetic, without a database."""

from __future__ import annotations

from fractions import Fraction

import pytest

from app.notices.profiles import (
    PROFILES,
    default_profile,
    effective_profile,
    percent_level,
    percent_text,
)


@pytest.mark.parametrize(
    ("jurisdiction", "profile"),
    [("GB", "uk"), ("GB-SCT", "uk"), ("CN", "cn"), ("US-DE", "us"), ("DE", "eu"), ("NO", "eu"),
     ("JP", "eu")],
)  # fmt: skip
def test_the_default_profile_follows_the_jurisdiction(jurisdiction, profile):
    assert default_profile(jurisdiction).name == profile


def test_a_set_profile_wins_and_a_legacy_value_means_the_default():
    assert effective_profile("us", "GB").name == "us"
    for legacy in ("standard", "otc", "crowdfunding"):
        assert effective_profile(legacy, "CN").name == "cn"


def test_thresholds_compare_exactly():
    eu = PROFILES["eu"]
    just_below = Fraction(1, 4) - Fraction(1, 10**30)
    assert eu.crossing(Fraction(0), just_below).threshold.percent == 20
    assert eu.crossing(just_below, Fraction(1, 4)).thresholds[0].percent == 25
    assert eu.crossing(Fraction(1, 4), just_below).direction == "down"
    assert eu.crossing(Fraction(26, 100), Fraction(29, 100)) is None
    assert percent_level(1, 3) == 33 and percent_level(0, 0) == 0


def test_falling_crosses_highest_first_and_the_lowest_is_the_one_that_matters():
    crossing = PROFILES["us"].crossing(Fraction(11, 100), Fraction(4, 100))
    assert [t.percent for t in crossing.thresholds] == [10, 5]
    assert crossing.threshold.percent == 5


def test_cn_change_notices_and_reports():
    cn = PROFILES["cn"]
    assert cn.crossing(Fraction(5, 100), Fraction(6, 100)).category == "change"
    assert cn.crossing(Fraction(9, 100), Fraction(10, 100)).category == "substantial"
    assert cn.crossing(Fraction(4, 100), Fraction(5, 100)).category == "substantial"


def test_percentages_are_truncated_to_four_places():
    assert percent_text(249_999_9, 10**7) == "24.9999"
    assert percent_text(1, 3) == "33.3333"
    assert percent_text(2, 3) == "66.6666"
    assert percent_text(0, 0) == "0.0000"
    assert percent_text(5, 5) == "100.0000"
