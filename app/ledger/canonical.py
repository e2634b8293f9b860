"""RFC 8785 (JCS) bytes of a log envelope: what is hashed, stored and signed, byte for byte.

`rfc8785` (pure Python) is the reference. The envelopes the services write hold only dicts,
lists, strings, safe integers, booleans and null; for those JCS is plain JSON with keys in
UTF-16 order, no whitespace and non-ASCII text unescaped, which the standard library's C
encoder writes once the keys are sorted. Anything else (floats, other types, integers outside
the safe range, lone surrogates) goes to the reference, which encodes it or raises.
tests/test_canonical.py holds the two byte-equal over every envelope shape.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import rfc8785

ENVELOPE_VERSION = 1


# RFC 8785 numbers are IEEE doubles; rfc8785 refuses integers it could not write exactly.
_SAFE_INTEGER = 2**53 - 1

# Python's encoder escapes exactly what JCS escapes (quote, backslash, C0 controls; \b \f \n \r
# \t in short form, the rest as lowercase \u00xx) and, without ensure_ascii, nothing else.
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, check_circular=False, separators=(",", ":")
)


class _Unsupported(Exception):
    """The value holds something the fast path leaves to the reference encoder."""


def canonical_bytes(value: Any) -> bytes:
    try:
        text = _ENCODER.encode(_sorted_for_jcs(value))
        return text.encode("utf-8")
    except (_Unsupported, UnicodeEncodeError):
        # UnicodeEncodeError: a lone surrogate, which the reference refuses with its own error.
        return rfc8785.dumps(value)


def _utf16_order(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def _sorted_for_jcs(value: Any) -> Any:
    """`value` with every dict rebuilt in JCS key order; _Unsupported for anything else than
    the JSON types the fast path writes (exact types: a subclass may serialise differently)."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -_SAFE_INTEGER <= value <= _SAFE_INTEGER:
            return value
        raise _Unsupported
    if kind is dict:
        try:
            # One C call checks every key is text (join refuses anything else) and finds
            # whether any is non-ASCII; per-key generator tests were a fifth of the encoder.
            ascii_keys = "".join(value).isascii()
        except TypeError:
            raise _Unsupported from None
        # Code-point order is UTF-16 order except where astral characters meet U+E000..U+FFFF,
        # so only keys with non-ASCII text pay for encoding.
        keys = sorted(value) if ascii_keys else sorted(value, key=_utf16_order)
        # Most values are strings: skip the call for them (half the encoder's time otherwise).
        return {
            key: item if type(item) is str else _sorted_for_jcs(item)
            for key in keys
            for item in (value[key],)
        }
    if kind is list or kind is tuple:
        return [_sorted_for_jcs(item) for item in value]
    raise _Unsupported


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds and a Z, the one timestamp form on the log."""
    if moment.tzinfo is None:
        raise ValueError("timestamps on the log must be timezone-aware")
    moment = moment.astimezone(UTC)
    if moment.year < 1000:  # strftime writes such years unpadded; isoformat would pad them
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # isoformat is C code; strftime was 4.6% of a 100,000-allocation batch. Same text.
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


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
    # ASCII text is always NFC; the checks below skip the call for it (13 calls an allocation
    # were 5% of a batch's time).
    if isinstance(value, str):
        if not value.isascii() and not unicodedata.is_normalized("NFC", value):
            raise ValueError(f"text on the log must be NFC-normalised: {value!r}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not (type(key) is str and key.isascii()):
                _require_nfc(key)
            if not (type(item) is str and item.isascii()):
                _require_nfc(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _require_nfc(item)
