"""Share classes: created and amended by log entries; totals issued never change by transfer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app.models.register import ShareClass
from app.register.errors import Duplicate, InvalidInput, Refused
from app.register.limits import require_countable
from app.register.projection import Applied
from app.register.queries import get_class
from app.register.ratios import decimal_text
from app.register.requests import AmendClass, CreateClass, amended_fields

if TYPE_CHECKING:
    from app.register.context import CommandContext

CLASS_FIELDS = ("name", "votes_per_share", "par_value", "currency", "authorised")


def _log_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Class fields as the log carries them: numbers that could be large or exact as strings."""
    authorised = fields.get("authorised")
    return {
        "name": fields["name"],
        "votes_per_share": str(fields["votes_per_share"]),
        "par_value": decimal_text(Decimal(fields["par_value"])),
        "currency": fields["currency"],
        "authorised": None if authorised is None else str(authorised),
    }


def create_class(ctx: CommandContext, request: CreateClass) -> ShareClass:
    issuer_id, code = ctx.issuer_id, request.code
    if ctx.session.get(ShareClass, (issuer_id, code)) is not None:
        raise Duplicate(f"share class {code} already exists", field="code")
    ctx.record("class.created", {"class": code, **_log_fields(asdict(request))})
    return get_class(ctx.session, issuer_id, code)


def amend_class(ctx: CommandContext, request: AmendClass) -> ShareClass:
    code = request.code
    share_class = get_class(ctx.session, ctx.issuer_id, code)
    changes = amended_fields(request, exclude=("code",))
    current = _log_fields({name: getattr(share_class, name) for name in CLASS_FIELDS})
    amended = _log_fields({**current, **changes})
    changed = {name: value for name, value in amended.items() if value != current[name]}
    if not changed:
        raise InvalidInput("the amendment changes nothing")
    authorised = changes.get("authorised", share_class.authorised)
    if authorised is not None and authorised < share_class.issued:
        raise Refused(
            "authorised_below_issued",
            f"{share_class.issued} {code} shares are issued; the authorised number cannot be lower",
            issued=share_class.issued,
        )
    ctx.record("class.amended", {"class": code, "changes": changed})
    return share_class


def _set_fields(share_class: ShareClass, data: Mapping[str, Any]) -> None:
    for name in CLASS_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "votes_per_share" or (name == "authorised" and value is not None):
            value = int(value)
        setattr(share_class, name, value)


def apply_class_created(session: Session, entry: Applied) -> None:
    share_class = ShareClass(
        issuer_id=entry.issuer_id,
        code=entry.data["class"],
        issued=0,
        created_index=entry.index,
        last_log_index=entry.index,
    )
    _set_fields(share_class, entry.data)
    session.add(share_class)
    session.flush()


def apply_class_amended(session: Session, entry: Applied) -> None:
    share_class = get_class(session, entry.issuer_id, entry.data["class"])
    _set_fields(share_class, entry.data["changes"])
    share_class.last_log_index = entry.index


def change_issued(session: Session, entry: Applied, code: str, delta: int) -> ShareClass:
    """Issued totals move only by issuance, cancellation and the like, never by transfer."""
    share_class = get_class(session, entry.issuer_id, code)
    share_class.issued += delta
    share_class.last_log_index = entry.index
    return share_class


def require_authorised(share_class: ShareClass, additional: int) -> None:
    require_countable(
        share_class.issued + additional,
        f"the number of {share_class.code} shares issued",
        class_code=share_class.code,
    )
    if share_class.authorised is not None and share_class.issued + additional > (
        share_class.authorised
    ):
        raise Refused(
            "authorised_exceeded",
            f"issuing {additional} {share_class.code} shares would exceed the authorised "
            f"{share_class.authorised} ({share_class.issued} already issued)",
            class_code=share_class.code,
            authorised=share_class.authorised,
            issued=share_class.issued,
            requested=additional,
        )
