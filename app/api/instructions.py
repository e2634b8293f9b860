"""The transfer workflow's API: instruct, list, read, and each step of an instruction.

The company's secretary (or an operator) may take every step, on the parties' behalf. An
investor's token (`flask tokens create --role investor --issuer ID --holder HID`) acts for its
holder only: it instructs transfers of that holder's shares, accepts or declines as transferee,
cancels its own instructions and sees the instructions it is party to. Permission is checked
before the body is read, so a caller who may not act learns nothing from a validation error.
"""

from __future__ import annotations

from dataclasses import replace

from flask import request
from flask_smorest import Blueprint

from app.api.access import (
    acting,
    investor_holder,
    require_company_access,
    require_visible,
    require_write,
)
from app.api.instructions_schemas import (
    InstructionDetailSchema,
    InstructionPageQuery,
    InstructionPageSchema,
    InstructSchema,
    RejectSchema,
    TransferSettingsInputSchema,
    TransferSettingsSchema,
)
from app.commands import command, current_ledger
from app.errors import ApiError
from app.extensions import db
from app.models.transfers import TransferInstruction
from app.route_access import ISSUER_READ, ISSUER_WRITE, PARTY_READ, PARTY_WRITE, access
from app.transfers import queries, workflow
from app.transfers.requests import Step
from app.transfers.states import PENDING

blp = Blueprint(
    "instructions",
    __name__,
    url_prefix="/api/v1/issuers/<issuer_id>",
    description="The transfer workflow: instructions from receipt to settlement",
)


# What an investor's token may do here, by view; everything else is the company's.
INVESTOR_VIEWS = frozenset(
    {"instruct", "list_instructions", "get_instruction"}
    | {f"{action}_instruction" for action in ("accept", "decline", "cancel")}
)


def _view_name() -> str:
    return request.endpoint.rpartition(".")[2]


@blp.before_request
def _authorise() -> None:
    issuer_id = request.view_args["issuer_id"]
    principal = require_visible(issuer_id)
    if investor_holder(principal, issuer_id) is not None:
        if _view_name() not in INVESTOR_VIEWS:
            raise ApiError(403, "forbidden", "an investor's token may not do this")
    else:
        require_company_access(issuer_id, request.method)


def instruction_view(instruction: TransferInstruction, with_history: bool = False) -> dict:
    view = {
        column.key: getattr(instruction, column.key)
        for column in TransferInstruction.__table__.columns
        if column.key != "issuer_id"
    }
    view["reserved"] = instruction.quantity if instruction.state in PENDING else 0
    if with_history:
        view["transitions"] = queries.transitions(
            db.session, instruction.issuer_id, instruction.instruction_id
        )
    return view


def _detail(issuer_id: str, instruction_id: str) -> dict:
    instruction = queries.get_instruction(db.session, issuer_id, instruction_id)
    return instruction_view(instruction, with_history=True)


@blp.route("/instructions", methods=["POST"])
@access(PARTY_WRITE)
@blp.arguments(InstructSchema)
@blp.response(201, InstructionDetailSchema)
def instruct(instruction, issuer_id):
    """Instruct a transfer (`transfer.instructed`): its shares are reserved at once."""
    principal, party = acting(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        instruction_id = workflow.instruct(ctx, replace(instruction, party=party)).instruction_id
    return _detail(issuer_id, instruction_id)


@blp.route("/instructions")
@access(PARTY_READ)
@blp.arguments(InstructionPageQuery, location="query")
@blp.response(200, InstructionPageSchema)
def list_instructions(query, issuer_id):
    """Instructions in order of receipt, a page at a time (`after` continues a listing);
    `overdue=true` lists those past a deadline, not yet expired. An investor sees those it is
    party to."""
    _, party = acting(issuer_id)
    if party is not None:
        query = {**query, "holder_id": party}
    overdue_at = current_ledger().clock() if query.pop("overdue") else None
    page, next_after = queries.instructions_page(
        db.session, issuer_id, **query, overdue_at=overdue_at
    )
    return {"instructions": [instruction_view(row) for row in page], "next_after": next_after}


@blp.route("/instructions/<instruction_id>")
@access(PARTY_READ)
@blp.response(200, InstructionDetailSchema)
def get_instruction(issuer_id, instruction_id):
    """One instruction and its history: every transition with its log index."""
    _, party = acting(issuer_id)
    detail = _detail(issuer_id, instruction_id)
    if party is not None and party not in (detail["from_holder_id"], detail["to_holder_id"]):
        raise ApiError(403, "forbidden", "this token is not party to this instruction")
    return detail


def _step_route(action: str, service, summary: str, rule: str = PARTY_WRITE) -> None:
    def step(issuer_id, instruction_id):
        principal, party = acting(issuer_id)
        with command(principal.actor, issuer_id) as ctx:
            service(ctx, Step(instruction_id, party))
        return _detail(issuer_id, instruction_id)

    step.__name__ = f"{action}_instruction"
    step.__doc__ = summary
    route = blp.route(f"/instructions/<instruction_id>/{action}", methods=["POST"])
    route(access(rule)(blp.response(200, InstructionDetailSchema)(step)))


_step_route("accept", workflow.accept, "The transferee accepts (`transfer.accepted`).")
_step_route("decline", workflow.decline, "The transferee declines (`transfer.declined`).")
_step_route(
    "approve", workflow.approve, "The company approves (`transfer.approved`).", ISSUER_WRITE
)
_step_route("cancel", workflow.cancel, "The instructing party withdraws (`transfer.cancelled`).")
_step_route(
    "settle",
    workflow.settle,
    "Register the transfer (`transfer.settled`): approved, or accepted where the class needs "
    "no approval, and no earlier instruction on the same shares still pending.",
    ISSUER_WRITE,
)


@blp.route("/instructions/<instruction_id>/reject", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(RejectSchema)
@blp.response(200, InstructionDetailSchema)
def reject_instruction(rejection, issuer_id, instruction_id):
    """The company refuses registration, with reasons (`transfer.rejected`)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        workflow.reject(ctx, rejection)
    return _detail(issuer_id, instruction_id)


@blp.route("/classes/<class_code>/transfer-settings")
@access(ISSUER_READ)
@blp.response(200, TransferSettingsSchema)
def get_transfer_settings(issuer_id, class_code):
    """Whether the class's transfers need approval, and the days a transferee has to accept."""
    return queries.settings_for(db.session, issuer_id, class_code)


@blp.route("/classes/<class_code>/transfer-settings", methods=["PUT"])
@access(ISSUER_WRITE)
@blp.arguments(TransferSettingsInputSchema)
@blp.response(200, TransferSettingsSchema)
def put_transfer_settings(settings, issuer_id, class_code):
    """Change the class's workflow settings (`transfer.configured`); pending instructions
    keep the settings they were made under."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        workflow.configure(ctx, settings)
    return queries.settings_for(db.session, issuer_id, class_code)
