"""Schemas of the transfer workflow's API: instructions, their steps and class settings."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from app.api.fields import Text, WholeNumber
from app.api.register_schemas import CLASS_CODE, CURRENCY, POSITIVE, HolderInputSchema, money
from app.api.request_schema import RequestSchema
from app.register.limits import MAX_LOG_INDEX
from app.transfers.deadlines import DEFAULT_PRE_EMPTION_DAYS
from app.transfers.pre_emption import MAX_PRE_EMPTION_DAYS
from app.transfers.requests import ConfigureTransfers, Instruct, Reason, Reject
from app.transfers.states import STATES
from app.transfers.workflow import MAX_ACCEPTANCE_DAYS

REASON_CODE = validate.Regexp(
    r"^[a-z][a-z0-9_]{0,63}$", error="use lower-case letters, digits and _ (e.g. kyc_required)"
)


class InstructSchema(RequestSchema):
    request_type = Instruct

    class_code = ma.fields.String(required=True, data_key="class", validate=CLASS_CODE)
    from_holder_id = ma.fields.String(required=True)
    to_holder_id = ma.fields.String(
        load_default=None, metadata={"description": "The transferee, a member; or new_transferee"}
    )
    new_transferee = ma.fields.Nested(
        HolderInputSchema,
        load_default=None,
        metadata={
            "description": "A transferee who is not a member yet, with the register details "
            "`POST holders` takes: registered by the instruction (`holder.registered`, then "
            "`transfer.instructed`), or not at all if the instruction is refused"
        },
    )
    quantity = WholeNumber(required=True, validate=POSITIVE)
    risk_acknowledged = ma.fields.Boolean(
        required=True,
        metadata={"description": "The instructing party has read and accepted the risk notice"},
    )
    consideration = money(load_default=None, allow_none=True)
    currency = ma.fields.String(load_default=None, allow_none=True, validate=CURRENCY)
    consideration_text = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": 'A consideration that is not a price, e.g. "gift"'},
    )

    @ma.validates_schema
    def one_transferee(self, data: dict, **_kwargs: object) -> None:
        if (data.get("to_holder_id") is None) == (data.get("new_transferee") is None):
            raise ma.ValidationError(
                "give to_holder_id or new_transferee, one of them", "to_holder_id"
            )

    @ma.validates_schema
    def price_with_currency(self, data: dict, **_kwargs: object) -> None:
        if (data.get("consideration") is None) != (data.get("currency") is None):
            raise ma.ValidationError("a price needs a currency and a currency a price", "currency")
        if data.get("consideration") is not None and data.get("consideration_text") is not None:
            raise ma.ValidationError("give a price or a description, not both", "consideration")


class ReasonSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=REASON_CODE)
    text = Text(required=True, validate=validate.Length(min=1, max=500))


class RejectSchema(RequestSchema):
    request_type = Reject
    path_fields = ("instruction_id",)

    reasons = ma.fields.List(
        ma.fields.Nested(ReasonSchema), required=True, validate=validate.Length(min=1, max=20)
    )

    def make(self, data: dict[str, Any]) -> Reject:
        reasons = tuple(Reason(**reason) for reason in data["reasons"])
        return Reject(instruction_id=data["instruction_id"], reasons=reasons)


class TransitionSchema(ma.Schema):
    state = ma.fields.String(required=True)
    log_index = ma.fields.Integer(required=True)
    recorded_at = ma.fields.DateTime(required=True)
    reasons = ma.fields.List(ma.fields.Nested(ReasonSchema), allow_none=True)


class InstructionSchema(ma.Schema):
    instruction_id = ma.fields.String(required=True)
    class_code = ma.fields.String(required=True, data_key="class")
    from_holder_id = ma.fields.String(required=True)
    to_holder_id = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True)
    reserved = ma.fields.Integer(
        required=True, metadata={"description": "Shares this instruction holds reserved now"}
    )
    consideration = ma.fields.String(allow_none=True)
    currency = ma.fields.String(allow_none=True)
    consideration_text = ma.fields.String(allow_none=True)
    risk_acknowledged = ma.fields.Boolean(required=True)
    approval_required = ma.fields.Boolean(required=True)
    state = ma.fields.String(required=True, metadata={"enum": list(STATES)})
    instructed_index = ma.fields.Integer(
        required=True, metadata={"description": "Order of receipt: the instruction's log index"}
    )
    instructed_at = ma.fields.DateTime(required=True)
    accept_by = ma.fields.DateTime(required=True)
    decide_by = ma.fields.DateTime(required=True)
    last_log_index = ma.fields.Integer(required=True)


class InstructionDetailSchema(InstructionSchema):
    transitions = ma.fields.List(ma.fields.Nested(TransitionSchema), required=True)


class InstructionPageQuery(ma.Schema):
    state = ma.fields.String(validate=validate.OneOf(STATES))
    holder_id = ma.fields.String(metadata={"description": "Instructions from or to this holder"})
    after = ma.fields.Integer(
        validate=validate.Range(min=0, max=MAX_LOG_INDEX),
        metadata={"description": "Continue after this instructed_index (next_after)"},
    )
    overdue = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Only those past their acceptance or decision deadline"},
    )
    limit = ma.fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))


class InstructionPageSchema(ma.Schema):
    instructions = ma.fields.List(ma.fields.Nested(InstructionSchema), required=True)
    next_after = ma.fields.Integer(allow_none=True)


class TransferSettingsInputSchema(RequestSchema):
    request_type = ConfigureTransfers
    path_fields = ("class_code",)

    approval_required = ma.fields.Boolean(required=True)
    acceptance_days = WholeNumber(
        required=True, validate=validate.Range(min=1, max=MAX_ACCEPTANCE_DAYS)
    )
    pre_emption = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "The class's holders have a right of first refusal"},
    )
    pre_emption_days = WholeNumber(
        load_default=DEFAULT_PRE_EMPTION_DAYS,
        validate=validate.Range(min=1, max=MAX_PRE_EMPTION_DAYS),
        metadata={"description": "Days the holders have to answer a pre-emption offer"},
    )


class TransferSettingsSchema(ma.Schema):
    class_code = ma.fields.String(required=True, data_key="class")
    approval_required = ma.fields.Boolean(required=True)
    acceptance_days = ma.fields.Integer(required=True)
    pre_emption = ma.fields.Boolean(required=True)
    pre_emption_days = ma.fields.Integer(required=True)
