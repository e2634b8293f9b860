"""Publishing, amending and withdrawing disclosures: each one command, one log entry.

A version's body and files are stored by SHA-256 (app.disclosures.documents) and the entry
carries the hashes with the metadata, so the log commits to the exact bytes: nothing can be
quietly rewritten, and anyone holding a file can find where it was disclosed. An amendment is
a new version pointing to the one it supersedes; a withdrawal deletes nothing. Only the
current version of an item may be amended or withdrawn, so a client working from an old
version is told rather than overtaken.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import asdict, dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from app.disclosures import queries
from app.disclosures.documents import (
    DocumentStore,
    accepted_media_type,
    current_store,
)
from app.disclosures.errors import AttachmentTooLarge, not_current, unknown_disclosure
from app.disclosures.queries import Attachment
from app.disclosures.requests import (
    AmendDisclosure,
    DisclosureContent,
    PublishDisclosure,
    UploadedFile,
    WithdrawDisclosure,
)
from app.models.disclosures import CURRENT, Disclosure
from app.register.context import CommandContext
from app.register.errors import InvalidInput

PUBLISHED = "disclosure.published"
AMENDED = "disclosure.amended"
WITHDRAWN = "disclosure.withdrawn"

CATEGORIES = (
    "annual_report",
    "financial_statement",
    "material_event",
    "shareholder_meeting_notice",
    "capital_change",
    "other",
)
AUDIENCES = ("public", "members")
BODY_FORMATS = ("text", "markdown")
MAX_TITLE = 300
MAX_BODY_BYTES = 1_000_000
MAX_ATTACHMENTS = 20
MAX_FILENAME = 255
MAX_REASON = 1000
# BCP 47 in its common shape: a language, then subtags (en, en-GB, zh-Hant-TW).
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class DisclosureRecorded:
    """What a command answers: the version it recorded (or withdrew) and the entry."""

    disclosure_id: str
    series_id: str
    version: int
    status: str
    body_sha256: str
    attachments: tuple[Attachment, ...]
    log_index: int
    # The files this command stored for the first time (the rest were stored already).
    new_documents: int = 0


# --- the commands ----------------------------------------------------------------------------


def publish(
    ctx: CommandContext, request: PublishDisclosure, store: DocumentStore | None = None
) -> DisclosureRecorded:
    """Publish a new item (`disclosure.published`)."""
    store = store or current_store()
    disclosure_id = uuid.uuid4().hex
    data, new = _content_data(ctx, store, request, kept=())
    data = {"disclosure_id": disclosure_id, "series_id": disclosure_id, **data}
    applied = ctx.record(PUBLISHED, data)
    return _recorded(ctx.session, ctx.issuer_id, disclosure_id, applied.index, new)


def amend(
    ctx: CommandContext, request: AmendDisclosure, store: DocumentStore | None = None
) -> DisclosureRecorded:
    """Publish a new version of a current one (`disclosure.amended`); the old stays readable,
    marked superseded, with a link forward."""
    store = store or current_store()
    previous = _current_version(ctx.session, ctx.issuer_id, request.disclosure_id, "amended")
    kept = _kept_attachments(ctx.session, previous, request.kept_attachments)
    disclosure_id = uuid.uuid4().hex
    data, new = _content_data(ctx, store, request, kept=kept)
    data = {
        "disclosure_id": disclosure_id,
        "series_id": previous.series_id,
        **data,
        "supersedes": previous.disclosure_id,
    }
    applied = ctx.record(AMENDED, data)
    return _recorded(ctx.session, ctx.issuer_id, disclosure_id, applied.index, new)


def withdraw(ctx: CommandContext, request: WithdrawDisclosure) -> DisclosureRecorded:
    """Withdraw an item, every version of it (`disclosure.withdrawn`): nothing is deleted, the
    item stays listed as withdrawn with its history."""
    version = _current_version(ctx.session, ctx.issuer_id, request.disclosure_id, "withdrawn")
    reason = _line(request.reason, "reason", MAX_REASON)
    data = {
        "disclosure_id": version.disclosure_id,
        "series_id": version.series_id,
        "reason": reason,
    }
    applied = ctx.record(WITHDRAWN, data)
    return _recorded(ctx.session, ctx.issuer_id, version.disclosure_id, applied.index, 0)


# --- validation and storage ------------------------------------------------------------------


def _current_version(session: Session, issuer_id: str, disclosure_id: str, action: str):
    version = session.get(Disclosure, (issuer_id, disclosure_id))
    if version is None:
        raise unknown_disclosure(issuer_id, disclosure_id)
    if version.status != CURRENT:
        current = queries.current_version_id(session, issuer_id, version.series_id)
        raise not_current(disclosure_id, version.status, action, current)
    return version


def _kept_attachments(
    session: Session, previous: Disclosure, wanted: tuple[str, ...]
) -> tuple[Attachment, ...]:
    carried = {
        attachment.sha256: attachment
        for attachment in queries.attachments_of(session, previous.issuer_id, [previous])[
            previous.disclosure_id
        ]
    }
    kept = []
    for sha256 in dict.fromkeys(wanted):
        attachment = carried.get(sha256)
        if attachment is None:
            raise InvalidInput(
                f"disclosure {previous.disclosure_id} carries no attachment {sha256} to keep",
                field="kept_attachments",
            )
        kept.append(attachment)
    return tuple(kept)


def _content_data(
    ctx: CommandContext,
    store: DocumentStore,
    request: DisclosureContent,
    kept: tuple[Attachment, ...],
) -> tuple[dict[str, Any], int]:
    """The entry's fields for one version's content, once everything is checked and its
    bytes stored; and how many documents were stored for the first time."""
    fields = _checked_fields(ctx, request)
    body = fields.pop("body").encode("utf-8")
    files = [_checked_file(store, upload) for upload in request.attachments]
    if len(kept) + len(files) > MAX_ATTACHMENTS:
        raise InvalidInput(
            f"a disclosure carries at most {MAX_ATTACHMENTS} attachments", field="attachments"
        )
    # Stored only once everything is checked, so that a refusal leaves nothing behind.
    now = ctx.clock()
    stored = [store.put(ctx.session, ctx.issuer_id, body, now)]
    attachments = list(kept)
    for upload in files:
        document = store.put(ctx.session, ctx.issuer_id, upload.content, now)
        stored.append(document)
        attachments.append(
            Attachment(document.sha256, upload.filename, upload.media_type, document.size)
        )
    data = {
        **fields,
        "body_sha256": stored[0].sha256,
        "attachments": [asdict(attachment) for attachment in attachments],
    }
    return data, sum(document.new for document in stored)


def _checked_fields(ctx: CommandContext, request: DisclosureContent) -> dict[str, Any]:
    _one_of(request.category, CATEGORIES, "category")
    _one_of(request.audience, AUDIENCES, "audience")
    _one_of(request.body_format, BODY_FORMATS, "body_format")
    if not LANGUAGE_TAG.match(request.language or ""):
        raise InvalidInput(
            "language: use a language tag such as en or en-GB (BCP 47)", field="language"
        )
    effective_date = request.effective_date or ctx.today()
    return {
        "category": request.category,
        "title": _line(request.title, "title", MAX_TITLE),
        "language": request.language,
        "effective_date": effective_date.isoformat(),
        "audience": request.audience,
        "body_format": request.body_format,
        "body": _body(request.body),
    }


def _one_of(value: str, allowed: tuple[str, ...], name: str) -> None:
    if value not in allowed:
        raise InvalidInput(f"{name}: must be one of {', '.join(allowed)}", field=name)


def _line(text: str, name: str, limit: int) -> str:
    """One line of text as the log takes it: NFC, trimmed, not blank, no control characters."""
    text = unicodedata.normalize("NFC", text or "").strip()
    if not text or _LINE_CONTROL.search(text):
        raise InvalidInput(f"{name}: must not be blank or contain control characters", field=name)
    if len(text) > limit:
        raise InvalidInput(f"{name}: at most {limit} characters", field=name)
    return text


def _body(text: str) -> str:
    """The body as stored and hashed: NFC, line ends as \\n, no other control characters."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise InvalidInput("body: must not be blank", field="body")
    if _CONTROL.search(text):
        raise InvalidInput("body: must not contain control characters", field="body")
    if len(text.encode("utf-8")) > MAX_BODY_BYTES:
        raise InvalidInput(f"body: at most {MAX_BODY_BYTES:,} bytes of UTF-8", field="body")
    return text


