"""The disclosures API: publish, amend and withdraw (the issuer's secretary), read an issuer's
disclosures (public items without a token, members' items to those allowed), download a
document by its SHA-256, and find every public disclosure that carries a document.

Publishing and amending take multipart/form-data: the fields, and the files as `attachments`.
Who may write is checked before the body is read, and the body is bounded before it is read:
a caller who may not publish gets 401/403 and the service spools nothing.
"""

from __future__ import annotations

import io
from base64 import b64encode
from dataclasses import asdict, replace
from typing import Any

from flask import Response, request, send_file, url_for
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge

from app.api.access import require_write
from app.api.disclosures_schemas import (
    SHA256_PATTERN,
    AmendFormSchema,
    CarriersSchema,
    DisclosureDetailSchema,
    DisclosurePageQuery,
    DisclosurePageSchema,
    PublishFormSchema,
    WithdrawSchema,
)
from app.api.errors import ErrorSchema
from app.api.paging import paged
from app.auth.principal import Principal, token_principal
from app.commands import command
from app.disclosures import queries, services
from app.disclosures.documents import current_store, read_document
from app.disclosures.requests import UploadedFile
from app.document_store import bound_upload
from app.errors import ApiError, error_response
from app.extensions import db
from app.register.queries import get_issuer
from app.route_access import ISSUER_WRITE, PUBLIC, access

blp = Blueprint(
    "disclosures",
    __name__,
    url_prefix="/api/v1",
    description="Disclosures: versions, withdrawals, documents by SHA-256",
)

MULTIPART_FORM = "multipart/form-data"
UPLOAD_VIEWS = frozenset({"publish_disclosure", "amend_disclosure"})


def _view_name() -> str:
    return (request.endpoint or "").rpartition(".")[2]


@blp.before_request
def _authorise() -> None:
    """Writes need the issuer's write access; reads are open (members' items are filtered),
    but a token that is sent must be valid."""
    issuer_id = (request.view_args or {}).get("issuer_id")
    if request.method == "POST":
        require_write(issuer_id)
    else:
        _reader()
        if issuer_id is not None:
            get_issuer(db.session, issuer_id)
    if _view_name() in UPLOAD_VIEWS:
        bound_upload()


def _reader() -> Principal | None:
    """The caller's principal, or None for an anonymous reader; 401 for a bad token."""
    principal = token_principal()
    if principal is None and request.headers.get("Authorization"):
        raise ApiError(401, "unauthorized", "the bearer token is not valid (or was revoked)")
    return principal


@blp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> Response:
    store = current_store()
    if request.content_length and request.content_length > (request.max_content_length or 0):
        return error_response(
            413,
            "attachment_too_large",
            f"the upload is too large: at most {services.MAX_ATTACHMENTS} attachments of "
            f"{store.max_attachment_bytes:,} bytes each",
            details={"limit": store.max_attachment_bytes},
        )
    return error_response(
        413,
        "body_too_large",
        f"a text field is too large: the body may be at most {services.MAX_BODY_BYTES:,} bytes",
    )


def _include_members(issuer_id: str) -> bool:
    return queries.may_see_members_items(db.session, token_principal(), issuer_id)


# --- views of versions ---------------------------------------------------------------------------


def _document_url(sha256: str) -> str:
    return url_for("disclosures.download_document", sha256=sha256)


def _version_view(item: queries.DisclosureSummary) -> dict[str, Any]:
    view = asdict(item)
    view["attachments"] = [
        {**asdict(attachment), "url": _document_url(attachment.sha256)}
        for attachment in item.attachments
    ]
    return view


def _detail(issuer_id: str, disclosure_id: str) -> dict[str, Any]:
    detail = queries.get_disclosure(
        db.session, issuer_id, disclosure_id, include_members=_include_members(issuer_id)
    )
    return {**_version_view(detail), "body_url": _document_url(detail.body_sha256)}


def _created(issuer_id: str, recorded: services.DisclosureRecorded) -> tuple[dict, int, dict]:
    location = url_for(
        "disclosures.get_disclosure", issuer_id=issuer_id, disclosure_id=recorded.disclosure_id
    )
    return _detail(issuer_id, recorded.disclosure_id), 201, {"Location": location}


def _with_files(content_request: Any) -> Any:
    """The request with the files of the form's `attachments` parts, each read up to one byte
    over the limit, so that an oversized file is refused without being read whole."""
    store = current_store()
    uploads = []
    for part in request.files.getlist("attachments"):
        uploads.append(_read_part(part, store.max_attachment_bytes))
    return replace(content_request, attachments=tuple(uploads))


