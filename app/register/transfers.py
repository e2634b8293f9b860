"""Transfers lodged by the secretary (an executed instrument of transfer): settled at once.
The multi-party workflow (instructed, accepted, approved) builds on `settle_transfer`."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.ledger.log import Ledger
from app.register import classes, holdings
from app.register.errors import InvalidInput
from app.register.holders import require_active_holder
from app.register.issuers import lock_issuer
from app.register.limits import require_quantity
from app.register.projection import Applied, record
from app.register.ratios import decimal_text


def lodge_transfer(
    session: Session, ledger: Ledger, actor: str, issuer_id: str, transfer: Mapping[str, Any]
) -> Applied:
    """transfer: class, from_holder_id, to_holder_id, quantity, instrument_reference, and
    optionally consideration with currency."""
    lock_issuer(session, ledger, issuer_id)
    return settle_transfer(session, ledger, actor, issuer_id, transfer)


def settle_transfer(
    session: Session, ledger: Ledger, actor: str, issuer_id: str, transfer: Mapping[str, Any]
) -> Applied:
    """Check and record a settled transfer inside a command that has locked the issuer."""
    code, quantity = transfer["class"], transfer["quantity"]
    require_quantity(quantity)
    source, target = transfer["from_holder_id"], transfer["to_holder_id"]
    if source == target:
        raise InvalidInput("a transfer needs two different holders", field="to_holder_id")
    classes.get_class(session, issuer_id, code)
    require_active_holder(session, issuer_id, source)
    require_active_holder(session, issuer_id, target)
    holdings.require_available(session, issuer_id, code, source, quantity)
    data = {
        "class": code,
        "from_holder_id": source,
        "to_holder_id": target,
        "quantity": str(quantity),
        "instrument_reference": transfer["instrument_reference"],
    }
    if transfer.get("consideration") is not None:
        data["consideration"] = decimal_text(Decimal(transfer["consideration"]))
        data["currency"] = transfer["currency"]
    return record(session, ledger, issuer_id, actor, "transfer.settled", data)


def apply_transfer_settled(session: Session, entry: Applied) -> None:
    quantity = int(entry.data["quantity"])
    code = entry.data["class"]
    holdings.change(session, entry, code, entry.data["from_holder_id"], held=-quantity)
    holdings.change(session, entry, code, entry.data["to_holder_id"], held=quantity)
