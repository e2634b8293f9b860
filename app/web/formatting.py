"""How pages show numbers: whole numbers with thousands separators, everywhere."""

from __future__ import annotations

from flask import Flask


def thousands(value: str | int | None) -> str:
    """A whole number with separators ("2966400" -> "2,966,400"); None shows as a dash."""
    if value is None:
        return "–"
    return f"{int(value):,}"


def register_filters(app: Flask) -> None:
    app.add_template_filter(thousands)
