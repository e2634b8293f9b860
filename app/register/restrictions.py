"""Restrictions on holdings: freezes (e.g. under a court order), pledges of shares as security,
and transfers forced by a legal order.

Frozen and pledged shares stay held (they count for votes and distributions) but are not
available: ordinary transfers, cancellations and new restrictions can use only
held - frozen - pledged - reserved. A forced transfer may also take frozen shares, because the
order that froze them is typically the one that moves them, and, when those are not enough,
reserved ones, whose pending instructions it cancels (see `forced_transfer`); it never takes
pledged shares (the pledgee's security).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from app.models.register import HoldingVersion, Pledge
from app.register import classes, holdings
from app.register.context import CommandContext
from app.register.errors import InvalidInput, NotFound, Refused
from app.register.holders import get_holder, require_active_holder
from app.register.limits import require_quantity
from app.register.projection import Applied
from app.register.requests import ChangeFreeze, ForcedTransfer, RegisterPledge, ReleasePledge


def _require_class_and_holder(
    session: Session, issuer_id: str, class_code: str, holder_id: str
) -> None:
    classes.get_class(session, issuer_id, class_code)
    get_holder(session, issuer_id, holder_id)


def _holding_data(class_code: str, holder_id: str, quantity: int) -> dict[str, str]:
    return {"class": class_code, "holder_id": holder_id, "quantity": str(quantity)}


# --- freezes -------------------------------------------------------------------------------


def freeze(ctx: CommandContext, request: ChangeFreeze) -> HoldingVersion:
    """Freeze part of a holding. The reason names the legal ground (e.g. "court order
    2026/123"); it goes on the log, so it must concern the shares, not a person."""
    session, issuer_id = ctx.session, ctx.issuer_id
    code, holder_id, quantity = request.class_code, request.holder_id, request.quantity
    require_quantity(quantity)
    _require_class_and_holder(session, issuer_id, code, holder_id)
    holdings.require_available(session, issuer_id, code, holder_id, quantity)
    ctx.record("holding.frozen", _freeze_data(request))
    return holdings.current(session, issuer_id, code, holder_id)


def unfreeze(ctx: CommandContext, request: ChangeFreeze) -> HoldingVersion:
    """Lift (part of) a freeze; the reason names the ground, e.g. the order that lifts it."""
    session, issuer_id = ctx.session, ctx.issuer_id
    code, holder_id, quantity = request.class_code, request.holder_id, request.quantity
    require_quantity(quantity)
    _require_class_and_holder(session, issuer_id, code, holder_id)
    holding = holdings.current(session, issuer_id, code, holder_id)
    frozen = holding.frozen if holding else 0
    if quantity > frozen:
        raise Refused(
            "exceeds_frozen",
            f"holder {holder_id} has {frozen} {code} shares frozen; {quantity} cannot be unfrozen",
            holder_id=holder_id,
            class_code=code,
            frozen=frozen,
            requested=quantity,
        )
    ctx.record("holding.unfrozen", _freeze_data(request))
    return holdings.current(session, issuer_id, code, holder_id)


def _freeze_data(request: ChangeFreeze) -> dict[str, str]:
    holding = _holding_data(request.class_code, request.holder_id, request.quantity)
    return {**holding, "reason": request.reason}


def apply_holding_frozen(session: Session, entry: Applied) -> None:
    quantity = int(entry.data["quantity"])
    holdings.change(session, entry, entry.data["class"], entry.data["holder_id"], frozen=quantity)


def apply_holding_unfrozen(session: Session, entry: Applied) -> None:
    quantity = int(entry.data["quantity"])
    holdings.change(session, entry, entry.data["class"], entry.data["holder_id"], frozen=-quantity)


# --- pledges -------------------------------------------------------------------------------


def get_pledge(session: Session, issuer_id: str, pledge_id: str) -> Pledge:
    pledge = session.get(Pledge, (issuer_id, pledge_id))
    if pledge is None:
        raise NotFound(f"no pledge {pledge_id}", pledge_id=pledge_id)
    return pledge


def register_pledge(ctx: CommandContext, request: RegisterPledge) -> Pledge:
    """Register shares pledged as security. The pledgee is the secretary's reference to the
    secured party (an institution's name and facility reference); it goes on the log, so it
    must never be a private person's details."""
    session, issuer_id = ctx.session, ctx.issuer_id
    code, holder_id, quantity = request.class_code, request.holder_id, request.quantity
    require_quantity(quantity)
    _require_class_and_holder(session, issuer_id, code, holder_id)
    holdings.require_available(session, issuer_id, code, holder_id, quantity)
    # The id is drawn here and carried by the entry, so replay recreates the same pledge.
    pledge_id = str(uuid.uuid4())
    data = {"pledge_id": pledge_id, **_holding_data(code, holder_id, quantity)}
    ctx.record("pledge.registered", {**data, "pledgee": request.pledgee})
    return get_pledge(session, issuer_id, pledge_id)


def release_pledge(ctx: CommandContext, request: ReleasePledge) -> Pledge:
    """Release a whole pledge: its shares become available again."""
    pledge_id = request.pledge_id
    pledge = get_pledge(ctx.session, ctx.issuer_id, pledge_id)
    if pledge.released_index is not None:
        raise Refused(
            "pledge_released",
            f"pledge {pledge_id} was already released (log entry {pledge.released_index})",
            pledge_id=pledge_id,
            released_index=pledge.released_index,
        )
    ctx.record("pledge.released", {"pledge_id": pledge_id})
    return pledge


def apply_pledge_registered(session: Session, entry: Applied) -> None:
    quantity = int(entry.data["quantity"])
    session.add(
        Pledge(
            issuer_id=entry.issuer_id,
            pledge_id=entry.data["pledge_id"],
            class_code=entry.data["class"],
            holder_id=entry.data["holder_id"],
            quantity=quantity,
            pledgee=entry.data["pledgee"],
            registered_index=entry.index,
            released_index=None,
        )
    )
    holdings.change(session, entry, entry.data["class"], entry.data["holder_id"], pledged=quantity)
    session.flush()


def apply_pledge_released(session: Session, entry: Applied) -> None:
    pledge = get_pledge(session, entry.issuer_id, entry.data["pledge_id"])
    pledge.released_index = entry.index
    holdings.change(session, entry, pledge.class_code, pledge.holder_id, pledged=-pledge.quantity)


# --- forced transfers ----------------------------------------------------------------------


# Frees reserved shares of the forced transfer's holding: (ctx, request, needed) -> the shares
# freed, at least `needed`. The workflow that reserves shares installs it (`app.transfers`
# above the register, which must not import it); without one, reserved shares stay untouched.
ReservationRelease = Callable[[CommandContext, ForcedTransfer, int], int]
_release_reserved: list[ReservationRelease] = []


def install_reservation_release(release: ReservationRelease) -> None:
    """Let forced transfers take reserved shares by freeing them with `release` (once)."""
    if _release_reserved and _release_reserved[0] is not release:
        raise RuntimeError("forced transfers already have a reservation release")
    _release_reserved[:] = [release]


def forced_transfer(ctx: CommandContext, request: ForcedTransfer) -> Applied:
    """Move shares under a legal order (e.g. a court order number in `legal_reference`),
    without the transferor's instrument. Unrestricted shares go first, frozen shares next (the
    freeze shrinks by what is taken from it), reserved shares last: the installed release
    (the workflow's, `app.transfers.forced`) first frees enough of them in the same command,
    logging each freed instruction's end. Pledged shares are never taken."""
    session, issuer_id = ctx.session, ctx.issuer_id
    code, quantity = request.class_code, request.quantity
    from_holder_id, to_holder_id = request.from_holder_id, request.to_holder_id
    require_quantity(quantity)
    if from_holder_id == to_holder_id:
        raise InvalidInput("a transfer needs two different holders", field="to_holder_id")
    _require_class_and_holder(session, issuer_id, code, from_holder_id)
    require_active_holder(session, issuer_id, to_holder_id)
    holding = holdings.current(session, issuer_id, code, from_holder_id)
    free, frozen, reserved = (
        (holding.available, holding.frozen, holding.reserved) if holding else (0, 0, 0)
    )
    takeable_reserved = reserved if _release_reserved else 0
    if quantity > free + frozen + takeable_reserved:
        raise Refused(
            "insufficient_transferable",
            f"holder {from_holder_id} has {free + frozen + takeable_reserved} {code} shares "
            f"that a forced transfer may take ({free} available, {frozen} frozen, "
            f"{takeable_reserved} reserved; pledged shares cannot be taken), {quantity} ordered",
            holder_id=from_holder_id,
            class_code=code,
            available=free,
            frozen=frozen,
            pledged=holding.pledged if holding else 0,
            reserved=reserved,
            requested=quantity,
        )
    frozen_taken = min(frozen, max(0, quantity - free))
    needed = quantity - free - frozen_taken
    if needed > 0:
        _release_reserved[0](ctx, request, needed)
    data = {
        "class": code,
        "from_holder_id": from_holder_id,
        "to_holder_id": to_holder_id,
        "quantity": str(quantity),
        "frozen_taken": str(frozen_taken),
        "legal_reference": request.legal_reference,
    }
    return ctx.record("transfer.forced", data)


def apply_transfer_forced(session: Session, entry: Applied) -> None:
    quantity, frozen_taken = int(entry.data["quantity"]), int(entry.data["frozen_taken"])
    code = entry.data["class"]
    holdings.change(
        session, entry, code, entry.data["from_holder_id"], held=-quantity, frozen=-frozen_taken
    )
    holdings.change(session, entry, code, entry.data["to_holder_id"], held=quantity)
