"""Holders (members): the log names each by an opaque id and a salted commitment to their
register details; the details themselves stay in `holder_details`, where they can be erased."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import transaction_cache
from app.ledger.canonical import canonical_bytes
from app.models.register import Holder, HolderDetails, HoldingVersion
from app.register.errors import InvalidInput, Refused
from app.register.projection import Applied
from app.register.queries import current_versions, get_holder
from app.register.requests import (
    AmendHolder,
    CeaseHolder,
    EraseHolder,
    RegisterHolder,
    SetKyc,
    amended_fields,
)

if TYPE_CHECKING:
    from app.register.context import CommandContext

DETAIL_FIELDS = (
    "name",
    "address",
    "identifier",
    "country",
    "holder_type",
    "email",
    "joint_holders",
)


def commitment(salt_hex: str, details: Mapping[str, Any]) -> str:
    """SHA-256 over the salt and the RFC 8785 bytes of the details. A holder given the salt can
    recompute it from their own details and find it on the log; nobody else can test guesses."""
    canonical = canonical_bytes({name: details.get(name) for name in DETAIL_FIELDS})
    return hashlib.sha256(bytes.fromhex(salt_hex) + canonical).hexdigest()


def details_of(row: HolderDetails) -> dict[str, Any]:
    return {name: getattr(row, name) for name in DETAIL_FIELDS}


def require_active_holder(session: Session, issuer_id: str, holder_id: str) -> Holder:
    holder = get_holder(session, issuer_id, holder_id)
    if holder.ceased_on is not None:
        raise Refused(
            "holder_ceased",
            f"holder {holder_id} ceased to be a member on {holder.ceased_on.isoformat()}",
            holder_id=holder_id,
        )
    return holder


def _normalised(details: Mapping[str, Any]) -> dict[str, Any]:
    normalised = {name: details.get(name) for name in DETAIL_FIELDS}
    normalised["joint_holders"] = list(details.get("joint_holders") or [])
    return normalised


def live_members_by_identifier(
    session: Session, issuer_id: str, identifiers: Iterable[str] | None = None
) -> dict[str, str]:
    """identifier -> holder_id of the issuer's live (not ceased) members, of those with one of
    `identifiers` when given. The one check that a new member is not an existing one, for a
    registration and for an import alike."""
    query = (
        select(HolderDetails.identifier, HolderDetails.holder_id)
        .join(
            Holder,
            (Holder.issuer_id == HolderDetails.issuer_id)
            & (Holder.holder_id == HolderDetails.holder_id),
        )
        .where(HolderDetails.issuer_id == issuer_id, Holder.ceased_on.is_(None))
        .order_by(Holder.registered_index.desc())  # the earliest member wins the dict
    )
    if identifiers is not None:
        query = query.where(HolderDetails.identifier.in_(list(identifiers)))
    return {identifier: holder_id for identifier, holder_id in session.execute(query)}


def require_new_identifier(session: Session, issuer_id: str, identifier: str) -> None:
    existing = live_members_by_identifier(session, issuer_id, [identifier]).get(identifier)
    if existing is not None:
        raise Refused(
            "duplicate_identifier",
            f"holder {existing} is a member with identifier {identifier} already; if this is "
            "a different person with the same identifier, register them with "
            "same_identifier_different_person",
            identifier=identifier,
            holder_id=existing,
        )


def register_holder(
    ctx: CommandContext,
    request: RegisterHolder,
    *,
    holder_id: str | None = None,
    identifier_checked: bool = False,
) -> Holder:
    """Register a holder in the command's issuer (many in one command, for a crowd or an
    import). `holder_id` sets the new holder's id instead of a fresh UUID, for a caller that
    must choose it; `identifier_checked` says the caller has checked the identifier with
    `live_members_by_identifier` for all its holders at once (an import's plan)."""
    issuer_id = ctx.issuer_id
    holder_id = holder_id or str(uuid.uuid4())
    details = _normalised(asdict(request.details))
    if not (identifier_checked or request.same_identifier_different_person):
        require_new_identifier(ctx.session, issuer_id, details["identifier"])
    salt = secrets.token_hex(16)
    registered_on = request.registered_on or ctx.today()
    data = {
        "holder_id": holder_id,
        "commitment": commitment(salt, details),
        "registered_on": registered_on.isoformat(),
    }
    if request.same_identifier_different_person:
        data["same_identifier_different_person"] = True
    ctx.record("holder.registered", data)
    claim = None if request.same_identifier_different_person else details["identifier"]
    ctx.session.add(
        HolderDetails(
            issuer_id=issuer_id, holder_id=holder_id, salt=salt, identifier_claim=claim, **details
        )
    )
    return get_holder(ctx.session, issuer_id, holder_id)


def amend_holder(ctx: CommandContext, request: AmendHolder) -> Holder:
    issuer_id, holder_id = ctx.issuer_id, request.holder_id
    holder = get_holder(ctx.session, issuer_id, holder_id)
    row = _details_row(ctx.session, issuer_id, holder_id)
    changes = amended_fields(request, exclude=("holder_id",))
    amended = _normalised({**details_of(row), **changes})
    if amended == _normalised(details_of(row)):
        raise InvalidInput("the amendment changes nothing")
    if amended["identifier"] != row.identifier and holder.ceased_on is None:
        require_new_identifier(ctx.session, issuer_id, amended["identifier"])
        row.identifier_claim = amended["identifier"]
    salt = secrets.token_hex(16)
    ctx.record("holder.amended", {"holder_id": holder_id, "commitment": commitment(salt, amended)})
    for name, value in amended.items():
        setattr(row, name, value)
    row.salt = salt
    return holder


def _details_row(session: Session, issuer_id: str, holder_id: str) -> HolderDetails:
    row = session.get(HolderDetails, (issuer_id, holder_id))
    if row is None:
        raise Refused("holder_erased", f"holder {holder_id}'s details were erased")
    return row


def total_held(session: Session, issuer_id: str, holder_id: str) -> int:
    return session.scalar(
        select(func.coalesce(func.sum(HoldingVersion.held), 0)).where(
            HoldingVersion.issuer_id == issuer_id,
            HoldingVersion.holder_id == holder_id,
            current_versions(),
        )
    )


def cease_holder(ctx: CommandContext, request: CeaseHolder) -> Holder:
    issuer_id, holder_id = ctx.issuer_id, request.holder_id
    holder = require_active_holder(ctx.session, issuer_id, holder_id)
    still_held = total_held(ctx.session, issuer_id, holder_id)
    if still_held:
        raise Refused(
            "holder_still_holds",
            f"holder {holder_id} still holds {still_held} shares; a member ceases only when "
            "holding none",
            held=still_held,
        )
    ceased_on = request.ceased_on or ctx.today()
    if ceased_on < holder.registered_on:
        raise InvalidInput("a holder cannot cease before being registered", field="ceased_on")
    ctx.record("holder.ceased", {"holder_id": holder_id, "ceased_on": ceased_on.isoformat()})
    row = ctx.session.get(HolderDetails, (issuer_id, holder_id))
    if row is not None:
        row.identifier_claim = None  # a former member's identifier is free for a new one
    return holder


def erase_holder(ctx: CommandContext, request: EraseHolder) -> Holder:
    """Answer an erasure request: delete the details and the salt of a ceased holder. The log
    keeps its commitment, which without the salt links to nobody."""
    issuer_id, holder_id = ctx.issuer_id, request.holder_id
    holder = get_holder(ctx.session, issuer_id, holder_id)
    if holder.ceased_on is None:
        raise Refused(
            "holder_not_ceased",
            "only a holder who has ceased to be a member can be erased",
            holder_id=holder_id,
        )
    row = _details_row(ctx.session, issuer_id, holder_id)
    ctx.record("holder.erased", {"holder_id": holder_id})
    ctx.session.delete(row)
    return holder


def set_kyc(ctx: CommandContext, request: SetKyc) -> Holder:
    """Record the outcome of the company's identity checks on a holder (`holder.kyc_changed`);
    the checks' evidence stays with the company, the log says only verified or not."""
    holder = require_active_holder(ctx.session, ctx.issuer_id, request.holder_id)
    if holder.kyc_verified == request.verified:
        raise InvalidInput(
            f"holder {request.holder_id} is {'already' if request.verified else 'not'} "
            "KYC verified",
            field="verified",
        )
    ctx.record("holder.kyc_changed", {"holder_id": holder.holder_id, "verified": request.verified})
    return holder


def apply_holder_kyc_changed(session: Session, entry: Applied) -> None:
    holder = get_holder(session, entry.issuer_id, entry.data["holder_id"])
    holder.kyc_verified = bool(entry.data["verified"])
    holder.last_log_index = entry.index


def apply_holder_registered(session: Session, entry: Applied) -> None:
    holder = Holder(
        issuer_id=entry.issuer_id,
        holder_id=entry.data["holder_id"],
        commitment=entry.data["commitment"],
        registered_on=date.fromisoformat(entry.data["registered_on"]),
        ceased_on=None,
        erased=False,
        kyc_verified=False,
        registered_index=entry.index,
        member_number=next_member_number(session, entry.issuer_id),
        last_log_index=entry.index,
    )
    session.add(holder)
    transaction_cache(session, "holders")[(entry.issuer_id, holder.holder_id)] = holder


def next_member_number(session: Session, issuer_id: str) -> int:
    """The number of the next member entered on the issuer's register: one more than the
    last. Each `holder.registered` entry enters one holder and the log's indexes only grow, so
    this is the order of entry (log index, then holder_id) on replay as when written.

    The last number is read once per transaction (an index seek) and counted on from there:
    a command entering 1,000 members reads it once, and the holders it adds need not be
    flushed to be counted. Commands on one issuer are serialised by its log's lock."""
    last_numbers = transaction_cache(session, "member_numbers")
    if issuer_id not in last_numbers:
        last = select(func.max(Holder.member_number)).where(Holder.issuer_id == issuer_id)
        last_numbers[issuer_id] = session.scalar(last) or 0
    last_numbers[issuer_id] += 1
    return last_numbers[issuer_id]


def apply_holder_amended(session: Session, entry: Applied) -> None:
    holder = get_holder(session, entry.issuer_id, entry.data["holder_id"])
    holder.commitment = entry.data["commitment"]
    holder.last_log_index = entry.index


def apply_holder_ceased(session: Session, entry: Applied) -> None:
    holder = get_holder(session, entry.issuer_id, entry.data["holder_id"])
    holder.ceased_on = date.fromisoformat(entry.data["ceased_on"])
    holder.last_log_index = entry.index


def apply_holder_erased(session: Session, entry: Applied) -> None:
    holder = get_holder(session, entry.issuer_id, entry.data["holder_id"])
    holder.erased = True
    holder.last_log_index = entry.index
