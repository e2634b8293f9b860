"""Load the allocations of a batch issuance without a marshmallow object per row.

`IssuanceSchema` loads 100,000 allocations through 100,000 nested schema loads (seconds of
a `POST /issuances`). `load_allocations` checks each row with a few type tests and the
schema's own patterns and bounds; a row those tests accept is one the schema accepts, with
the same values, and becomes an `Allocation` at once. Any other row is loaded by the
allocation schema itself, so a refused row gets the schema's messages word for word, keyed
by its index as `List(Nested(...))` keys them: {"allocations": {17: {"quantity": [...]}}}.

tests/test_batch_rows.py compares this module with the nested schema over generated rows.

`IssuanceSchema` below is what `POST /issuances` loads: the nested schema's fields (and so
its OpenAPI document), with this loader doing the work.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

import marshmallow as ma

from app.api.fields import TEXT_PATTERN, DecimalText
from app.api.register_schemas import (
    CLASS_CODE,
    CURRENCY,
    AllocationSchema,
    NestedIssuanceSchema,
)
from app.register.limits import MAX_SHARES
from app.register.requests import Allocation, IssueShares

FIELD = "allocations"
_LENGTH = NestedIssuanceSchema._declared_fields[FIELD].validators[0]  # Length(min=1, max=100_000)
_REFERENCE_MAX = 200  # AllocationSchema.reference: Length(max=200)
_KNOWN = frozenset({"class", "holder_id", "quantity", "price_per_share", "currency", "reference"})
_CLASS_CODE = CLASS_CODE.regex
_CURRENCY = CURRENCY.regex
_PRICE = re.compile(DecimalText.PATTERN)
_TEXT = re.compile(TEXT_PATTERN)


_ROW_SCHEMA = AllocationSchema()
_NULL_ROW = ma.fields.Nested(AllocationSchema).error_messages["null"]
_LIST_SCHEMA = ma.Schema.from_dict(
    {
        FIELD: ma.fields.List(
            ma.fields.Nested(AllocationSchema),
            required=True,
            validate=NestedIssuanceSchema._declared_fields[FIELD].validators,
        )
    }
)()


def load_allocations(rows: Any) -> tuple[Allocation, ...]:
    """The rows as `Allocation`s, or ma.ValidationError with every refused row's errors."""
    if type(rows) is not list or not _LENGTH.min <= len(rows) <= _LENGTH.max:
        _refuse_list(rows)
    loaded: list[Allocation] = []
    errors: dict[int, Any] = {}
    for index, row in enumerate(rows):
        allocation = _fast(row)
        if row is None:  # the nested field refuses null before its schema sees anything
            errors[index] = [_NULL_ROW]
            continue
        if allocation is None:
            try:
                allocation = _ROW_SCHEMA.load(row)
            except ma.ValidationError as error:
                errors[index] = error.messages
                continue
        loaded.append(allocation)
    if errors:
        raise ma.ValidationError({FIELD: errors})
    return tuple(loaded)


def _refuse_list(rows: Any) -> None:
    # Not a list, or of the wrong length: the schema's own list errors.
    _LIST_SCHEMA.load({FIELD: rows})
    raise AssertionError("the schema accepted what the fast path refused")  # pragma: no cover


def _fast(row: Any) -> Allocation | None:
    """The allocation, if the row is plainly valid; None for the schema to decide."""
    if type(row) is not dict or not row.keys() <= _KNOWN:
        return None
    code, holder_id, quantity = row.get("class"), row.get("holder_id"), row.get("quantity")
    if type(code) is not str or type(holder_id) is not str or type(quantity) is not int:
        return None
    if not 1 <= quantity <= MAX_SHARES or not _CLASS_CODE.match(code):
        return None
    price, currency = row.get("price_per_share"), row.get("currency")
    reference = row.get("reference")
    if price is not None:
        if type(price) is not str or not _PRICE.match(price) or not currency:
            return None
        price = Decimal(price)
    if currency is not None and (type(currency) is not str or not _CURRENCY.match(currency)):
        return None
    if reference is not None and not _plain_text(reference, _REFERENCE_MAX):
        return None
    return Allocation(code, holder_id, quantity, price, currency, reference)


def _plain_text(value: Any, max_length: int) -> bool:
    """Text the schema's `Text` field would load unchanged and accept."""
    return (
        type(value) is str
        and len(value) <= max_length
        and value == value.strip()
        and (value.isascii() or unicodedata.is_normalized("NFC", value))
        and _TEXT.match(value) is not None
    )


class IssuanceSchema(NestedIssuanceSchema):
    """`NestedIssuanceSchema` with its rows loaded by `load_allocations`: same fields, same
    results, same errors. A body with anything beside "allocations" goes the nested way, so
    that its errors are the schema's too."""

    def load(self, data: Any, *args: Any, **kwargs: Any) -> Any:
        if type(data) is dict and data.keys() == {FIELD}:
            return IssueShares(load_allocations(data[FIELD]))
        return super().load(data, *args, **kwargs)
