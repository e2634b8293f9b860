"""Issuers: list what the caller may see, register (operator), amend (operator or secretary)."""

from __future__ import annotations

from flask_smorest import Blueprint

from app.api.access import require_principal, require_read, require_role, require_write
from app.api.issuer_schemas import (
    IssuerAmendSchema,
    IssuerInputSchema,
    IssuerListSchema,
    IssuerSchema,
)
from app.api.regulators_schemas import IssuerListQuery
from app.commands import command
from app.extensions import db
from app.register import issuers, queries, supervision
from app.route_access import ISSUER_READ, ISSUER_WRITE, OPERATOR, SIGNED_IN, access

blp = Blueprint("issuers", __name__, url_prefix="/api/v1", description="Issuers")


@blp.route("/issuers")
@access(SIGNED_IN)
@blp.arguments(IssuerListQuery, location="query", error_status_code=400)
@blp.response(200, IssuerListSchema)
def list_issuers(query):
    """The issuers the caller may see, by name; `jurisdiction` keeps those registered there."""
    principal = require_principal()
    issuers_seen = [
        issuer
        for issuer in supervision.issuers_in(db.session, query.get("jurisdiction"))
        if principal.can_read(issuer.id) or principal.issuer_id == issuer.id
    ]
    return {"issuers": queries.with_log_positions(db.session, issuers_seen)}


@blp.route("/issuers", methods=["POST"])
@access(OPERATOR)
@blp.arguments(IssuerInputSchema)
@blp.response(201, IssuerSchema)
def register_issuer(request):
    """Register an issuer and open its log (operator only)."""
    principal = require_role("operator")
    with command(principal.actor) as ctx:
        registered = issuers.register_issuer(ctx, request)
    return queries.issuer_with_log(db.session, registered.id)


@blp.route("/issuers/<issuer_id>")
@access(ISSUER_READ)
@blp.response(200, IssuerSchema)
def get_issuer(issuer_id):
    """One issuer's registered details."""
    require_read(issuer_id)
    return queries.issuer_with_log(db.session, issuer_id)


@blp.route("/issuers/<issuer_id>", methods=["PATCH"])
@access(ISSUER_WRITE)
@blp.arguments(IssuerAmendSchema(partial=True))
@blp.response(200, IssuerSchema)
def amend_issuer(request, issuer_id):
    """Amend an issuer's details; the change is logged as `issuer.amended`."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        issuers.amend_issuer(ctx, request)
    return queries.issuer_with_log(db.session, issuer_id)
