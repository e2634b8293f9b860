"""The log API: keys, checkpoints, entries and proofs, exactly as DESIGN.md's contract."""

from __future__ import annotations

from base64 import b64encode

from flask import Response
from flask_smorest import Blueprint

from app.api.access import require_read
from app.api.log_schemas import (
    CheckpointQuery,
    ConsistencyProofSchema,
    ConsistencyQuery,
    EntriesQuery,
    EntriesSchema,
    InclusionProofSchema,
    InclusionQuery,
    KeysSchema,
)
from app.errors import ApiError
from app.extensions import db
from app.ledger import keyring, log
from app.route_access import ISSUER_READ, PUBLIC, access

blp = Blueprint("log", __name__, url_prefix="/api/v1", description="The verifiable log")

MAX_ENTRIES_PER_PAGE = 1000
BAD_PARAMETERS = {"error_status_code": 400}


def b64(data: bytes) -> str:
    return b64encode(data).decode("ascii")


def _require_within_signed_tree(issuer_id: str, size: int, name: str) -> None:
    signed = log.signed_size(db.session, issuer_id)
    if size > signed:
        raise ApiError(
            400, "out_of_range", f"{name} {size} is beyond the log's signed size {signed}"
        )


@blp.route("/log/keys")
@access(PUBLIC)
@blp.response(200, KeysSchema)
def keys():
    """The verifier keys of every checkpoint ever signed (public)."""
    return {"keys": keyring.published_keys(db.session)}


@blp.route("/issuers/<issuer_id>/log/checkpoint")
@access(ISSUER_READ)
@blp.arguments(CheckpointQuery, location="query", **BAD_PARAMETERS)
@blp.response(200, content_type="text/plain", description="A C2SP signed checkpoint note")
def checkpoint(query, issuer_id):
    """The latest signed checkpoint, or the one of size `tree_size`."""
    require_read(issuer_id)
    if "tree_size" in query:
        _require_within_signed_tree(issuer_id, query["tree_size"], "tree_size")
        found = log.checkpoint_at(db.session, issuer_id, query["tree_size"])
        if found is None:
            raise ApiError(
                404,
                "no_checkpoint",
                f"no checkpoint was signed at size {query['tree_size']}; "
                "checkpoints exist at the size after each command",
            )
    else:
        found = log.latest_checkpoint(db.session, issuer_id)
        if found is None:
            raise ApiError(404, "no_checkpoint", "this log has no checkpoint yet")
    return Response(found.note, mimetype="text/plain")


@blp.route("/issuers/<issuer_id>/log/entries")
@access(ISSUER_READ)
@blp.arguments(EntriesQuery, location="query", **BAD_PARAMETERS)
@blp.response(200, EntriesSchema)
def entries(query, issuer_id):
    """Leaves from `start` up to but not including `end` (at most 1000 a page)."""
    require_read(issuer_id)
    _require_within_signed_tree(issuer_id, query["end"], "end")
    end = min(query["end"], query["start"] + MAX_ENTRIES_PER_PAGE)
    rows = log.read_entries(db.session, issuer_id, query["start"], end)
    return {
        "entries": [
            {"index": row.index, "leaf": b64(row.leaf), "leaf_hash": b64(row.leaf_hash)}
            for row in rows
        ]
    }


@blp.route("/issuers/<issuer_id>/log/proof/inclusion")
@access(ISSUER_READ)
@blp.arguments(InclusionQuery, location="query", **BAD_PARAMETERS)
@blp.response(200, InclusionProofSchema)
def inclusion_proof(query, issuer_id):
    """RFC 6962 inclusion proof of the leaf at `index` in the tree of `tree_size`."""
    require_read(issuer_id)
    index, size = query["index"], query["tree_size"]
    _require_within_signed_tree(issuer_id, size, "tree_size")
    proof = log.inclusion_proof(db.session, issuer_id, index, size)
    (leaf,) = log.read_entries(db.session, issuer_id, index, index + 1)
    return {
        "index": index,
        "tree_size": size,
        "leaf_hash": b64(leaf.leaf_hash),
        "proof": [b64(node) for node in proof],
    }


@blp.route("/issuers/<issuer_id>/log/proof/consistency")
@access(ISSUER_READ)
@blp.arguments(ConsistencyQuery, location="query", **BAD_PARAMETERS)
@blp.response(200, ConsistencyProofSchema)
def consistency_proof(query, issuer_id):
    """RFC 6962 consistency proof between the trees of sizes `first` and `second`."""
    require_read(issuer_id)
    first, second = query["first"], query["second"]
    signed = log.signed_size(db.session, issuer_id)
    if first > signed:
        # A client holds a checkpoint of a longer log than this one: restored from an older
        # backup, or a fork. Said in words, not as a bad parameter.
        raise ApiError(
            409,
            "log_rolled_back",
            f"the log is shorter than a checkpoint you hold: it was rolled back "
            f"(your checkpoint has {first} entries, the log has {signed} signed)",
        )
    _require_within_signed_tree(issuer_id, second, "second")
    if first > second:
        raise ApiError(
            400,
            "invalid_parameters",
            "first must not be greater than second",
            {"first": ["must not be greater than second"]},
        )
    proof = log.consistency_proof(db.session, issuer_id, first, second)
    # Equal sizes have an empty proof; only the roots tell whether the log forked.
    first_root = log.root_at(db.session, issuer_id, first)
    second_root = first_root if first == second else log.root_at(db.session, issuer_id, second)
    return {
        "first": first,
        "second": second,
        "proof": [b64(node) for node in proof],
        "first_root": b64(first_root),
        "second_root": b64(second_root),
    }
