"""The ratio and rounding arithmetic behind conversions, splits and consolidations."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.register.ratios import (
    FRACTION_PLACES,
    MAX_TERM,
    ROUND_DOWN_CASH_IN_LIEU,
    ROUND_HALF_UP,
    Ratio,
    RatioError,
    allot,
    cash_in_lieu,
    decimal_text,
    exact,
    fraction_text,
    parse_ratio,
    scale_holding,
)

terms = st.integers(min_value=1, max_value=1000)
ratios = st.builds(Ratio, terms, terms).filter(lambda ratio: ratio.new != ratio.old)
policies = st.sampled_from([ROUND_DOWN_CASH_IN_LIEU, ROUND_HALF_UP])
quantities = st.integers(min_value=0, max_value=10**15)
prices = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2:1", Ratio(2, 1)), ("1:10", Ratio(1, 10)), ("4:2", Ratio(2, 1)), ("3:2", Ratio(3, 2))],
)
def test_ratios_parse_to_lowest_terms(text, expected):
    assert parse_ratio(text) == expected
    assert str(parse_ratio(text)) == str(expected)


@pytest.mark.parametrize(
    "text",
    ["", "2", "2:", ":1", "0:1", "1:0", "-1:2", "2:-1", "1.5:1", "2:1:1", " 2:1", "2 :1", "+2:1",
     "02:1", "a:b", "２:1", "2/1", f"{MAX_TERM + 1}:1", "1:1", "3:3", None, 2],
)  # fmt: skip
def test_malformed_or_unchanging_ratios_are_refused(text):
    with pytest.raises(RatioError):
        parse_ratio(text)


def test_a_conversion_may_be_one_for_one():
    assert parse_ratio("1:1", allow_unchanged=True) == Ratio(1, 1)
    assert parse_ratio("5:5", allow_unchanged=True) == Ratio(1, 1)


@given(ratios)
def test_parsing_reads_back_what_it_writes(ratio):
    parsed = parse_ratio(str(ratio))
    assert parsed.factor == ratio.factor
    assert parse_ratio(str(parsed)) == parsed


@given(quantities, ratios)
def test_round_down_never_allots_more_than_the_exact_product(quantity, ratio):
    allotment = allot(quantity, ratio, ROUND_DOWN_CASH_IN_LIEU)
    assert allotment.whole <= exact(quantity, ratio) < allotment.whole + 1
    assert 0 <= allotment.leftover < 1
    assert allotment.whole + allotment.leftover == exact(quantity, ratio)


@given(quantities, ratios)
def test_round_half_up_is_within_half_a_share(quantity, ratio):
    allotment = allot(quantity, ratio, ROUND_HALF_UP)
    assert -Fraction(1, 2) <= allotment.leftover < Fraction(1, 2)
    assert allotment.whole + allotment.leftover == exact(quantity, ratio)


@given(st.lists(quantities, max_size=50), ratios)
def test_fractions_over_a_register_are_bounded(holdings, ratio):
    allotments = [allot(quantity, ratio, ROUND_DOWN_CASH_IN_LIEU) for quantity in holdings]
    total_exact = exact(sum(holdings), ratio)
    total_whole = sum(allotment.whole for allotment in allotments)
    total_leftover = sum(allotment.leftover for allotment in allotments)
    assert total_whole + total_leftover == total_exact
    assert total_whole <= total_exact
    assert 0 <= total_leftover < max(len(holdings), 1)
    # Every leftover is a whole number of 1/old shares.
    assert all((allotment.leftover * ratio.old).denominator == 1 for allotment in allotments)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=100))
def test_a_split_then_the_opposite_consolidation_restores_every_holding(quantity, factor):
    for policy in (ROUND_DOWN_CASH_IN_LIEU, ROUND_HALF_UP):
        split = allot(quantity, Ratio(factor, 1), policy)
        assert split.leftover == 0
        assert allot(split.whole, Ratio(1, factor), policy).whole == quantity


@st.composite
def encumbered_holdings(draw):
    """A holding with frozen + pledges + reserved <= held, the pledges in several parts."""
    held = draw(st.integers(min_value=0, max_value=10**9))
    parts = draw(st.lists(st.integers(min_value=0, max_value=held), min_size=2, max_size=6))
    parts = sorted(parts)
    # Cut [0, held] at the drawn points: consecutive pieces never add up to more than held.
    pieces = [b - a for a, b in pairwise([0, *parts])]
    frozen, reserved, *pledges = pieces
    return held, frozen, reserved, pledges


@given(encumbered_holdings(), ratios, policies)
def test_scaling_never_leaves_available_negative(holding, ratio, policy):
    held, frozen, reserved, pledges = holding
    scaled = scale_holding(held, frozen, reserved, pledges, ratio, policy)
    assert scaled.available >= 0
    assert all(part >= 0 for part in (scaled.frozen, scaled.reserved, *scaled.pledges))
    assert scaled.frozen <= exact(frozen, ratio)
    assert scaled.reserved <= exact(reserved, ratio)
    assert all(new <= exact(old, ratio) for new, old in zip(scaled.pledges, pledges, strict=True))
    assert scaled.held == allot(held, ratio, policy).whole


def test_fully_encumbered_shares_stay_fully_encumbered_on_an_exact_split():
    scaled = scale_holding(10, 4, 1, [2, 3], Ratio(3, 1), ROUND_HALF_UP)
    assert (scaled.held, scaled.frozen, scaled.reserved, scaled.pledges) == (30, 12, 3, (6, 9))
    assert scaled.available == 0


def test_rounding_half_up_can_leave_encumbrances_below_held():
    # 15 frozen of 15 at 1:10: held rounds up to 2, frozen down to 1.
    scaled = scale_holding(15, 15, 0, [], Ratio(1, 10), ROUND_HALF_UP)
    assert (scaled.held, scaled.frozen, scaled.available) == (2, 1, 1)


@given(st.fractions(min_value=0, max_value=1).filter(lambda f: f < 1), prices)
def test_cash_in_lieu_is_the_fraction_of_the_price_to_the_cent(leftover, price):
    cash = cash_in_lieu(leftover, price)
    places = max(2, -price.as_tuple().exponent)
    assert cash.as_tuple().exponent == -places
    assert abs(Fraction(cash) - leftover * Fraction(price)) <= Fraction(1, 2 * 10**places)
    assert 0 <= cash <= price


@pytest.mark.parametrize(
    ("leftover", "price", "cash"),
    [
        (Fraction(1, 3), "1.00", "0.33"),
        (Fraction(2, 3), "1.00", "0.67"),
        (Fraction(1, 2), "0.05", "0.03"),  # 0.025 rounds half up
        (Fraction(1, 3), "1.2345", "0.4115"),  # finer price, finer cash
        (Fraction(1, 2), "1E+3", "500.00"),
    ],
)
def test_cash_in_lieu_examples(leftover, price, cash):
    assert decimal_text(cash_in_lieu(leftover, Decimal(price))) == cash


@pytest.mark.parametrize(
    ("leftover", "text"),
    [
        (Fraction(1, 4), "0.25"),
        (Fraction(1, 3), "0.333333333333"),
        (Fraction(2, 3), "0.666666666666"),  # cut, not rounded
        (Fraction(1, MAX_TERM), "0.000000001"),
        (Fraction(0), "0"),
    ],
)
def test_fractions_are_written_as_decimal_text(leftover, text):
    assert fraction_text(leftover) == text


@given(st.integers(min_value=1, max_value=MAX_TERM), st.data())
def test_no_recordable_fraction_reads_as_zero(old, data):
    numerator = data.draw(st.integers(min_value=1, max_value=old))
    text = fraction_text(Fraction(numerator, old))
    assert Decimal(text) > 0
    assert len(text.split(".")[-1]) <= FRACTION_PLACES


def test_money_is_written_without_exponents():
    assert decimal_text(Decimal("1E+3")) == "1000"
    assert decimal_text(Decimal("1.50")) == "1.50"
