"""Transfers lodged by the secretary (an executed instrument of transfer): settled at once.
The multi-party workflow (instructed, accepted, approved) settles through `lodge_transfer`."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from app.register import classes, holdings
from app.register.errors import InvalidInput
from app.register.holders import require_active_holder
from app.register.limits import require_quantity
from app.register.projection import Applied
from app.register.ratios import decimal_text
from app.register.requests import LodgeTransfer

if TYPE_CHECKING:
    from app.register.context import CommandContext


def lodge_transfer(
    ctx: CommandContext, request: LodgeTransfer, *, instruction_id: str | None = None
) -> Applied:
    """Check and record a settled transfer. The command has locked the issuer, so the workflow
    settles an accepted instruction through this same function inside its own command: then
    `instruction_id` names it, its reservation holds the shares and settling releases it."""
    session, issuer_id = ctx.session, ctx.issuer_id
    code, quantity = request.class_code, request.quantity
    require_quantity(quantity)
    source, target = request.from_holder_id, request.to_holder_id
    if source == target:
        raise InvalidInput("a transfer needs two different holders", field="to_holder_id")
    classes.get_class(session, issuer_id, code)
    require_active_holder(session, issuer_id, source)
    require_active_holder(session, issuer_id, target)
    if instruction_id is None:
        holdings.require_available(session, issuer_id, code, source, quantity)
    data = {
        "class": code,
        "from_holder_id": source,
        "to_holder_id": target,
        "quantity": str(quantity),
        "instrument_reference": request.instrument_reference,
    }
    if request.consideration is not None:
        data["consideration"] = decimal_text(Decimal(request.consideration))
        data["currency"] = request.currency
    if instruction_id is not None:
        data["instruction_id"] = instruction_id
    return ctx.record("transfer.settled", data)


def apply_transfer_settled(session: Session, entry: Applied) -> None:
    quantity = int(entry.data["quantity"])
    code = entry.data["class"]
    released = quantity if "instruction_id" in entry.data else 0
    source = entry.data["from_holder_id"]
    holdings.change(session, entry, code, source, held=-quantity, reserved=-released)
    holdings.change(session, entry, code, entry.data["to_holder_id"], held=quantity)
