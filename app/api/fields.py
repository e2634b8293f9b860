"""Marshmallow fields shared by the API schemas."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.register.countries import COUNTRY_CODES, is_jurisdiction

_NO_CONTROL = r"[^\x00-\x1f\x7f-\x9f]"
# Not blank and no control characters; published in the OpenAPI document as the pattern.
TEXT_PATTERN = rf"^{_NO_CONTROL}*[^\s\x00-\x1f\x7f-\x9f]{_NO_CONTROL}*$"
# A lone UTF-16 surrogate is not a character: RFC 8785 cannot put it on the log.
_SURROGATE = re.compile("[\ud800-\udfff]")


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
        if _SURROGATE.search(text):
            raise ma.ValidationError("must not hold a lone surrogate such as \\ud800")
        return unicodedata.normalize("NFC", text).strip()


# An ISO 3166-1 alpha-2 code from the maintained list (`app.register.countries`); the OpenAPI
# document lists the codes.
COUNTRY = validate.OneOf(
    sorted(COUNTRY_CODES),
    error="{input} is not an ISO 3166-1 alpha-2 country code; use one such as GB",
)


def _jurisdiction(code: str) -> None:
    if not is_jurisdiction(code):
        raise ma.ValidationError(
            f"{code} is not an ISO 3166 country or subdivision; use one such as GB, CN or US-DE"
        )


class Jurisdiction(ma.fields.String):
    """An ISO 3166-1 alpha-2 country, optionally with an ISO 3166-2 subdivision ("US-DE")."""

    PATTERN = r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pattern = validate.Regexp(self.PATTERN, error="use an ISO 3166 code such as GB or US-DE")
        kwargs = _with_validator(kwargs, _jurisdiction)
        super().__init__(*args, **_with_validator(kwargs, pattern))


class Moment(ma.fields.AwareDateTime):
    """A moment in ISO 8601 (UTC if no offset given), loaded in UTC: a time whose UTC value
    falls outside years 1 to 9999 (0001-01-01T00:00+01:00) is refused, not a 500."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, default_timezone=UTC, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            raise ma.ValidationError("the moment in UTC falls outside years 1 to 9999") from None


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
