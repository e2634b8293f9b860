"""Every kind of log entry the register knows, and the one function that applies it.

Commands (through `CommandContext.record`) and `log verify`'s replay both apply entries
through this table and nothing else; a kind missing here cannot be written or replayed.

Contexts above the register (`app.transfers`) add their kinds with `install` when they are
imported (the app imports them all at start), since the register must not import them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from app.ledger.keyring import ROTATION_KIND
from app.register import (
    capital,
    classes,
    conversion,
    distributions,
    holders,
    issuance,
    issuers,
    reorganisation,
    restrictions,
    transfers,
)
from app.register.projection import Applier, ignore

_APPLIERS: dict[str, Applier] = {
    "issuer.registered": issuers.apply_issuer_registered,
    "issuer.amended": issuers.apply_issuer_amended,
    "class.created": classes.apply_class_created,
    "class.amended": classes.apply_class_amended,
    "class.split": reorganisation.apply_class_reorganised,
    "class.consolidated": reorganisation.apply_class_reorganised,
    "holder.registered": holders.apply_holder_registered,
    "holder.amended": holders.apply_holder_amended,
    "holder.ceased": holders.apply_holder_ceased,
    "holder.erased": holders.apply_holder_erased,
    "holder.kyc_changed": holders.apply_holder_kyc_changed,
    "shares.issued": issuance.apply_shares_issued,
    "shares.cancelled": capital.apply_shares_removed,
    "shares.repurchased": capital.apply_shares_removed,
    "shares.redeemed": capital.apply_shares_removed,
    "shares.converted": conversion.apply_shares_converted,
    "transfer.settled": transfers.apply_transfer_settled,
    "transfer.forced": restrictions.apply_transfer_forced,
    "holding.frozen": restrictions.apply_holding_frozen,
    "holding.unfrozen": restrictions.apply_holding_unfrozen,
    "pledge.registered": restrictions.apply_pledge_registered,
    "pledge.released": restrictions.apply_pledge_released,
    "distribution.declared": distributions.apply_distribution_declared,
    "distribution.entitlements_fixed": distributions.apply_entitlements_fixed,
    ROTATION_KIND: ignore,
}
APPLIERS: Mapping[str, Applier] = MappingProxyType(_APPLIERS)


def install(appliers: Mapping[str, Applier], extends: Mapping[str, Applier] | None = None) -> None:
    """Add a context's appliers. A kind the register already applies may be taken over only
    by naming, in `extends`, the register's applier that the new one calls."""
    for kind, applier in appliers.items():
        current = _APPLIERS.get(kind)
        if (
            current is not None
            and current is not applier
            and (extends or {}).get(kind) is not current
        ):
            raise RuntimeError(f"{kind} already has an applier; extend it explicitly")
    _APPLIERS.update(appliers)
