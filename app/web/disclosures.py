"""An issuer's disclosures in the browser and in feed readers: the list and each version's page
(public items without a login; members-only items for the issuer's members, secretary and
supervisors), attachments downloaded only after their hash is checked, the Atom and JSON
feeds of the public items, and the public "check a document" page."""

from __future__ import annotations

import json
import logging
import re
from base64 import b64encode
from io import BytesIO
from typing import NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from app.auth.principal import login_principal
from app.disclosures import queries as disclosure_queries
from app.disclosures.documents import current_store, read_document
from app.disclosures.errors import DocumentCorrupt
from app.extensions import db
from app.ledger import log
from app.register import queries
from app.route_access import PUBLIC, access
from app.web import disclosure_feeds as feeds
from app.web.disclosure_forms import AUDIENCE_LABELS, CATEGORY_LABELS, WithdrawForm
from app.web.markup import render_body, summary_text

blp = Blueprint("disclosure_pages", __name__)
logger = logging.getLogger(__name__)

PAGE_SIZE = 25
# A feed reader wants the latest news, not the archive: the HTML list pages through the rest.
FEED_LENGTH = 50
SHA256 = re.compile(r"[0-9a-f]{64}")


def may_see_members_items(issuer_id: str) -> bool:
    """Members-only items are for the issuer's members (an investor login of one of its
    current holders), its secretary and the supervisors; the query decides who is which."""
    viewer = current_user._get_current_object() if current_user.is_authenticated else None
    return disclosure_queries.may_see_members_items(db.session, viewer, issuer_id)


def may_publish(issuer_id: str) -> bool:
    principal = login_principal()
    return principal is not None and principal.can_write(issuer_id)


def _b64(data: bytes) -> str:
    return b64encode(data).decode("ascii")


def proof_url(issuer_id: str, log_index: int, tree_size: int) -> str:
    return (
        f"{request.script_root}/api/v1/issuers/{issuer_id}/log/proof/inclusion"
        f"?index={log_index}&tree_size={tree_size}"
    )


@blp.errorhandler(DocumentCorrupt)
def corrupt_document(error: DocumentCorrupt):
    """Stored bytes that no longer match the log (a body on a page, a file on download): said
    loudly, logged, and nothing of them is shown or sent."""
    logger.error("document_corrupt: %s (%s)", error.message, request.path)
    return render_template("error.html", status=500, error=error), 500


@blp.app_template_filter("category_label")
def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)


@blp.route("/issuers/<issuer_id>/disclosures")
@access(PUBLIC)
def list_page(issuer_id: str):
    issuer = queries.get_issuer(db.session, issuer_id)
    page = disclosure_queries.disclosures_page(
        db.session,
        issuer_id,
        include_members=may_see_members_items(issuer_id),
        after=request.args.get("after") or None,
        limit=PAGE_SIZE,
    )
    return render_template(
        "disclosures_list.html",
        issuer=issuer,
        page=page,
        first_page=not request.args.get("after"),
        may_publish=may_publish(issuer_id),
    )


def disclosure_page(issuer_id: str, disclosure_id: str, withdraw_form: WithdrawForm | None = None):
    """One version's page; the secretary's amend link and withdrawal form while it is current
    (`withdraw_form`: a refused withdrawal, shown again with its refusals)."""
    issuer = queries.get_issuer(db.session, issuer_id)
    detail = disclosure_queries.get_disclosure(
        db.session, issuer_id, disclosure_id, include_members=may_see_members_items(issuer_id)
    )
    tree_size = log.signed_size(db.session, issuer_id)
    publisher = may_publish(issuer_id) and detail.status == "current"
    return render_template(
        "disclosure.html",
        issuer=issuer,
        item=detail,
        body_html=render_body(detail.body, detail.body_format),
        tree_size=tree_size,
        proof_url=proof_url(issuer_id, detail.log_index, tree_size),
        audience_label=AUDIENCE_LABELS.get(detail.audience, detail.audience),
        withdraw_form=(withdraw_form or WithdrawForm(formdata=None)) if publisher else None,
        may_amend=publisher,
    )


@blp.route("/issuers/<issuer_id>/disclosures/<disclosure_id>")
@access(PUBLIC)
def disclosure(issuer_id: str, disclosure_id: str):
    return disclosure_page(issuer_id, disclosure_id)


