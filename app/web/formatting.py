"""How pages show numbers: whole numbers with thousands separators, everywhere."""

from __future__ import annotations

from datetime import datetime

from flask import Flask


def thousands(value: str | int | None) -> str:
    """A whole number with separators ("2966400" -> "2,966,400"); None shows as a dash."""
    if value is None:
        return "–"
    return f"{int(value):,}"


def moment(value: datetime | None) -> str:
    """A UTC time as people read it ("6 Dec 2026, 21:45 UTC"), not as an ISO string."""
    if value is None:
        return "–"
    return f"{value.day} {value:%b %Y, %H:%M} UTC"


def register_filters(app: Flask) -> None:
    app.add_template_filter(thousands)
    app.add_template_filter(moment)
