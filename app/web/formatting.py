"""How pages show numbers: whole numbers with thousands separators, everywhere."""

from __future__ import annotations

from decimal import Decimal

from flask import Flask


def thousands(value: str | int | None) -> str:
    """A whole number with separators ("2966400" -> "2,966,400"); None shows as a dash."""
    if value is None:
        return "–"
    return f"{int(value):,}"


def money(amount: str | Decimal | None, digits: int) -> str:
    """An amount with separators and exactly the currency's minor-unit digits ("1234.5", 2
    -> "1,234.50"); None shows as a dash."""
    if amount is None:
        return "–"
    return f"{Decimal(amount):,.{digits}f}"


def decimal(value: str | Decimal | None) -> str:
    """A decimal with separators and without trailing zeros ("1234.1250" -> "1,234.125")."""
    if value is None:
        return "–"
    return f"{Decimal(value).normalize():,f}"


def register_filters(app: Flask) -> None:
    app.add_template_filter(thousands)
    app.add_template_filter(money)
    app.add_template_filter(decimal)