def _checked_file(store: DocumentStore, upload: UploadedFile) -> UploadedFile:
    """The upload as it will be recorded: its name cleaned, its media type accepted."""
    name = _filename(upload.filename)
    check_size(store, name, len(upload.content))
    return replace(
        upload, filename=name, media_type=accepted_media_type(store, upload.media_type, name)
    )


def check_size(store: DocumentStore, filename: str, size: int) -> None:
    """AttachmentTooLarge above the store's limit (the API calls this while reading, too)."""
    if size > store.max_attachment_bytes:
        raise AttachmentTooLarge(
            f"{filename}: an attachment may be at most {store.max_attachment_bytes:,} bytes",
            filename=filename,
            limit=store.max_attachment_bytes,
        )


def _filename(name: str) -> str:
    """The name without any folder a sender put before it, NFC, without control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _LINE_CONTROL.sub("", name).strip()
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_FILENAME - len(dot + extension)
        name = f"{stem[:keep]}{dot}{extension}" if stem and keep > 0 else name[:MAX_FILENAME]
    return name or "attachment"


def _recorded(
    session: Session, issuer_id: str, disclosure_id: str, log_index: int, new: int
) -> DisclosureRecorded:
    version = session.get(Disclosure, (issuer_id, disclosure_id))
    attachments = queries.attachments_of(session, issuer_id, [version])[disclosure_id]
    return DisclosureRecorded(
        disclosure_id=version.disclosure_id,
        series_id=version.series_id,
        version=version.version,
        status=version.status,
        body_sha256=version.body_sha256,
        attachments=tuple(attachments),
        log_index=log_index,
        new_documents=new,
    )
