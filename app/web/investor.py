"""The investor's pages: my holdings, my substantial-holding notices, the company's latest
disclosures, my entries on the log (checked in the browser against the signed checkpoint and
the key the browser pinned), and who read my register details."""

from __future__ import annotations

from base64 import b64encode
from functools import wraps

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import current_user, login_required

from app.commands import current_ledger
from app.disclosures import queries as disclosure_queries
from app.errors import error_response
from app.extensions import db
from app.ledger import keyring, log
from app.ledger.queries import entries_at
from app.models.register import Holder, HolderDetails
from app.notices import queries as notice_queries
from app.register import access_reads, holder_entries, holders, queries
from app.route_access import INVESTOR, access
from app.web import entry_words, instruction_rows
from app.web.forms import StepForm

blp = Blueprint("investor", __name__, url_prefix="/me")

NOTICES_SHOWN = 20
DISCLOSURES_SHOWN = 5


def investor_only(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if current_user.role != "investor" or current_user.holder_id is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def _holder() -> tuple[Holder, HolderDetails | None]:
    return queries.holder_with_details(db.session, current_user.issuer_id, current_user.holder_id)


def investor_holder() -> tuple[Holder, HolderDetails | None]:
    """The logged-in investor's holder and register details."""
    return _holder()


def _b64(data: bytes) -> str:
    return b64encode(data).decode("ascii")


@blp.route("/")
@access(INVESTOR)
@investor_only
def dashboard():
    holder, details = _holder()
    indexes = holder_entries.entry_indexes(db.session, holder)
    return render_template(
        "investor.html",
        issuer=queries.get_issuer(db.session, holder.issuer_id),
        log_origin=log.get_state(db.session, holder.issuer_id).origin,
        holder=holder,
        details=details,
        holdings=queries.current_holdings(db.session, holder.issuer_id, holder.holder_id),
        entry_count=len(indexes),
        history=entry_words.describe(
            db.session,
            holder.issuer_id,
            [e.envelope for e in reversed(entries_at(db.session, holder.issuer_id, indexes))],
        ),
        accesses=access_reads.accesses(db.session, holder.issuer_id, holder.holder_id, limit=20),
        notices=notice_queries.holder_notices(
            db.session, holder.issuer_id, holder.holder_id, NOTICES_SHOWN
        ),
        transfers=instruction_rows.instructions_of_holder(
            db.session, holder.issuer_id, holder.holder_id, current_ledger().clock()
        ),
        disclosures=disclosure_queries.disclosures_page(
            db.session,
            holder.issuer_id,
            include_members=disclosure_queries.may_see_members_items(
                db.session, current_user._get_current_object(), holder.issuer_id
            ),
            after=None,
            limit=DISCLOSURES_SHOWN,
        ),
        step_form=StepForm,
    )


@blp.route("/proofs.json")
@access(INVESTOR)
@investor_only
def proofs():
    """What the browser checks my entries with: the signed checkpoint, the index of every entry
    that concerns me, each of those leaves with its inclusion proof, and my salt. The keys it
    carries are only offered for pinning: the browser trusts the key it pinned, not these."""
    holder, details = _holder()
    checkpoint = log.latest_checkpoint(db.session, holder.issuer_id)
    size = checkpoint.tree_size
    indexes = [i for i in holder_entries.entry_indexes(db.session, holder) if i < size]
    entries = []
    for index in indexes:
        (entry,) = log.read_entries(db.session, holder.issuer_id, index, index + 1)
        proof = log.inclusion_proof(db.session, holder.issuer_id, index, size)
        entries.append(
            {
                "index": index,
                "leaf": _b64(entry.leaf),
                "proof": [_b64(node) for node in proof],
                "kind": entry.envelope["kind"],
                "recorded_at": entry.envelope["recorded_at"],
            }
        )
    return jsonify(
        {
            "issuer_id": holder.issuer_id,
            "holder_id": holder.holder_id,
            "checkpoint": checkpoint.note,
            "tree_size": size,
            "vkeys": [key.vkey for key in keyring.published_keys(db.session)],
            "indexes": indexes,
            "entries": entries,
            "commitment": {
                "value": holder.commitment,
                "salt": details.salt if details else None,
                "details": holders.details_of(details) if details else None,
            },
        }
    )


def _size_argument(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() else None


@blp.route("/log/proof/consistency")
@access(INVESTOR)
@investor_only
def consistency():
    """The consistency proof between two sizes of my issuer's log, for the browser to check
    that the log still extends the largest checkpoint it verified before (the API's
    `/api/v1/issuers/{id}/log/proof/consistency`, for a logged-in investor)."""
    issuer_id = current_user.issuer_id
    first, second = _size_argument("first"), _size_argument("second")
    if first is None or second is None:
        return error_response(
            400, "invalid_parameters", "first and second must be whole numbers (tree sizes)"
        )
    signed = log.signed_size(db.session, issuer_id)
    if first > signed:
        return error_response(
            409,
            "log_rolled_back",
            f"the log is shorter than a checkpoint you hold: it was rolled back "
            f"(your checkpoint has {first} entries, the log has {signed} signed)",
        )
    if not first <= second <= signed:
        return error_response(
            400,
            "invalid_parameters",
            f"first must not exceed second, nor second the log's signed size {signed}",
        )
    proof = log.consistency_proof(db.session, issuer_id, first, second)
    return jsonify({"first": first, "second": second, "proof": [_b64(node) for node in proof]})
