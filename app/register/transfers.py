"""Transfers lodged by the secretary (an executed instrument of transfer): settled at once.
The multi-party workflow (instructed, accepted, approved) settles through `lodge_transfer`.

An instrument is registered once: a second transfer on the same instrument reference is
refused unless the secretary marks it as a reuse (one instrument covering several transfers,
or a reference a counterparty reused), and the mark is logged."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.register import TransferInstrument
from app.register import classes, holdings
from app.register.errors import InvalidInput, Refused
from app.register.holders import require_active_holder
from app.register.limits import require_quantity
from app.register.projection import Applied
from app.register.ratios import decimal_text
from app.register.requests import LodgeTransfer

if TYPE_CHECKING:
    from app.register.context import CommandContext


# Checks a context above the register adds (the transfers package's rules, see
# `app.transfers.checks`): each may refuse the transfer before it is recorded.
TransferCheck = Callable[["CommandContext", LodgeTransfer, "str | None"], None]
_CHECKS: list[TransferCheck] = []


def install_check(check: TransferCheck) -> None:
    if check not in _CHECKS:
        _CHECKS.append(check)


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
    for check in _CHECKS:
        check(ctx, request, instruction_id)
    if instruction_id is None:
        holdings.require_available(session, issuer_id, code, source, quantity)
    if not request.instrument_reuse:
        require_new_instrument(session, issuer_id, request.instrument_reference)
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
    if request.instrument_reuse:
        data["instrument_reuse"] = True
    if instruction_id is not None:
        data["instruction_id"] = instruction_id
    return ctx.record("transfer.settled", data)


def earlier_transfer_index(session: Session, issuer_id: str, reference: str) -> int | None:
    """The log index of the first transfer registered on the instrument, if any."""
    return session.scalar(
        select(TransferInstrument.log_index)
        .where(
            TransferInstrument.issuer_id == issuer_id,
            TransferInstrument.instrument_reference == reference,
        )
        .order_by(TransferInstrument.log_index)
        .limit(1)
    )


def require_new_instrument(session: Session, issuer_id: str, reference: str) -> None:
    earlier = earlier_transfer_index(session, issuer_id, reference)
    if earlier is not None:
        raise Refused(
            "duplicate_instrument",
            f"instrument {reference!r} was registered already, by the transfer at log index "
            f"{earlier}; if it covers this transfer too, lodge it with instrument_reuse",
            instrument_reference=reference,
            earlier_log_index=earlier,
        )


def apply_transfer_settled(session: Session, entry: Applied) -> None:
    quantity = int(entry.data["quantity"])
    code = entry.data["class"]
    released = quantity if "instruction_id" in entry.data else 0
    source = entry.data["from_holder_id"]
    holdings.change(session, entry, code, source, held=-quantity, reserved=-released)
    holdings.change(session, entry, code, entry.data["to_holder_id"], held=quantity)
    session.add(
        TransferInstrument(
            issuer_id=entry.issuer_id,
            log_index=entry.index,
            instrument_reference=entry.data["instrument_reference"],
            reused=bool(entry.data.get("instrument_reuse")),
        )
    )
