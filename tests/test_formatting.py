from __future__ import annotations

from decimal import Decimal

import pytest

from app.web.formatting import money, thousands


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2966400, "2,966,400"),
        ("2966400", "2,966,400"),
        (0, "0"),
        (-1500, "-1,500"),
        (Decimal("12500.00"), "12,500.00"),
        ("1234567.891", "1,234,567.891"),
        (None, "–"),
    ],
)
def test_numbers_get_separators_and_keep_their_digits(value, shown):
    assert thousands(value) == shown


@pytest.mark.parametrize("value", [1.5, True, "one", "1e"])
def test_what_is_not_a_whole_number_or_a_decimal_is_refused(value):
    with pytest.raises((TypeError, ValueError)):
        thousands(value)


@pytest.mark.parametrize(
    ("amount", "digits", "shown"),
    [
        ("1234.5", 2, "1,234.50"),
        ("1234", 0, "1,234"),
        (Decimal("0.125"), 2, "0.125"),  # finer than a cent: shown whole, never rounded
        (None, 2, "–"),
    ],
)
def test_money_shows_minor_units_and_never_rounds(amount, digits, shown):
    assert money(amount, digits) == shown
