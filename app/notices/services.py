"""Setting an issuer's disclosure profile: an `issuer.amended` entry, like any amendment of
the issuer, so the profile in force at any point is on the log."""

from __future__ import annotations

from dataclasses import dataclass

from app.models.issuer import Issuer
from app.notices.profiles import PROFILE_NAMES
from app.register.context import CommandContext
from app.register.errors import InvalidInput
from app.register.issuers import amend_issuer
from app.register.requests import AmendIssuer


@dataclass(frozen=True)
class SetDisclosureProfile:
    profile: str


def set_disclosure_profile(ctx: CommandContext, request: SetDisclosureProfile) -> Issuer:
    """Set the profile the issuer's crossings are computed by (from the next command on)."""
    if request.profile not in PROFILE_NAMES:
        raise InvalidInput(
            f"the disclosure profile is one of {', '.join(PROFILE_NAMES)}", field="profile"
        )
    if ctx.issuer.disclosure_profile == request.profile:
        raise InvalidInput(
            f"the issuer's disclosure profile is already {request.profile}", field="profile"
        )
    return amend_issuer(ctx, AmendIssuer(disclosure_profile=request.profile))
