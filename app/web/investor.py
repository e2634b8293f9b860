"""The investor's pages: my holdings, my entries on the log (checked in the browser against the
signed checkpoint), and who read my register details."""

from __future__ import annotations

from base64 import b64encode
from functools import wraps

from flask import Blueprint, abort, jsonify, render_template
from flask_login import current_user, login_required

from app.extensions import db
from app.ledger import keyring, log
from app.models.register import Holder, HolderDetails
from app.register import holders, queries

blp = Blueprint("investor", __name__, url_prefix="/me")


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


@blp.route("/")
@investor_only
def dashboard():
    holder, details = _holder()
    return render_template(
        "investor.html",
        issuer=queries.get_issuer(db.session, holder.issuer_id),
        holder=holder,
        details=details,
        holdings=queries.current_holdings(db.session, holder.issuer_id, holder.holder_id),
        entry_count=len(queries.holder_entry_indexes(db.session, holder)),
        accesses=queries.accesses(db.session, holder.issuer_id, holder.holder_id, limit=20),
    )


@blp.route("/proofs.json")
@investor_only
def proofs():
    """Everything the browser needs to check my entries without trusting this server: the
    signed checkpoint, the published keys, each leaf with its inclusion proof, and my salt."""
    holder, details = _holder()
    checkpoint = log.latest_checkpoint(db.session, holder.issuer_id)
    size = checkpoint.tree_size
    entries = []
    for index in queries.holder_entry_indexes(db.session, holder):
        if index >= size:
            continue
        (entry,) = log.read_entries(db.session, holder.issuer_id, index, index + 1)
        proof = log.inclusion_proof(db.session, holder.issuer_id, index, size)
        entries.append(
            {
                "index": index,
                "leaf": b64encode(entry.leaf).decode(),
                "proof": [b64encode(node).decode() for node in proof],
                "kind": entry.envelope["kind"],
                "recorded_at": entry.envelope["recorded_at"],
            }
        )
    return jsonify(
        {
            "checkpoint": checkpoint.note,
            "tree_size": size,
            "vkeys": [key.vkey for key in keyring.published_keys(db.session)],
            "entries": entries,
            "commitment": {
                "value": holder.commitment,
                "salt": details.salt if details else None,
                "details": holders.details_of(details) if details else None,
            },
        }
    )
