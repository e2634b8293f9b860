"""Marshmallow fields shared by the API schemas."""

from __future__ import annotations

import unicodedata
from typing import Any

import marshmallow as ma


class Text(ma.fields.String):
    """Trimmed, NFC-normalised text without control characters: what may go on the log."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = unicodedata.normalize("NFC", super()._deserialize(value, attr, data, **kwargs))
        text = text.strip()
        if any(unicodedata.category(char) == "Cc" for char in text):
            raise ma.ValidationError("must not contain control characters")
        return text
