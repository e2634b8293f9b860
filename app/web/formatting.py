"""How pages show numbers (with thousands separators, everywhere, never rounded) and times."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from flask import Flask


def thousands(value: str | int | Decimal | None) -> str:
    """A number with separators ("2966400" -> "2,966,400", "12500.00" -> "12,500.00"); a
    decimal keeps every digit it was given (a price is not rounded for show); None shows as
    a dash. Floats are refused: amounts in this service are never binary fractions."""
    if value is None:
        return "–"
    if isinstance(value, bool | float):
        raise TypeError(f"not a whole number or a decimal: {value!r}")
    if isinstance(value, int):
        return f"{value:,}"
    try:
        number = Decimal(value)
    except InvalidOperation as error:
        raise ValueError(f"not a number: {value!r}") from error
    return f"{number:,}"


def moment(value: datetime | None) -> str:
    """A UTC time as people read it ("6 Dec 2026, 21:45 UTC"), not as an ISO string."""
    if value is None:
        return "–"
    return f"{value.day} {value:%b %Y, %H:%M} UTC"


def money(amount: str | Decimal | None, digits: int) -> str:
    """An amount with separators and the currency's minor-unit digits ("1234.5", 2 ->
    "1,234.50"); an amount finer than the minor unit keeps all its digits rather than be
    rounded for show. None shows as a dash."""
    if amount is None:
        return "–"
    number = Decimal(amount)
    if number != number.quantize(Decimal(1).scaleb(-digits)):
        return f"{number:,}"
    return f"{number:,.{digits}f}"


def decimal(value: str | Decimal | None) -> str:
    """A decimal with separators and without trailing zeros ("1234.1250" -> "1,234.125")."""
    if value is None:
        return "–"
    return f"{Decimal(value).normalize():,f}"


def register_filters(app: Flask) -> None:
    app.add_template_filter(thousands)
    app.add_template_filter(moment)
    app.add_template_filter(money)
    app.add_template_filter(decimal)
