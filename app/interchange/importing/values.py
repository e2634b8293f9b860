"""Checking and normalising imported values. Each checker returns the clean value or raises
`BadValue(code, message)`; the importers turn that into a problem at a line or object id."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from app.register.countries import COUNTRY_CODES
from app.register.limits import MAX_SHARES

HOLDER_TYPES = ("person", "entity")
CLASS_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,31}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DECIMAL = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")
MAX_JOINT_HOLDERS = 3
LIMITS = {"name": 200, "address": 500, "identifier": 64, "email": 254, "class_name": 200}


class BadValue(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def text(value: str | None, what: str, limit: int | None = None) -> str:
    """Trimmed, NFC-normalised text without control characters (as the API's `Text` field)."""
    cleaned = unicodedata.normalize("NFC", value or "").strip()
    if any(unicodedata.category(char) == "Cc" for char in cleaned):
        raise BadValue("control_character", f"{what} must not contain control characters")
    if limit is not None and len(cleaned) > limit:
        raise BadValue("too_long", f"{what} is longer than {limit} characters")
    return cleaned


def address(parts: Iterable[str | None]) -> str:
    """A postal address on one line: its lines (and parts) joined by ", "."""
    lines = [line.strip() for part in parts if part for line in part.splitlines()]
    return text(", ".join(line for line in lines if line), "address", LIMITS["address"])


def decimal(value: str, what: str) -> Decimal:
    if not DECIMAL.match(value):
        raise BadValue("invalid_number", f"{what} {value!r} is not a number")
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise BadValue("invalid_number", f"{what} {value!r} is not a number") from None


def whole_number(value: str, what: str, minimum: int = 1) -> int:
    """A whole number written as digits, optionally with a zero fraction ("1000.00")."""
    number = decimal(value, what)
    if number != number.to_integral_value():
        raise BadValue("not_whole_number", f"{what} {value} is not a whole number")
    if number < minimum:
        raise BadValue(
            "not_positive" if minimum == 1 else "negative", f"{what} must be at least {minimum}"
        )
    if number > MAX_SHARES:
        raise BadValue("too_large", f"{what} {value} is too large")
    return int(number)


def money(value: str, what: str) -> Decimal:
    number = decimal(value, what)
    if number < 0:
        raise BadValue("negative", f"{what} must not be negative")
    return number


def country(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise BadValue("invalid_country", f"{value!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def currency(value: str) -> str:
    code = value.strip().upper()
    if not CURRENCY.match(code):
        raise BadValue("invalid_currency", f"{value!r} is not an ISO 4217 currency code")
    return code


def class_code(value: str) -> str:
    code = value.strip()
    if not CLASS_CODE.match(code):
        raise BadValue(
            "invalid_class_code",
            f"class code {value!r}: use capitals, digits, - and _ (at most 32, e.g. ORD)",
        )
    return code


def holder_type(value: str) -> str:
    kind = value.strip().lower()
    if kind not in HOLDER_TYPES:
        raise BadValue("invalid_holder_type", f"holder type {value!r}: use person or entity")
    return kind


def email(value: str) -> str:
    address = text(value, "email", LIMITS["email"])
    if not EMAIL.match(address):
        raise BadValue("invalid_email", f"{value!r} is not an email address")
    return address


def iso_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise BadValue("invalid_date", f"{what} {value!r} is not a date (YYYY-MM-DD)") from None


def joint_holders(value: str) -> list[str]:
    names = [text(name, "a joint holder's name", LIMITS["name"]) for name in value.split(";")]
    names = [name for name in names if name]
    if len(names) > MAX_JOINT_HOLDERS:
        raise BadValue(
            "too_many_joint_holders",
            f"{len(names)} joint holders: at most {MAX_JOINT_HOLDERS} besides the first holder",
        )
    return names


def derived_class_code(prefix: str | None, name: str) -> str:
    """A class code from an OCF certificate prefix ("CS-" -> "CS"), else from the class name
    ("Series Seed Preferred" -> "SERIES-SEED-PREFERRED"): accents dropped, capitals, runs of
    anything else made one "-", at most 32 characters."""
    for source in (prefix or "", name):
        ascii_only = unicodedata.normalize("NFKD", source).encode("ascii", "ignore").decode()
        code = re.sub(r"[^A-Z0-9]+", "-", ascii_only.upper()).strip("-")[:32].rstrip("-")
        if code:
            return code
    return "CLASS"
