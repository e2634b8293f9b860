"""`parse_canonical` (through the fast encoder) decides exactly as `rfc8785` does, on canonical and
non-canonical text alike."""

from __future__ import annotations

import json

import pytest
import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.ledger.verify import parse_canonical


def _reference(text: bytes) -> bool:
    try:
        return rfc8785.dumps(json.loads(text)) == text
    except ValueError:
        return False


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.sampled_from([2**53 - 1, -(2**53 - 1), 2**53, 0])
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()  # every code point, control characters and astral planes included
    | st.sampled_from(["\ue000", "\U0001f600", "\x7f", "\x1f", "é", "e\u0301", '"\\', "\u2028"])
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(_values)
@example({"\ue000": 1, "\U0001f600": 2})  # UTF-16 and code-point orders differ
@example({"b": 1, "a": [1.0, -0.0, 1e21]})
def test_canonical_text_is_recognised(value) -> None:
    try:
        text = rfc8785.dumps(value)
    except ValueError:
        return  # no canonical form (integer out of range)
    # Almost always True; not for a float such as 2.0 ** 53, whose text reads back as an
    # integer beyond RFC 8785's range: the verifier judges the text, as it always has.
    assert parse_canonical(text) == (json.loads(text), _reference(text))


@settings(max_examples=400, deadline=None)
@given(
    _values,
    st.booleans(),
    st.booleans(),
    st.sampled_from([(",", ":"), (", ", ": "), (",", ": ")]),
)
def test_other_serialisations_are_judged_as_rfc8785_judges_them(
    value, sort_keys, ensure_ascii, separators
) -> None:
    text = json.dumps(value, sort_keys=sort_keys, ensure_ascii=ensure_ascii, separators=separators)
    try:
        leaf = text.encode("utf-8")
    except UnicodeEncodeError:
        return  # a lone surrogate, written raw: not UTF-8 at all
    assert parse_canonical(leaf)[1] == _reference(leaf)


@pytest.mark.parametrize(
    "text",
    [
        b'{"a":1,"a":1}',  # duplicate keys
        b'{"a":-0}',
        b'{"a":1.0}',
        b'{"a":1e2}',
        b'{"a":NaN}',
        b'{"a":9007199254740992}',
        b'{"a":"\\u00e9"}',  # an escape RFC 8785 would not write
        b'{"a":"\\ud800"}',  # a lone surrogate
        b'{"a":"\\u001F"}',  # upper-case hex
        b'{"a":"\\/"}',
        b'{"b":1,"a":2}',
        b'{"a":"\x7f"}',
        b'{"a":"\\u001f"}',
        b'{"\xee\x80\x80":1,"\xf0\x9f\x98\x80":2}',  # code-point order, not UTF-16 order
        b'{"\xf0\x9f\x98\x80":2,"\xee\x80\x80":1}',
        b"[1,2] ",
    ],
)
def test_edge_cases_agree_with_rfc8785(text: bytes) -> None:
    assert parse_canonical(text)[1] == _reference(text)
