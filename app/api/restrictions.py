"""Restrictions on holdings: freezes, pledges and forced transfers."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.access import require_read, require_write
from app.api.paging import PageQuery, paged
from app.api.register_schemas import HoldingSchema
from app.api.restrictions_schemas import (
    ForcedTransferInputSchema,
    ForcedTransferSchema,
    FreezeSchema,
    PledgeInputSchema,
    PledgeListSchema,
    PledgeSchema,
)
from app.commands import command
from app.extensions import db
from app.register import queries, restrictions
from app.register.requests import ReleasePledge
from app.route_access import ISSUER_READ, ISSUER_WRITE, access

blp = Blueprint(
    "restrictions",
    __name__,
    url_prefix="/api/v1/issuers/<issuer_id>",
    description="Freezes, pledges and forced transfers",
)


@blp.route("/freezes", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(FreezeSchema)
@blp.response(201, HoldingSchema)
def freeze(request, issuer_id):
    """Freeze part of a holding (`holding.frozen`); the shares stay held but not available."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return restrictions.freeze(ctx, request)


@blp.route("/unfreezes", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(FreezeSchema)
@blp.response(201, HoldingSchema)
def unfreeze(request, issuer_id):
    """Lift (part of) a freeze (`holding.unfrozen`)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return restrictions.unfreeze(ctx, request)


@blp.route("/pledges")
@access(ISSUER_READ)
@blp.arguments(PageQuery, location="query")
@blp.response(200, PledgeListSchema)
def list_pledges(query, issuer_id):
    """Every pledge registered on the issuer's shares, active or released, oldest first, a
    page at a time (`after` is a pledge_id)."""
    require_read(issuer_id)
    page = queries.pledges_page(db.session, issuer_id, query.get("after"), query["limit"])
    return paged("pledges", page)


@blp.route("/pledges", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(PledgeInputSchema)
@blp.response(201, PledgeSchema)
def register_pledge(request, issuer_id):
    """Register shares pledged as security (`pledge.registered`)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return restrictions.register_pledge(ctx, request)


@blp.route("/pledges/<pledge_id>/release", methods=["POST"])
@access(ISSUER_WRITE)
@blp.response(200, PledgeSchema)
def release_pledge(issuer_id, pledge_id):
    """Release a whole pledge (`pledge.released`); its shares become available again."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return restrictions.release_pledge(ctx, ReleasePledge(pledge_id))


@blp.route("/forced-transfers", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(ForcedTransferInputSchema)
@blp.response(201, ForcedTransferSchema)
def forced_transfer(request, issuer_id):
    """Transfer shares under a legal order (`transfer.forced`).

    Takes available shares first, then frozen ones (the freeze shrinks accordingly); never
    pledged or reserved shares."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        entry = restrictions.forced_transfer(ctx, request)
    return {"log_index": entry.index, **entry.data}
