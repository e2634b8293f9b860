"""Register snapshots for regulators: the register as of a signed tree size, with the signed
checkpoint of that size, as JSON, CSV, an Open Cap Table Format package or printable HTML.

Every format is streamed: the response starts before the last row is read. JSON, CSV and HTML
hold no rows in memory however large the register; the OCF package keeps a small record per
holder (their open OCF securities, see app.interchange.formats.ocf_transactions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flask import Response, request, stream_with_context
from flask_smorest import Blueprint

from app.api.access import require_read
from app.api.errors import ErrorSchema
from app.api.purpose import reads_personal_data
from app.api.snapshot_schemas import SnapshotQuery, SnapshotSchema
from app.auth.disclosure import disclose_read
from app.extensions import db
from app.interchange.formats import ocf_export, snapshot_csv, snapshot_html, snapshot_json
from app.ledger.log import utc_now
from app.register import snapshot as snapshots
from app.route_access import ISSUER_READ, access

blp = Blueprint("snapshot", __name__, url_prefix="/api/v1", description="Register snapshots")

# The OpenAPI answer: one 200 response in four media types, chosen by `format`.
RESPONSE_DOC = {
    "200": {
        "description": "The snapshot: JSON (default), CSV (one row per holding), an OCF 1.2.0 "
        "zip or a printable HTML register of members. `X-Tree-Size` gives the size.",
        "content": {
            snapshot_json.MEDIA_TYPE: {"schema": SnapshotSchema},
            snapshot_csv.MEDIA_TYPE: {"schema": {"type": "string"}},
            snapshot_html.MEDIA_TYPE: {"schema": {"type": "string"}},
            ocf_export.MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    },
    "404": {
        "description": "No such issuer (`not_found`), or no checkpoint at that size or before "
        "that moment (`no_checkpoint`)",
        "content": {"application/json": {"schema": ErrorSchema}},
    },
}


def _json(taken: snapshots.Snapshot) -> Iterator[str]:
    return snapshot_json.render(taken, snapshots.holdings(db.session, taken))


def _csv(taken: snapshots.Snapshot) -> Iterator[str]:
    return snapshot_csv.render(snapshots.holdings(db.session, taken))


def _html(taken: snapshots.Snapshot) -> Iterator[str]:
    return snapshot_html.printable(db.session, taken, request.url_root)


def _ocf(taken: snapshots.Snapshot) -> Iterator[bytes]:
    return ocf_export.render(db.session, taken, generated_at=utc_now())


# format -> (body, media type, file extension for a download; None: shown inline)
FORMATS: dict[str, tuple[Callable[[snapshots.Snapshot], Iterator], str, str | None]] = {
    "json": (_json, snapshot_json.MEDIA_TYPE, None),
    "csv": (_csv, snapshot_csv.MEDIA_TYPE, "csv"),
    "ocf": (_ocf, ocf_export.MEDIA_TYPE, "ocf.zip"),
    "html": (_html, snapshot_html.MEDIA_TYPE, None),
}


@blp.route("/issuers/<issuer_id>/snapshot")
@access(ISSUER_READ)
@blp.arguments(SnapshotQuery, location="query", error_status_code=400)
@blp.doc(responses=RESPONSE_DOC)
@reads_personal_data
def snapshot(query, issuer_id):
    """The register as of a signed tree size (`tree_size`, `as_of`, default the latest).

    Only checkpointed sizes can be asked for (404 `no_checkpoint` otherwise); a size beyond the
    log is 400 `out_of_range`. Reads by regulators, auditors and operators are written to the
    access log."""
    principal = require_read(issuer_id)
    # Resolve the size and totals before answering, so that bad parameters get a clean error.
    taken = snapshots.take_snapshot(
        db.session, issuer_id, query.get("tree_size"), query.get("as_of")
    )
    disclose_read(principal, issuer_id)
    return snapshot_response(taken, query["format"])


def snapshot_response(taken: snapshots.Snapshot, format_name: str) -> Response:
    """The snapshot streamed in one of FORMATS (the browser's downloads answer the same)."""
    body, media_type, extension = FORMATS[format_name]
    headers = {"X-Tree-Size": str(taken.tree_size)}
    if extension:
        headers["Content-Disposition"] = (
            f'attachment; filename="register-{taken.issuer_id}-{taken.tree_size}.{extension}"'
        )
    return Response(stream_with_context(body(taken)), mimetype=media_type, headers=headers)