@blp.route("/issuers/<issuer_id>/disclosures/<disclosure_id>/files/<sha256>")
@access(PUBLIC)
def download(issuer_id: str, disclosure_id: str, sha256: str):
    """An attachment of a version the visitor may see, sent only if its bytes still hash to
    the SHA-256 on the log."""
    version = disclosure_queries.get_version(
        db.session, issuer_id, disclosure_id, include_members=may_see_members_items(issuer_id)
    )
    attachments = disclosure_queries.attachments_of(db.session, issuer_id, [version])
    attachment = next((a for a in attachments[disclosure_id] if a.sha256 == sha256), None)
    if attachment is None:
        abort(404, f"this disclosure carries no file with SHA-256 {sha256}")
    content = read_document(db.session, current_store(), sha256)
    response = send_file(
        BytesIO(content),
        mimetype=attachment.media_type,
        as_attachment=True,
        download_name=attachment.filename,
    )
    # RFC 9530: the receiver can check what it got against the hash on the page.
    response.headers["Repr-Digest"] = f"sha-256=:{_b64(bytes.fromhex(sha256))}:"
    # Sent from this origin, a file must never be sniffed into HTML that runs.
    response.headers["X-Content-Type-Options"] = "nosniff"
    if version.audience != "public":
        response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/issuers/<issuer_id>/disclosures/<disclosure_id>/proof.json")
@access(PUBLIC)
def proof(issuer_id: str, disclosure_id: str):
    """Everything needed to check, without an API token, that this version's entry is in the
    signed log: the exact leaf, its inclusion proof in the latest signed tree, and that
    checkpoint (verify it with a key from /api/v1/log/keys you obtained independently)."""
    detail = disclosure_queries.get_version(
        db.session, issuer_id, disclosure_id, include_members=may_see_members_items(issuer_id)
    )
    inclusion = disclosure_queries.inclusion_of(db.session, issuer_id, detail.log_index)
    return jsonify(
        {
            "issuer_id": issuer_id,
            "disclosure_id": disclosure_id,
            "index": inclusion.index,
            "tree_size": inclusion.tree_size,
            "leaf": _b64(inclusion.leaf),
            "leaf_hash": _b64(inclusion.leaf_hash),
            "proof": [_b64(node) for node in inclusion.proof],
            "checkpoint": inclusion.checkpoint,
        }
    )


# --- feeds -----------------------------------------------------------------------------------


def _first_published_at(issuer_id: str, latest: disclosure_queries.DisclosureSummary):
    """When the item first appeared: its first version's id is the series id."""
    if latest.version == 1:
        return latest.published_at
    first = disclosure_queries.get_version(
        db.session, issuer_id, latest.series_id, include_members=False
    )
    return first.published_at


def _feed_entry(issuer_id: str, latest: disclosure_queries.DisclosureSummary) -> feeds.FeedEntry:
    """The entry of one item, from its latest version: first published when its first version
    was, updated when it was last amended or withdrawn."""
    # Checked against the logged hash, as on the item's page.
    body = read_document(db.session, current_store(), latest.body_sha256).decode("utf-8")
    withdrawn = latest.status == "withdrawn"
    content = render_body(body, latest.body_format)
    summary = summary_text(content)
    title = latest.title
    if withdrawn:
        notice = f"Withdrawn: {latest.withdrawn_reason}"
        summary, title = f"{notice} {summary}", f"Withdrawn: {title}"
        content = render_body(notice, "text") + content
    return feeds.FeedEntry(
        id=feeds.series_entry_id(latest.series_id),
        title=title,
        url=url_for(
            "disclosure_pages.disclosure",
            issuer_id=issuer_id,
            disclosure_id=latest.disclosure_id,
            _external=True,
        ),
        published=_first_published_at(issuer_id, latest),
        updated=latest.withdrawn_at if withdrawn else latest.published_at,
        summary=summary,
        content_html=str(content),
        category=latest.category,
        language=latest.language,
    )


