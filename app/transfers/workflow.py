"""The workflow's commands: each validates, then records exactly one `transfer.*` entry.

instructed -> accepted (by the transferee) -> approved (by the company, unless the class needs
no approval) -> settled; or declined, rejected, cancelled or expired, which give the reserved
shares back. An instruction reserves its shares at once, so they cannot be promised twice; the
command locks the issuer before reading, so concurrent instructions see each other.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from app.ledger.canonical import format_timestamp
from app.models.transfers import TransferInstruction, TransferSettings
from app.register import classes, holdings
from app.register.errors import InvalidInput, Refused
from app.register.holders import register_holder, require_active_holder
from app.register.limits import require_quantity
from app.register.ratios import decimal_text
from app.register.requests import LodgeTransfer
from app.register.transfers import lodge_transfer
from app.transfers import checks, pre_emption, queries
from app.transfers.deadlines import deadlines_from, missed_deadline
from app.transfers.errors import RiskNotAcknowledged, not_your_instruction, wrong_state
from app.transfers.requests import ConfigureTransfers, Instruct, Reject, Step
from app.transfers.rules import approval_required_for
from app.transfers.states import ACCEPTED, APPROVED, INSTRUCTED, PENDING

if TYPE_CHECKING:
    from app.register.context import CommandContext

MAX_ACCEPTANCE_DAYS = 366


def configure(ctx: CommandContext, request: ConfigureTransfers) -> TransferSettings:
    """Set whether the class's transfers need the company's approval and how many days a
    transferee has to accept. Instructions already made keep the settings they were made under."""
    classes.get_class(ctx.session, ctx.issuer_id, request.class_code)
    if not 1 <= request.acceptance_days <= MAX_ACCEPTANCE_DAYS:
        raise InvalidInput(
            f"acceptance_days must be between 1 and {MAX_ACCEPTANCE_DAYS}", field="acceptance_days"
        )
    data = {
        "class": request.class_code,
        "approval_required": request.approval_required,
        "acceptance_days": str(request.acceptance_days),
        **pre_emption.setting_data(request),
    }
    ctx.record("transfer.configured", data)
    return queries.settings_for(ctx.session, ctx.issuer_id, request.class_code)


def instruct(ctx: CommandContext, request: Instruct) -> TransferInstruction:
    """Instruct a transfer and reserve its shares on the transferor's holding; a transferee who
    is not a member yet (`new_transferee`) is registered first, in the same command."""
    session, issuer_id = ctx.session, ctx.issuer_id
    code, quantity = request.class_code, request.quantity
    source, target = request.from_holder_id, request.to_holder_id
    require_quantity(quantity)
    if source == target:
        raise InvalidInput("a transfer needs two different holders", field="to_holder_id")
    if not request.risk_acknowledged:
        raise RiskNotAcknowledged(
            "the instructing party must acknowledge the risk notice", field="risk_acknowledged"
        )
    if (request.consideration is None) != (request.currency is None):
        raise InvalidInput("a price needs a currency and a currency a price", field="currency")
    if request.party is not None and request.party != source:
        raise Refused(
            "not_your_instruction",
            f"holder {request.party} may instruct transfers of its own shares only",
            holder_id=request.party,
        )
    classes.get_class(session, issuer_id, code)
    require_active_holder(session, issuer_id, source)
    target = _transferee(ctx, request)
    require_active_holder(session, issuer_id, target)
    proposal = checks.Proposal(code, source, target, quantity)
    checks.require_allowed(session, issuer_id, proposal, ctx.today())
    holdings.require_available(session, issuer_id, code, source, quantity)
    settings = queries.settings_for(session, issuer_id, code)
    deadlines = deadlines_from(ctx.clock(), settings.acceptance_days)
    instruction_id = str(uuid.uuid4())
    data = {
        "instruction_id": instruction_id,
        "class": code,
        "from_holder_id": source,
        "to_holder_id": target,
        "quantity": str(quantity),
        "risk_acknowledged": True,
        "approval_required": approval_required_for(session, settings, quantity),
        "accept_by": format_timestamp(deadlines.accept_by),
        "decide_by": format_timestamp(deadlines.decide_by),
    }
    if request.consideration is not None:
        data["consideration"] = decimal_text(Decimal(request.consideration))
        data["currency"] = request.currency
    if request.consideration_text is not None:
        data["consideration_text"] = request.consideration_text
    ctx.record("transfer.instructed", data)
    return queries.get_instruction(session, issuer_id, instruction_id)


def _transferee(ctx: CommandContext, request: Instruct) -> str:
    """The member named by `to_holder_id`, or the new one registered with the instruction
    (`holder.registered` before `transfer.instructed`, in the same command: an instruction
    refused after it rolls the registration back with it)."""
    if (request.to_holder_id is None) == (request.new_transferee is None):
        raise InvalidInput(
            "name the transferee by to_holder_id or new_transferee", field="to_holder_id"
        )
    if request.new_transferee is None:
        return request.to_holder_id
    return register_holder(ctx, request.new_transferee).holder_id


def _pending(
    ctx: CommandContext, instruction_id: str, action: str, allowed: tuple[str, ...]
) -> TransferInstruction:
    instruction = queries.get_instruction(ctx.session, ctx.issuer_id, instruction_id)
    if instruction.state not in allowed:
        raise wrong_state(instruction_id, instruction.state, action, allowed)
    return instruction


def _require_party(instruction: TransferInstruction, party: str | None, role: str) -> None:
    holder = instruction.to_holder_id if role == "transferee" else instruction.from_holder_id
    if party is not None and party != holder:
        raise not_your_instruction(instruction.instruction_id, party, role)


def _require_company(instruction: TransferInstruction, party: str | None) -> None:
    if party is not None:
        raise not_your_instruction(instruction.instruction_id, party, "company")


def _require_in_time(ctx: CommandContext, instruction: TransferInstruction, action: str) -> None:
    missed = missed_deadline(
        instruction.state, instruction.accept_by, instruction.decide_by, ctx.clock()
    )
    if missed is not None:
        reason, deadline = missed
        raise Refused(
            "deadline_passed",
            f"instruction {instruction.instruction_id} cannot be {action}: its deadline "
            f"({reason}) was {format_timestamp(deadline)}",
            instruction_id=instruction.instruction_id,
            deadline=format_timestamp(deadline),
        )


def _record(ctx: CommandContext, kind: str, instruction: TransferInstruction, **extra) -> None:
    ctx.record(kind, {"instruction_id": instruction.instruction_id, **extra})


def accept(ctx: CommandContext, request: Step) -> TransferInstruction:
    instruction = _pending(ctx, request.instruction_id, "accepted", (INSTRUCTED,))
    _require_party(instruction, request.party, "transferee")
    _require_in_time(ctx, instruction, "accepted")
    _record(ctx, "transfer.accepted", instruction)
    pre_emption.open_if_due(ctx, instruction)
    return instruction


def decline(ctx: CommandContext, request: Step) -> TransferInstruction:
    instruction = _pending(ctx, request.instruction_id, "declined", (INSTRUCTED,))
    _require_party(instruction, request.party, "transferee")
    _record(ctx, "transfer.declined", instruction)
    return instruction


def approve(ctx: CommandContext, request: Step) -> TransferInstruction:
    instruction = _pending(ctx, request.instruction_id, "approved", (ACCEPTED,))
    _require_company(instruction, request.party)
    pre_emption.require_no_open_offer(ctx, instruction, "approved")
    _require_in_time(ctx, instruction, "approved")
    _record(ctx, "transfer.approved", instruction)
    return instruction


def reject(ctx: CommandContext, request: Reject) -> TransferInstruction:
    """Refuse registration, with reasons (s771: the transferee is owed them)."""
    instruction = _pending(ctx, request.instruction_id, "rejected", (INSTRUCTED, ACCEPTED))
    if not request.reasons:
        raise InvalidInput("a rejection needs at least one reason", field="reasons")
    pre_emption.require_no_open_offer(ctx, instruction, "rejected")
    reasons = [{"code": reason.code, "text": reason.text} for reason in request.reasons]
    _record(ctx, "transfer.rejected", instruction, reasons=reasons)
    return instruction


def cancel(ctx: CommandContext, request: Step) -> TransferInstruction:
    """Withdraw an instruction before it settles (the instructing party, or the company)."""
    instruction = _pending(ctx, request.instruction_id, "cancelled", PENDING)
    _require_party(instruction, request.party, "transferor")
    pre_emption.require_no_open_offer(ctx, instruction, "cancelled")
    _record(ctx, "transfer.cancelled", instruction)
    return instruction


def expire(ctx: CommandContext, request: Step) -> TransferInstruction:
    """End an instruction whose acceptance or decision deadline has passed."""
    instruction = _pending(ctx, request.instruction_id, "expired", (INSTRUCTED, ACCEPTED))
    pre_emption.require_no_open_offer(ctx, instruction, "expired")
    now = ctx.clock()
    missed = missed_deadline(instruction.state, instruction.accept_by, instruction.decide_by, now)
    if missed is None:
        raise Refused(
            "not_due",
            f"instruction {instruction.instruction_id} has not passed a deadline",
            instruction_id=instruction.instruction_id,
        )
    reason, deadline = missed
    text = f"{reason.replace('_', ' ')} at {format_timestamp(deadline)}"
    _record(ctx, "transfer.expired", instruction, reasons=[{"code": reason, "text": text}])
    return instruction


def settle(ctx: CommandContext, request: Step) -> TransferInstruction:
    """Move the shares of an approved instruction (or an accepted one the class does not need
    approved), never ahead of an earlier instruction still pending on the same shares."""
    instruction = queries.get_instruction(ctx.session, ctx.issuer_id, request.instruction_id)
    pre_emption.require_no_open_offer(ctx, instruction, "settled")
    ready = (APPROVED,) if instruction.approval_required else (ACCEPTED, APPROVED)
    if instruction.state not in ready:
        raise wrong_state(instruction.instruction_id, instruction.state, "settled", ready)
    _require_company(instruction, request.party)
    earlier = queries.earlier_pending(ctx.session, instruction)
    if earlier:
        raise Refused(
            "earlier_pending",
            f"instruction {earlier[0]} on the same shares was received earlier and is still "
            "pending; instructions settle in order of receipt",
            instruction_id=instruction.instruction_id,
            earlier=earlier,
        )
    transfer = LodgeTransfer(
        class_code=instruction.class_code,
        from_holder_id=instruction.from_holder_id,
        to_holder_id=instruction.to_holder_id,
        quantity=instruction.quantity,
        instrument_reference=f"transfer instruction {instruction.instruction_id}",
        consideration=Decimal(instruction.consideration) if instruction.consideration else None,
        currency=instruction.currency,
    )
    lodge_transfer(ctx, transfer, instruction_id=instruction.instruction_id)
    return instruction