def _read_part(part: FileStorage, limit: int) -> UploadedFile:
    content = part.stream.read(limit + 1)
    name = part.filename or "attachment"
    services.check_size(current_store(), name, len(content))
    return UploadedFile(name, part.mimetype or "", content)


def _form(schema: type) -> Any:
    if request.mimetype != MULTIPART_FORM:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"send the fields and files as {MULTIPART_FORM} (files as `attachments`)",
        )
    return blp.ARGUMENTS_PARSER.parse(schema(), request, location="form")


def _form_body(schema: type, files_description: str) -> dict[str, Any]:
    """The multipart request body as the OpenAPI document describes it."""
    declared = schema().fields
    fields: dict[str, Any] = {name: {"type": "string"} for name in declared}
    for name, choices in CHOICES.items():
        fields[name]["enum"] = list(choices)
    fields["effective_date"]["format"] = "date"
    fields["attachments"] = {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "description": files_description,
    }
    if "kept_attachments" in fields:
        fields["kept_attachments"] = {
            "type": "array",
            "items": {"type": "string", "pattern": SHA256_PATTERN},
        }
    return {
        "required": True,
        "content": {
            MULTIPART_FORM: {
                "schema": {
                    "type": "object",
                    "properties": fields,
                    "required": [name for name, field in declared.items() if field.required],
                }
            }
        },
    }


CHOICES = {
    "category": services.CATEGORIES,
    "body_format": services.BODY_FORMATS,
    "audience": services.AUDIENCES,
}
FILES = (
    f"Up to {services.MAX_ATTACHMENTS} files (MAX_ATTACHMENT_BYTES each, default 20 MB; the "
    "types in ALLOWED_ATTACHMENT_TYPES): 413 attachment_too_large, 415 unsupported_media_type"
)
REFUSALS = {
    409: "Not the current version: superseded (use the current one) or withdrawn",
    413: "A file over the size limit (attachment_too_large)",
    415: "A file type that may not be attached (unsupported_media_type)",
}


def _refusals(*statuses: int):
    def document(view):
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorSchema, description=REFUSALS[status])(view)
        return view

    return document


# --- routes --------------------------------------------------------------------------------------


@blp.route("/issuers/<issuer_id>/disclosures", methods=["POST"])
@access(ISSUER_WRITE)
@blp.doc(requestBody=_form_body(PublishFormSchema, FILES))
@blp.response(201, DisclosureDetailSchema, description="Published (`disclosure.published`)")
@_refusals(413, 415)
def publish_disclosure(issuer_id):
    """Publish a disclosure: its fields and files as multipart/form-data."""
    principal = require_write(issuer_id)
    publish = _with_files(_form(PublishFormSchema))
    with command(principal.actor, issuer_id) as ctx:
        recorded = services.publish(ctx, publish)
    return _created(issuer_id, recorded)


@blp.route("/issuers/<issuer_id>/disclosures/<disclosure_id>/amendments", methods=["POST"])
@access(ISSUER_WRITE)
@blp.doc(requestBody=_form_body(AmendFormSchema, FILES))
@blp.response(201, DisclosureDetailSchema, description="The new version (`disclosure.amended`)")
@_refusals(409, 413, 415)
def amend_disclosure(issuer_id, disclosure_id):
    """Amend the current version: a new version, with all its fields and files; the amended
    one stays readable, superseded, linked to the new one."""
    principal = require_write(issuer_id)
    amend = _with_files(_form(AmendFormSchema))
    with command(principal.actor, issuer_id) as ctx:
        recorded = services.amend(ctx, amend)
    return _created(issuer_id, recorded)


