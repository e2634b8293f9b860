"""Registering and amending issuers. Each command appends to the issuer's own log."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ledger.log import Ledger, LogNotFound
from app.models.issuer import Issuer
from app.register.errors import Duplicate, InvalidInput
from app.register.projection import Applied
from app.register.queries import get_issuer, unknown_issuer
from app.register.requests import AmendIssuer, RegisterIssuer, amended_fields

if TYPE_CHECKING:
    from app.register.context import CommandContext

ISSUER_FIELDS = ("legal_name", "registration_number", "jurisdiction", "lei", "disclosure_profile")


def lei_is_valid(lei: str) -> bool:
    """ISO 17442: 18 alphanumerics and two check digits, valid under ISO 7064 MOD 97-10."""
    if len(lei) != 20 or not lei.isalnum() or not lei.isascii() or not lei[18:].isdigit():
        return False
    digits = "".join(str(int(char, 36)) for char in lei.upper())
    return int(digits) % 97 == 1


def lock_issuer(session: Session, ledger: Ledger, issuer_id: str) -> Issuer:
    """Start a command on one issuer: lock its log first, so every read after this is current."""
    try:
        ledger.lock(session, issuer_id)
    except LogNotFound:
        raise unknown_issuer(issuer_id) from None
    return get_issuer(session, issuer_id)


def _check_unique(session: Session, fields: Mapping[str, Any], exclude_id: str | None) -> None:
    same_registration = select(Issuer.id).where(
        Issuer.jurisdiction == fields["jurisdiction"],
        Issuer.registration_number == fields["registration_number"],
    )
    if exclude_id:
        same_registration = same_registration.where(Issuer.id != exclude_id)
    if session.scalar(same_registration):
        raise Duplicate(
            "an issuer with this registration number is already registered in this jurisdiction",
            field="registration_number",
        )
    if fields.get("lei"):
        same_lei = select(Issuer.id).where(Issuer.lei == fields["lei"])
        if exclude_id:
            same_lei = same_lei.where(Issuer.id != exclude_id)
        if session.scalar(same_lei):
            raise Duplicate("an issuer with this LEI is already registered", field="lei")


def _check_lei(fields: Mapping[str, Any]) -> None:
    lei = fields.get("lei")
    if lei and not lei_is_valid(lei):
        raise InvalidInput("the LEI's check digits are wrong (ISO 17442)", field="lei")


def register_issuer(ctx: CommandContext, request: RegisterIssuer) -> Issuer:
    """Open a new issuer's log; the command locks no issuer before, since none exists yet."""
    fields = asdict(request)
    _check_lei(fields)
    _check_unique(ctx.session, fields, exclude_id=None)
    issuer_id = str(uuid.uuid4())
    ctx.ledger.create_log(ctx.session, issuer_id)
    ctx.record("issuer.registered", {"issuer_id": issuer_id, **fields}, issuer_id=issuer_id)
    return ctx.lock(issuer_id)


def amend_issuer(ctx: CommandContext, request: AmendIssuer) -> Issuer:
    issuer = ctx.issuer
    current = issuer.as_log_data()
    amended = {**current, **amended_fields(request)}
    changed = {name: amended[name] for name in ISSUER_FIELDS if amended[name] != current[name]}
    if not changed:
        raise InvalidInput("the amendment changes nothing")
    _check_lei(amended)
    _check_unique(ctx.session, amended, exclude_id=issuer.id)
    ctx.record("issuer.amended", {"issuer_id": issuer.id, "changes": changed})
    return issuer


def apply_issuer_registered(session: Session, entry: Applied) -> None:
    session.add(
        Issuer(
            id=entry.issuer_id,
            registered_at=entry.recorded_at,
            last_log_index=entry.index,
            **{name: entry.data[name] for name in ISSUER_FIELDS},
        )
    )
    session.flush()


def apply_issuer_amended(session: Session, entry: Applied) -> None:
    issuer = get_issuer(session, entry.issuer_id)
    for name, value in entry.data["changes"].items():
        setattr(issuer, name, value)
    issuer.last_log_index = entry.index
