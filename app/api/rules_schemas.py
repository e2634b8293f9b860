"""Schemas of the transfer rules API: a class's rules and their history, KYC, the dry run."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.api.fields import WholeNumber
from app.api.register_schemas import COUNTRY, POSITIVE, money
from app.api.request_schema import RequestSchema
from app.register.requests import SetKyc
from app.transfers.reasons import CODES
from app.transfers.requests import ChangeRules
from app.transfers.rules import RuleSet

COUNTRIES = validate.Length(max=300)


def _countries(**kwargs: Any) -> ma.fields.List:
    return ma.fields.List(ma.fields.String(validate=COUNTRY), validate=COUNTRIES, **kwargs)


class RulesInputSchema(RequestSchema):
    """A class's whole rule set; a field left out means no such rule."""

    request_type = ChangeRules
    path_fields = ("class_code",)

    lockup_until = ma.fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "No transfers of the class before this date"},
    )
    kyc_required = ma.fields.Boolean(
        load_default=False, metadata={"description": "The transferee must be KYC verified"}
    )
    allowed_countries = _countries(
        load_default=None,
        allow_none=True,
        metadata={"description": "ISO 3166-1 alpha-2; the transferee's country must be one"},
    )
    blocked_countries = _countries(
        load_default=list, metadata={"description": "ISO 3166-1 alpha-2 countries refused"}
    )
    max_holders = WholeNumber(load_default=None, allow_none=True, validate=POSITIVE)
    max_vote_percentage = money(
        load_default=None,
        allow_none=True,
        metadata={"description": "Most of all votes one holder may have, in percent (0-100]"},
    )
    minimum_lot = WholeNumber(load_default=None, allow_none=True, validate=POSITIVE)
    approval_above = WholeNumber(
        load_default=None,
        allow_none=True,
        validate=POSITIVE,
        metadata={
            "description": "Instructions of more shares need the company's approval; up to "
            "this many, acceptance suffices (null: the class's approval_required decides)"
        },
    )
    trading_halted = ma.fields.Boolean(load_default=False)

    def make(self, data: dict[str, Any]) -> ChangeRules:
        code = data.pop("class_code")
        for field in ("allowed_countries", "blocked_countries"):
            if data[field] is not None:
                data[field] = tuple(dict.fromkeys(data[field]))
        return ChangeRules(class_code=code, rules=RuleSet(**data))


class RulesSchema(ma.Schema):
    lockup_until = ma.fields.Date(allow_none=True)
    kyc_required = ma.fields.Boolean(required=True)
    allowed_countries = ma.fields.List(ma.fields.String(), allow_none=True)
    blocked_countries = ma.fields.List(ma.fields.String(), required=True)
    max_holders = ma.fields.Integer(allow_none=True)
    max_vote_percentage = money(allow_none=True)
    minimum_lot = ma.fields.Integer(allow_none=True)
    approval_above = ma.fields.Integer(allow_none=True)
    trading_halted = ma.fields.Boolean(required=True)


class RulesVersionSchema(ma.Schema):
    version = ma.fields.Integer(required=True)
    log_index = ma.fields.Integer(required=True)
    recorded_at = ma.fields.DateTime(required=True)
    rules = ma.fields.Nested(RulesSchema, required=True)


class ClassRulesSchema(ma.Schema):
    class_code = ma.fields.String(required=True, data_key="class")
    version = ma.fields.Integer(
        required=True, metadata={"description": "0: the class has never had rules"}
    )
    rules = ma.fields.Nested(RulesSchema, required=True)
    history = ma.fields.List(ma.fields.Nested(RulesVersionSchema), required=True)


class BreachSchema(ma.Schema):
    holder_id = ma.fields.String(
        allow_none=True, metadata={"description": "null: the class as a whole"}
    )
    code = ma.fields.String(required=True, metadata={"enum": list(CODES)})
    rule = ma.fields.String(required=True)
    message = ma.fields.String(required=True)


class RulesChangedSchema(ma.Schema):
    class_code = ma.fields.String(required=True, data_key="class")
    version = ma.fields.Integer(required=True)
    log_index = ma.fields.Integer(required=True)
    rules = ma.fields.Nested(RulesSchema, required=True)
    breaches = ma.fields.List(
        ma.fields.Nested(BreachSchema),
        required=True,
        metadata={"description": "Current holdings the new rules would not allow"},
    )


class KycInputSchema(RequestSchema):
    request_type = SetKyc
    path_fields = ("holder_id",)

    verified = ma.fields.Boolean(required=True)


class KycSchema(ma.Schema):
    holder_id = ma.fields.String(required=True)
    kyc_verified = ma.fields.Boolean(required=True)
    last_log_index = ma.fields.Integer(required=True)


class TransferReasonSchema(ma.Schema):
    code = ma.fields.String(required=True, metadata={"enum": list(CODES)})
    erc1066 = ma.fields.String(required=True, metadata={"description": "ERC-1066 status"})
    rule = ma.fields.String(required=True)
    rule_version = ma.fields.Integer(required=True)
    message = ma.fields.String(required=True)


class CanTransferSchema(ma.Schema):
    allowed = ma.fields.Boolean(required=True)
    reasons = ma.fields.List(
        ma.fields.Nested(TransferReasonSchema),
        required=True,
        metadata={"description": "Every failing rule, not only the first"},
    )
