"""Substantial-holding notices, the issuer's disclosure profile, and the persons with
significant control.

The notices list is the company's and the supervisors'; an investor's token of the issuer
reads its own holder's notices only. The profile is set by the company (secretary or
operator). The significant-control view names holders: the company's and the supervisors',
and an outsider's read is written to the access log. Permission is checked before the body.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import request
from flask_smorest import Blueprint

from app.api.access import investor_holder, require_principal, require_read, require_write
from app.api.notices_schemas import (
    ControlQuery,
    NoticeListSchema,
    NoticeQuery,
    ProfileInputSchema,
    ProfileSchema,
    SignificantControlSchema,
)
from app.api.paging import paged
from app.auth.disclosure import disclose_read
from app.commands import command
from app.errors import ApiError
from app.extensions import db
from app.models.issuer import Issuer
from app.notices import queries
from app.notices.profiles import effective_profile
from app.notices.services import set_disclosure_profile
from app.register.queries import get_issuer
from app.route_access import ISSUER_READ, ISSUER_WRITE, PARTY_READ, access

blp = Blueprint(
    "notices",
    __name__,
    url_prefix="/api/v1/issuers/<issuer_id>",
    description="Substantial-holding notices and persons with significant control",
)


@blp.before_request
def _authorise() -> None:
    issuer_id = request.view_args["issuer_id"]
    view = request.endpoint.rpartition(".")[2]
    if view == "set_profile":
        require_write(issuer_id)
    elif view == "list_notices" and investor_holder(require_principal(), issuer_id):
        return  # an investor of this issuer, for its own holder (the view filters)
    else:
        require_read(issuer_id)


def _profile_view(issuer: Issuer) -> dict:
    profile = effective_profile(issuer.disclosure_profile, issuer.jurisdiction)
    return {
        "profile": profile.name,
        "label": profile.label,
        "stored": issuer.disclosure_profile,
        "thresholds": [asdict(threshold) for threshold in profile.thresholds],
        "last_log_index": issuer.last_log_index,
    }


@blp.route("/disclosure-profile")
@access(ISSUER_READ)
@blp.response(200, ProfileSchema)
def get_profile(issuer_id):
    """The disclosure profile in force and its thresholds (% of all votes)."""
    return _profile_view(get_issuer(db.session, issuer_id))


@blp.route("/disclosure-profile", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(ProfileInputSchema)
@blp.response(200, ProfileSchema)
def set_profile(profile_request, issuer_id):
    """Set the disclosure profile (`issuer.amended`); crossings from the next command on are
    computed by it. The profile already in force is refused (422)."""
    principal = require_principal()
    with command(principal.actor, issuer_id) as ctx:
        set_disclosure_profile(ctx, profile_request)
    return _profile_view(get_issuer(db.session, issuer_id))


@blp.route("/notices")
@access(PARTY_READ)
@blp.arguments(NoticeQuery, location="query", error_status_code=400)
@blp.response(200, NoticeListSchema)
def list_notices(query, issuer_id):
    """Substantial-holding notices (`notice.threshold_crossed`), newest first, a page at a
    time (`after` is a log_index). An investor's token sees its own holder's only."""
    holder_id = query.get("holder_id")
    own = investor_holder(require_principal(), issuer_id)
    if own is not None:
        if holder_id not in (None, own):
            raise ApiError(403, "forbidden", "an investor's token reads its own notices only")
        holder_id = own
    after, limit = query.get("after"), query["limit"]
    page = queries.notices_page(db.session, issuer_id, after, limit, holder_id)
    return paged("notices", page)  # the schema reads the Notice rows' attributes


@blp.route("/significant-control")
@access(ISSUER_READ)
@blp.arguments(ControlQuery, location="query", error_status_code=400)
@blp.response(200, SignificantControlSchema)
def significant_control(query, issuer_id):
    """Persons with significant control: holders of 25% or more of all shares or of all votes,
    as of a signed tree size (default the latest; 404 `no_checkpoint` for a size without one).
    Names are personal data: outsiders' reads are written to the access log."""
    principal = require_principal()
    found = queries.significant_control(db.session, issuer_id, query.get("tree_size"))
    disclose_read(principal, issuer_id)
    return asdict(found)
