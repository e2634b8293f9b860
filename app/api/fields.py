"""Marshmallow fields shared by the API schemas."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import validate

_NO_CONTROL = r"[^\x00-\x1f\x7f-\x9f]"
# Not blank and no control characters; published in the OpenAPI document as the pattern.
TEXT_PATTERN = rf"^{_NO_CONTROL}*[^\s\x00-\x1f\x7f-\x9f]{_NO_CONTROL}*$"


def _with_validator(kwargs: dict[str, Any], validator: validate.Validator) -> dict[str, Any]:
    given = kwargs.pop("validate", None)
    validators = [given] if callable(given) else list(given or [])
    return {**kwargs, "validate": [validator, *validators]}


class Text(ma.fields.String):
    """Trimmed, NFC-normalised text without control characters: what may go on the log."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pattern = validate.Regexp(
            TEXT_PATTERN, error="must not be blank or contain control characters"
        )
        super().__init__(*args, **_with_validator(kwargs, pattern))

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        return unicodedata.normalize("NFC", text).strip()


class DecimalText(ma.fields.String):
    """A non-negative decimal number sent as a string ("12.50"), exact: loaded as Decimal."""

    PATTERN = r"^[0-9]{1,18}(\.[0-9]{1,12})?$"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        metadata = {"pattern": self.PATTERN, "example": "12.50", **kwargs.pop("metadata", {})}
        super().__init__(*args, metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(self.PATTERN, text):
            raise ma.ValidationError("use a decimal string such as 12.50")
        return Decimal(text)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else str(value)


class WholeNumber(ma.fields.Integer):
    """A count sent as a JSON integer. 1.5, 5.0, "5" and true are refused, never rounded or
    converted: a register must not record a number the sender did not write."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, strict=True, **kwargs)
