"""One log entry in the browser, as the confirmation after a command: what happened in words,
the exact leaf, its hash, and its inclusion proof in the latest signed checkpoint, with how to
check it without trusting this server."""

from __future__ import annotations

import base64
import json

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from app.extensions import db
from app.ledger import log
from app.ledger.queries import entries_at
from app.route_access import ISSUER_READ, access
from app.web import entry_words
from app.web.confirm import local_path
from app.web.page_access import reader_of

blp = Blueprint("entries", __name__, url_prefix="/issuers")


@blp.route("/<issuer_id>/entries/<int:index>")
@access(ISSUER_READ)
@login_required
def entry(issuer_id: str, index: int):
    reader_of(issuer_id)
    checkpoint = log.latest_checkpoint(db.session, issuer_id)
    if checkpoint is None or index >= checkpoint.tree_size:
        abort(404)
    (found,) = entries_at(db.session, issuer_id, [index])
    (described,) = entry_words.describe(db.session, issuer_id, [found.envelope])
    proof = log.inclusion_proof(db.session, issuer_id, index, checkpoint.tree_size)
    return render_template(
        "entry.html",
        issuer_id=issuer_id,
        entry=described,
        leaf=json.dumps(found.envelope, indent=2, ensure_ascii=False),
        leaf_base64=base64.b64encode(found.leaf).decode(),
        leaf_hash=found.leaf_hash.hex(),
        proof=[node.hex() for node in proof],
        checkpoint=checkpoint,
        then=local_path(request.args.get("then")),
    )
