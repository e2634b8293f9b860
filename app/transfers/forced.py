"""A forced transfer that needs reserved shares ends the pending instructions holding them.

The register's `restrictions.forced_transfer` owns the forced transfer; it may not import this
package (the register sits below the workflow), so the workflow installs `release_for_forced`
as the register's reservation release, as `appliers.install_appliers` installs its appliers.
Every caller of the forced transfer (API, CLI, imports, tests) then gets the same behaviour.

Newest instructions go first: order of receipt gives the earliest the best claim to the shares.
Each cancellation is its own `transfer.cancelled` entry, in the forced transfer's command and
before its `transfer.forced` entry, carrying the order's legal reference and a reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.register.holdings import RegisterInvariantError
from app.register.requests import ForcedTransfer
from app.register.restrictions import install_reservation_release
from app.transfers import queries

if TYPE_CHECKING:
    from app.register.context import CommandContext

FORCED_TRANSFER = "forced_transfer"


def release_for_forced(ctx: CommandContext, request: ForcedTransfer, needed: int) -> int:
    """Cancel the transferor's pending instructions on the class, newest first, until at least
    `needed` shares are free; the shares freed."""
    pending = queries.pending_on_holding(
        ctx.session, ctx.issuer_id, request.class_code, request.from_holder_id
    )
    text = f"cancelled: a forced transfer under {request.legal_reference} needs these shares"
    freed = 0
    for instruction in reversed(pending):
        if freed >= needed:
            break
        data = {
            "instruction_id": instruction.instruction_id,
            "legal_reference": request.legal_reference,
            "reasons": [{"code": FORCED_TRANSFER, "text": text}],
        }
        ctx.record("transfer.cancelled", data)
        freed += instruction.quantity
    if freed < needed:
        # The holding's reservation is the sum of its pending instructions.
        raise RegisterInvariantError(
            f"holder {request.from_holder_id}'s pending instructions reserve {freed} "
            f"{request.class_code} shares, fewer than the {needed} its reservation says"
        )
    return freed


def install_release() -> None:
    install_reservation_release(release_for_forced)
