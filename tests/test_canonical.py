"""The fast canonical encoder is byte-equal to the `rfc8785` reference over every shape."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from app.ledger.canonical import _SAFE_INTEGER, canonical_bytes, envelope, format_timestamp

# Keys and text drawn from where the orderings and escapes differ: ASCII (controls, quote,
# backslash), U+0080.., the private use area U+E000..U+FFFF (sorts after astral characters in
# UTF-16, before them by code point) and astral characters (surrogate pairs in UTF-16).
_INTERESTING = st.sampled_from(
    ["\x00", "\x1f", "\x7f", '"', "\\", "\b", "\f", "\n", "\r", "\t", "/", "\u2028", "é", "ß",
     "\ue000", "\uffff", "\ufb01", "\U00010000", "\U0001f600", "\U0010ffff", "a", "Z", "0"]
)  # fmt: skip
_CHARACTERS = st.one_of(_INTERESTING, st.characters(codec="utf-8"))
_TEXT = st.text(_CHARACTERS, max_size=12)
_INTEGERS = st.one_of(
    st.integers(-_SAFE_INTEGER, _SAFE_INTEGER),
    st.sampled_from([0, -1, _SAFE_INTEGER, -_SAFE_INTEGER, 10**15, -(10**15)]),
)
_SCALARS = st.one_of(_TEXT, _INTEGERS, st.booleans(), st.none())
_VALUES = st.recursive(
    _SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.tuples(children, children),
        st.dictionaries(_TEXT, children, max_size=6),
    ),
    max_leaves=30,
)


def _same(value) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


@settings(max_examples=600, deadline=None)
@given(_VALUES)
def test_equal_to_the_reference_on_json_values(value):
    _same(value)


@settings(max_examples=300, deadline=None)
@given(
    st.text(_CHARACTERS, min_size=1, max_size=20),
    st.integers(0, 2**40),
    st.text(_CHARACTERS, min_size=1, max_size=20),
    st.dictionaries(_TEXT, _VALUES, max_size=8),
)
def test_equal_to_the_reference_on_envelopes(kind, index, actor, data):
    # The envelope guard refuses text that is not NFC; only the encoding is under test here.
    value = {
        **envelope(
            origin="o", index=index, recorded_at=datetime.now(UTC), kind="k", actor="a", data={}
        ),
        "kind": kind,
        "actor": actor,
        "data": data,
    }
    _same(value)


@given(st.dictionaries(st.text(_INTERESTING, max_size=3), _INTEGERS, max_size=8))
def test_keys_in_utf16_order(value):
    _same(value)


def test_key_orders_that_differ_between_utf16_and_code_points():
    value = {"\ue000": 1, "\U0001f600": 2, "\uffff": 3, "\U00010000": 4, "z": 5}
    assert list(value) != sorted(value, key=lambda k: k.encode("utf-16-be"))
    _same(value)
    assert canonical_bytes(value).index("\U0001f600".encode()) < canonical_bytes(value).index(
        "\ue000".encode()
    )


@pytest.mark.parametrize("value", [1.5, {"a": [0.1, -0.0, 1e21]}, 2.0])
def test_floats_go_to_the_reference(value):
    _same(value)


@pytest.mark.parametrize(
    "value",
    [_SAFE_INTEGER + 1, -_SAFE_INTEGER - 1, {"a": [2**64]}, "\ud800", {"\udfff": 1}, {1: 2},
     {"a": {1.5: 1}}, {"a": object()}],
)  # fmt: skip
def test_what_the_reference_refuses_is_refused(value):
    with pytest.raises((rfc8785.CanonicalizationError, TypeError, ValueError)) as reference:
        rfc8785.dumps(value)
    with pytest.raises(type(reference.value)):
        canonical_bytes(value)


@given(st.datetimes(timezones=st.timezones()))
def test_timestamps_as_strftime_writes_them(moment):
    assert format_timestamp(moment) == moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
