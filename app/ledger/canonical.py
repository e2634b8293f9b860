"""RFC 8785 (JCS) bytes of a log envelope: what is hashed, stored and signed, byte for byte."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import rfc8785

ENVELOPE_VERSION = 1


def canonical_bytes(value: Any) -> bytes:
    return rfc8785.dumps(value)


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds and a Z, the one timestamp form on the log."""
    if moment.tzinfo is None:
        raise ValueError("timestamps on the log must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def envelope(
    *, origin: str, index: int, recorded_at: datetime, kind: str, actor: str, data: Mapping
) -> dict[str, Any]:
    _require_nfc(data)
    return {
        "v": ENVELOPE_VERSION,
        "origin": origin,
        "index": index,
        "recorded_at": format_timestamp(recorded_at),
        "kind": kind,
        "actor": actor,
        "data": dict(data),
    }


def _require_nfc(value: Any) -> None:
    # Input validation normalises text; this guard keeps a missed field from putting two
    # spellings of one name on the log, where they could never be corrected.
    if isinstance(value, str):
        if not unicodedata.is_normalized("NFC", value):
            raise ValueError(f"text on the log must be NFC-normalised: {value!r}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _require_nfc(key)
            _require_nfc(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _require_nfc(item)
