"""Reads a supervisor needs without asking anyone (issue 10, "Regulators"): every signed
checkpoint of a log, a holder looked up by identifier across the issuers the token may see,
and the settled transfers of a register. (Issuers by jurisdiction: `GET /issuers`.)"""

from __future__ import annotations

from base64 import b64encode

from flask_smorest import Blueprint

from app.api.access import require_principal, require_read
from app.api.paging import paged
from app.api.register import holder_view
from app.api.regulators_schemas import (
    CheckpointPageSchema,
    HolderLookupQuery,
    HolderLookupSchema,
    IndexPageQuery,
    SettledTransferPageSchema,
)
from app.auth.disclosure import disclose_read
from app.auth.principal import Principal
from app.extensions import db
from app.register import supervision
from app.register.paging import Page
from app.route_access import ISSUER_READ, SIGNED_IN, access

blp = Blueprint("regulators", __name__, url_prefix="/api/v1", description="Supervisory reads")
BAD_PARAMETERS = {"error_status_code": 400}


def visible_issuers(principal: Principal) -> dict[str, str]:
    """id -> legal name of every issuer the principal may read."""
    return {
        issuer.id: issuer.legal_name
        for issuer in supervision.issuers_in(db.session, None)
        if principal.can_read(issuer.id)
    }


@blp.route("/issuers/<issuer_id>/log/checkpoints")
@access(ISSUER_READ)
@blp.arguments(IndexPageQuery, location="query", **BAD_PARAMETERS)
@blp.response(200, CheckpointPageSchema)
def checkpoints(query, issuer_id):
    """Every signed checkpoint of the issuer's log by size, a page at a time (`after` is a
    tree size): what a supervisor keeps to prove later that the log never forked."""
    require_read(issuer_id)
    items, next_after = supervision.checkpoints_page(
        db.session, issuer_id, query.get("after"), query["limit"]
    )
    return paged(
        "checkpoints",
        Page(items, next_after),
        lambda checkpoint: {
            "tree_size": checkpoint.tree_size,
            "root_hash": b64encode(checkpoint.root_hash).decode("ascii"),
            "note": checkpoint.note,
            "signed_at": checkpoint.created_at,
        },
    )


@blp.route("/holders")
@access(SIGNED_IN)
@blp.arguments(HolderLookupQuery, location="query", **BAD_PARAMETERS)
@blp.response(200, HolderLookupSchema)
def find_holders(query):
    """Members registered under an identifier, at every issuer the token may read (current and
    ceased). Each holder found is a read of personal data, written to its issuer's access log
    for regulators, auditors and operators."""
    principal = require_principal()
    issuers = visible_issuers(principal)
    found = supervision.holders_by_identifier(db.session, query["identifier"], issuers.keys())
    for holder, _ in found:
        disclose_read(principal, holder.issuer_id, holder.holder_id)
    return {
        "holders": [
            {
                **holder_view(holder, details),
                "issuer_id": holder.issuer_id,
                "issuer_name": issuers[holder.issuer_id],
            }
            for holder, details in found
        ]
    }


@blp.route("/issuers/<issuer_id>/transfers")
@access(ISSUER_READ)
@blp.arguments(IndexPageQuery, location="query", **BAD_PARAMETERS)
@blp.response(200, SettledTransferPageSchema)
def settled_transfers(query, issuer_id):
    """Settled transfers in log order (lodged instruments and settled instructions), each as
    its log entry records it, a page at a time (`after` is a log index). An instruction's
    whole history is at `/instructions/{id}`."""
    require_read(issuer_id)
    items, next_after = supervision.settled_transfers_page(
        db.session, issuer_id, query.get("after"), query["limit"]
    )
    return paged("transfers", Page(items, next_after))
