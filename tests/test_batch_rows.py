"""The fast batch loader agrees with the allocation schema, row by row and error by error."""

from __future__ import annotations

from decimal import Decimal

import marshmallow as ma
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.api.batch_rows import IssuanceSchema, load_allocations
from app.api.register_schemas import NestedIssuanceSchema
from app.register.limits import MAX_SHARES
from app.register.requests import Allocation


def _reference(rows, schema: type[ma.Schema] = NestedIssuanceSchema):
    """What the schema makes of the rows: Allocations, or its error messages."""
    try:
        loaded = schema().load({"allocations": rows})
    except ma.ValidationError as error:
        return error.messages
    return loaded.allocations


def _ours(rows):
    try:
        return load_allocations(rows)
    except ma.ValidationError as error:
        return error.messages


_TEXTS = st.one_of(
    st.sampled_from(["", " ", "x", " x", "x ", "ORD", "ord", "PREF-A", "A" * 32, "A" * 33,
                     "GBP", "gbp", "GB", "0.50", "12", "1.", "-1", "1e3", "1.5\n", "ORD\n",
                     "Cafe\u0301", "Café", "\x00", "a\tb", "\u0085", "\U0001f600", "x" * 200,
                     "x" * 201, "é" * 200, "\u00a0x"]),
    st.text(max_size=8),
)  # fmt: skip
_QUANTITIES = st.one_of(
    st.integers(-3, 3),
    st.sampled_from([MAX_SHARES, MAX_SHARES + 1, 10**6, True, False, 1.5, 2.0, "5", "x", None]),
    st.integers(),
)
_VALUES = st.one_of(_TEXTS, _QUANTITIES, st.none(), st.just([]), st.just({}))
_VALID = st.fixed_dictionaries(
    {"class": st.sampled_from(["ORD", "PREF-A", "B_1"]), "holder_id": _TEXTS,
     "quantity": st.integers(1, MAX_SHARES)},
    optional={"price_per_share": st.sampled_from([None, "0.50", "12", "0.000000000001"]),
              "currency": st.sampled_from([None, "GBP", "EUR"]),
              "reference": st.one_of(st.none(), _TEXTS)},
)  # fmt: skip
_ANY_FIELDS = st.dictionaries(
    st.sampled_from(["class", "holder_id", "quantity", "price_per_share", "currency",
                     "reference", "extra", "class_code"]),
    _VALUES,
)  # fmt: skip
# Mostly valid rows with one field replaced, as a client's mistakes look.
_MUTATED = st.builds(lambda row, changes: {**row, **changes}, _VALID, _ANY_FIELDS)
_ROWS = st.one_of(_VALID, _MUTATED, _ANY_FIELDS, st.sampled_from([None, "row", 1, []]))


@settings(max_examples=400, deadline=None)
@given(st.lists(_ROWS, min_size=1, max_size=12))
def test_same_results_and_errors_as_the_schema(rows):
    assert _ours(rows) == _reference(rows)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.lists(_ROWS, min_size=1, max_size=6), _ANY_FIELDS, st.none()))
def test_the_api_schema_loads_bodies_as_the_nested_schema(rows):
    """Whole bodies, with or without other keys beside the allocations."""
    bodies = [{"allocations": rows}, {"allocations": rows, "extra": 1}, rows]
    for body in bodies:
        assert _load(IssuanceSchema, body) == _load(NestedIssuanceSchema, body)


def _load(schema: type[ma.Schema], body):
    try:
        return schema().load(body)
    except ma.ValidationError as error:
        return error.messages


@pytest.mark.parametrize("rows", [None, [], "rows", {"a": 1}, [{}] * 100_001])
def test_list_errors_are_the_schema_s(rows):
    assert _ours(rows) == _reference(rows)


@pytest.mark.parametrize("quantity", [1.5, 2.0, "5", True, 0, -1, MAX_SHARES + 1])
def test_refused_quantities(quantity):
    rows = [{"class": "ORD", "holder_id": "h", "quantity": 1},
            {"class": "ORD", "holder_id": "h", "quantity": quantity}]  # fmt: skip
    errors = _ours(rows)
    assert list(errors["allocations"]) == [1]
    assert list(errors["allocations"][1]) == ["quantity"]


def test_a_row_with_a_price():
    (allocation,) = load_allocations([{"class": "ORD", "holder_id": "h", "quantity": 3,
                                       "price_per_share": "0.50", "currency": "GBP",
                                       "reference": "SA-1"}])  # fmt: skip
    assert allocation == Allocation("ORD", "h", 3, Decimal("0.50"), "GBP", "SA-1")