@blp.route("/issuers/<issuer_id>/disclosures/<disclosure_id>/withdrawal", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(WithdrawSchema)
@blp.response(200, DisclosureDetailSchema, description="Withdrawn (`disclosure.withdrawn`)")
@_refusals(409)
def withdraw_disclosure(withdrawal, issuer_id, disclosure_id):
    """Withdraw the item (every version) with a reason; nothing is deleted."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        services.withdraw(ctx, withdrawal)
    return _detail(issuer_id, disclosure_id)


@blp.route("/issuers/<issuer_id>/disclosures")
@access(PUBLIC)
@blp.arguments(DisclosurePageQuery, location="query")
@blp.response(200, DisclosurePageSchema)
def list_disclosures(query, issuer_id):
    """The issuer's disclosures, newest first: public items to anyone; members' items too for
    the issuer's members, its secretary and supervisors (by token)."""
    page = queries.disclosures_page(
        db.session, issuer_id, include_members=_include_members(issuer_id), **query
    )
    return paged("disclosures", page, _version_view)


@blp.route("/issuers/<issuer_id>/disclosures/<disclosure_id>")
@access(PUBLIC)
@blp.response(200, DisclosureDetailSchema)
def get_disclosure(issuer_id, disclosure_id):
    """One version: its body (checked against its hash), files, status and history."""
    return _detail(issuer_id, disclosure_id)


DOCUMENT_RESPONSE = {
    "description": "The document's bytes, with the media type it was disclosed with",
    "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
}


@blp.route("/documents/<sha256>")
@access(PUBLIC)
@blp.doc(responses={"200": DOCUMENT_RESPONSE})
@blp.alt_response(
    404, schema=ErrorSchema, description="No disclosure you may see carries this document"
)
@blp.alt_response(
    500, schema=ErrorSchema, description="The stored bytes no longer match (document_corrupt)"
)
def download_document(sha256):
    """A document by its SHA-256, checked against the hash before it is sent. Members-only
    documents are sent only to those who may see the issuer's members' items."""
    sha256 = sha256.lower()
    principal = _reader()
    carriers = [
        carrier
        for carrier in queries.document_carriers(db.session, sha256)
        if carrier.audience == queries.PUBLIC
        or queries.may_see_members_items(db.session, principal, carrier.issuer_id)
    ]
    if not carriers:
        raise ApiError(404, "not_found", f"no disclosure you may see carries document {sha256}")
    content = read_document(db.session, current_store(), sha256)
    # Its name and type as an attachment gave them, else as a body.
    named = min(carriers, key=lambda carrier: carrier.carried_as != "attachment")
    public = any(carrier.audience == queries.PUBLIC for carrier in carriers)
    response = send_file(
        io.BytesIO(content),
        mimetype=named.media_type,
        as_attachment=True,
        download_name=named.filename or f"{sha256}.{_body_extension(named.media_type)}",
        etag=sha256,
        conditional=True,
        max_age=365 * 24 * 3600 if public else None,
    )
    # The bytes under a hash never change; only members' copies stay out of shared caches.
    response.cache_control.public = public
    response.cache_control.immutable = public
    response.cache_control.private = not public
    response.headers["X-Content-Type-Options"] = "nosniff"
    # RFC 9530: the receiver can check what it got against the hash it asked for.
    response.headers["Repr-Digest"] = f"sha-256=:{b64encode(bytes.fromhex(sha256)).decode()}:"
    return response


def _body_extension(media_type: str) -> str:
    return "md" if media_type.startswith("text/markdown") else "txt"


@blp.route("/documents/<sha256>/disclosures")
@access(PUBLIC)
@blp.response(200, CarriersSchema)
@blp.alt_response(404, schema=ErrorSchema, description="Not disclosed here (not_disclosed)")
def document_disclosures(sha256):
    """Every public disclosure that carries this document (as its body or an attachment),
    with its issuer, date, status and log index, and the entry's inclusion proof in the
    issuer's latest signed checkpoint: check it with the issuer's published key."""
    sha256 = sha256.lower()
    carriers = queries.disclosures_carrying(db.session, sha256)
    if not carriers:
        raise ApiError(
            404, "not_disclosed", f"document {sha256} is not disclosed here (no public disclosure)"
        )
    return {"sha256": sha256, "disclosures": [_carrier_view(c) for c in carriers]}


def _carrier_view(carrier: queries.DocumentCarrier) -> dict[str, Any]:
    inclusion = queries.inclusion_of(db.session, carrier.issuer_id, carrier.log_index)
    url = url_for(
        "disclosures.get_disclosure",
        issuer_id=carrier.issuer_id,
        disclosure_id=carrier.disclosure_id,
    )
    return {
        **asdict(carrier),
        "url": url,
        "inclusion": {
            "index": inclusion.index,
            "tree_size": inclusion.tree_size,
            "leaf": b64encode(inclusion.leaf).decode(),
            "leaf_hash": b64encode(inclusion.leaf_hash).decode(),
            "proof": [b64encode(node).decode() for node in inclusion.proof],
            "checkpoint": inclusion.checkpoint,
        },
    }