def _feed_entries(issuer_id: str) -> list[feeds.FeedEntry]:
    """The public items' entries, newest first; never a members-only one, whoever asks."""
    page = disclosure_queries.disclosures_page(
        db.session, issuer_id, include_members=False, limit=FEED_LENGTH
    )
    return [_feed_entry(issuer_id, item) for item in page.items]


def _feed(issuer_id: str, endpoint: str) -> tuple[feeds.Feed, list[feeds.FeedEntry]]:
    issuer = queries.get_issuer(db.session, issuer_id)
    feed = feeds.Feed(
        id=feeds.issuer_feed_id(current_app.config["LOG_ORIGIN"], issuer.id, issuer.registered_at),
        title=f"{issuer.legal_name}: disclosures",
        author=issuer.legal_name,
        self_url=url_for(endpoint, issuer_id=issuer_id, _external=True),
        home_url=url_for("disclosure_pages.list_page", issuer_id=issuer_id, _external=True),
        updated=issuer.registered_at,
    )
    return feed, _feed_entries(issuer_id)


def _feed_response(issuer_id: str, endpoint: str, render, mimetype: str) -> Response:
    """The feed, or 304 when the reader has it: a feed is a function of the issuer's log,
    which only a new signed size changes, so that size (with the feed and the host it is
    addressed by) is its ETag, known before anything is read or rendered."""
    queries.get_issuer(db.session, issuer_id)
    size = log.signed_size(db.session, issuer_id)
    etag = f"{endpoint}-{issuer_id}-{size}-{request.host}"
    if etag in request.if_none_match:
        response = Response(status=304)
    else:
        feed, entries = _feed(issuer_id, endpoint)
        response = Response(render(feed, entries), mimetype=mimetype)
    response.set_etag(etag)
    # Readers revalidate every time; an unchanged feed costs them one small 304.
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return response


@blp.route("/issuers/<issuer_id>/disclosures.atom")
@access(PUBLIC)
def atom(issuer_id: str):
    """The public items as Atom 1.0 (members-only items never appear in a feed)."""
    return _feed_response(
        issuer_id, "disclosure_pages.atom", feeds.atom_feed, feeds.ATOM_MEDIA_TYPE
    )


def _json_feed_bytes(feed: feeds.Feed, entries: list[feeds.FeedEntry]) -> bytes:
    return json.dumps(feeds.json_feed(feed, entries), ensure_ascii=False).encode("utf-8")


@blp.route("/issuers/<issuer_id>/disclosures.json")
@access(PUBLIC)
def json_feed(issuer_id: str):
    """The public items as JSON Feed 1.1."""
    return _feed_response(
        issuer_id, "disclosure_pages.json_feed", _json_feed_bytes, feeds.JSON_FEED_MEDIA_TYPE
    )


# --- check a document ------------------------------------------------------------------------


class CarryingRow(NamedTuple):
    issuer_name: str
    title: str
    page_url: str
    published: str
    status: str
    log_index: int
    proof_url: str


def _carrying_rows(sha256: str) -> list[CarryingRow]:
    """Each public version carrying the hash, linked to its page and to its proof bundle (which
    needs no API token, as the visitor has none)."""
    rows = []
    for found in disclosure_queries.disclosures_carrying(db.session, sha256):
        ids = {"issuer_id": found.issuer_id, "disclosure_id": found.disclosure_id}
        rows.append(
            CarryingRow(
                issuer_name=found.issuer_name,
                title=found.title,
                page_url=url_for("disclosure_pages.disclosure", **ids),
                published=f"{found.published_at:%Y-%m-%d %H:%M}",
                status=found.status,
                log_index=found.log_index,
                proof_url=url_for("disclosure_pages.proof", **ids),
            )
        )
    return rows


@blp.route("/verify-document")
@access(PUBLIC)
def verify_document():
    """Public. With JavaScript the browser hashes a file and asks the API; without it, a
    pasted SHA-256 comes here as ?sha256= and the answer is rendered."""
    sha256 = request.args.get("sha256", "").strip().lower()
    error, carrying = None, None
    if sha256:
        if SHA256.fullmatch(sha256):
            carrying = _carrying_rows(sha256)
        else:
            error = "A SHA-256 is 64 characters, each 0-9 or a-f."
    return render_template(
        "verify_document.html", sha256=sha256, sha256_error=error, carrying=carrying
    ), (422 if error else 200)
