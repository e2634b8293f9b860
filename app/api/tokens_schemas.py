"""Schemas for the operator's API tokens."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.api.fields import Text
from app.auth.tokens import DURATION, TOKEN_STATES, NewToken, parse_duration
from app.models.user import ROLES
from app.register.errors import InvalidInput


class Duration(ma.fields.String):
    """`90m`, `12h`, `30d`, `2w`, loaded as a timedelta."""

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"pattern": DURATION.pattern, "example": "30d", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        try:
            return parse_duration(super()._deserialize(value, attr, data, **kwargs))
        except InvalidInput as error:
            raise ma.ValidationError(error.message) from None


class TokenInputSchema(ma.Schema):
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    label = Text(required=True, validate=validate.Length(min=1, max=100))
    issuer_id = ma.fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "The one issuer the token reaches, whatever its role"},
    )
    holder_id = ma.fields.String(
        load_default=None, allow_none=True, metadata={"description": "An investor's holder"}
    )
    expires_in = Duration(
        load_default=None, allow_none=True, metadata={"description": "Lifetime; null: no expiry"}
    )

    @ma.post_load
    def _make_request(self, data: dict[str, Any], **_kwargs: object) -> NewToken:
        return NewToken(**data)


class TokenSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    label = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    issuer_id = ma.fields.String(
        allow_none=True, metadata={"description": "The issuer it is scoped to; null: all"}
    )
    holder_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime(required=True)
    expires_at = ma.fields.DateTime(allow_none=True)
    last_used_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    state = ma.fields.String(required=True, validate=validate.OneOf(TOKEN_STATES))


class CreatedTokenSchema(TokenSchema):
    secret = ma.fields.String(
        required=True, metadata={"description": "The bearer secret, shown this once only"}
    )


class TokenListSchema(ma.Schema):
    tokens = ma.fields.List(ma.fields.Nested(TokenSchema), required=True)
