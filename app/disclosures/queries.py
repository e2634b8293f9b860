"""Reads of disclosures: an issuer's list and one version with its history, who may see
members' items, which public disclosures carry a file, and each one's proof of inclusion.

`members` items are shown only to those `may_see_members_items` admits; everything here takes
that answer (`include_members`) rather than deciding it, so each view decides once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from app.disclosures.documents import DocumentStore, current_store, read_document
from app.disclosures.errors import unknown_disclosure
from app.ledger import log
from app.models.disclosures import CURRENT, Disclosure, DisclosureAttachment
from app.models.issuer import Issuer
from app.models.register import Holder
from app.models.user import SUPERVISORY_ROLES
from app.register.paging import DEFAULT_PAGE_SIZE, Ordering, Page, keyset_page

PUBLIC = "public"
BODY_MEDIA_TYPES = {"text": "text/plain; charset=utf-8", "markdown": "text/markdown; charset=utf-8"}


class Viewer(Protocol):
    """Who is looking (app.auth.principal.Principal has this shape)."""

    role: str
    issuer_id: str | None
    holder_id: str | None


def may_see_members_items(session: Session, viewer: Viewer | None, issuer_id: str) -> bool:
    """Members' items are for the issuer's members (an investor acting for a current holder of
    the issuer), its secretary, and the supervisors (operators, regulators, auditors)."""
    if viewer is None:
        return False
    if viewer.role in SUPERVISORY_ROLES:
        return True
    if viewer.issuer_id != issuer_id:
        return False
    if viewer.role == "secretary":
        return True
    if viewer.role != "investor" or not viewer.holder_id:
        return False
    holder = session.get(Holder, (issuer_id, viewer.holder_id))
    return holder is not None and holder.ceased_on is None


# --- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    sha256: str
    filename: str
    media_type: str
    size: int


@dataclass(frozen=True)
class VersionRef:
    disclosure_id: str
    version: int
    log_index: int
    published_at: datetime
    status: str


@dataclass(frozen=True, kw_only=True)
class DisclosureSummary:
    issuer_id: str
    disclosure_id: str
    series_id: str
    version: int
    category: str
    title: str
    language: str
    effective_date: date
    audience: str
    body_format: str
    body_sha256: str
    log_index: int
    published_at: datetime
    status: str
    supersedes: str | None
    superseded_by: str | None
    withdrawn_reason: str | None
    withdrawn_index: int | None
    withdrawn_at: datetime | None
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True, kw_only=True)
class DisclosureDetail(DisclosureSummary):
    body: str
    # Every version of the item the caller may see, oldest first (this one among them).
    versions: tuple[VersionRef, ...]


def _summary_fields(version: Disclosure, attachments: Sequence[Attachment]) -> dict:
    return {
        "issuer_id": version.issuer_id,
        "disclosure_id": version.disclosure_id,
        "series_id": version.series_id,
        "version": version.version,
        "category": version.category,
        "title": version.title,
        "language": version.language,
        "effective_date": version.effective_date,
        "audience": version.audience,
        "body_format": version.body_format,
        "body_sha256": version.body_sha256,
        "log_index": version.log_index,
        "published_at": version.published_at,
        "status": version.status,
        "supersedes": version.supersedes,
        "superseded_by": version.superseded_by,
        "withdrawn_reason": version.withdrawn_reason,
        "withdrawn_index": version.withdrawn_index,
        "withdrawn_at": version.withdrawn_at,
        "attachments": tuple(attachments),
    }


def attachments_of(
    session: Session, issuer_id: str, versions: Iterable[Disclosure]
) -> dict[str, list[Attachment]]:
    """Each version's attachments in order, by disclosure id, in one query."""
    ids = [version.disclosure_id for version in versions]
    found: dict[str, list[Attachment]] = {disclosure_id: [] for disclosure_id in ids}
    if not ids:
        return found
    rows = session.scalars(
        select(DisclosureAttachment)
        .where(
            DisclosureAttachment.issuer_id == issuer_id,
            DisclosureAttachment.disclosure_id.in_(ids),
        )
        .order_by(DisclosureAttachment.disclosure_id, DisclosureAttachment.position)
    )
    for row in rows:
        found[row.disclosure_id].append(
            Attachment(row.sha256, row.filename, row.media_type, row.size)
        )
    return found


# --- an issuer's disclosures -------------------------------------------------------------------


def _visible(query: Select, include_members: bool) -> Select:
    return query if include_members else query.where(Disclosure.audience == PUBLIC)


def _newest_first(issuer_id: str) -> Ordering:
    return Ordering(
        order=((Disclosure.log_index, True),),
        at=lambda key: (Disclosure.issuer_id == issuer_id) & (Disclosure.disclosure_id == key),
        key_of=lambda row: row.Disclosure.disclosure_id,
        what="disclosure",
    )


def disclosures_page(
    session: Session,
    issuer_id: str,
    *,
    include_members: bool,
    after: str | None = None,
    limit: int = DEFAULT_PAGE_SIZE,
    category: str | None = None,
) -> Page[DisclosureSummary]:
    """The issuer's items, newest first: the latest version of each (current or withdrawn;
    superseded versions are reached through an item's history)."""
    query = _visible(
        select(Disclosure)
        .select_from(Disclosure)
        .where(Disclosure.issuer_id == issuer_id, Disclosure.superseded_by.is_(None)),
        include_members,
    )
    if category is not None:
        query = query.where(Disclosure.category == category)
    page = keyset_page(session, query, _newest_first(issuer_id), after, limit)
    versions = [row.Disclosure for row in page.items]
    attachments = attachments_of(session, issuer_id, versions)
    items = [
        DisclosureSummary(**_summary_fields(version, attachments[version.disclosure_id]))
        for version in versions
    ]
    return Page(items, page.next_after)


def get_version(
    session: Session, issuer_id: str, disclosure_id: str, *, include_members: bool
) -> Disclosure:
    """One version (NotFound also for a members' item the caller may not see)."""
    version = session.get(Disclosure, (issuer_id, disclosure_id))
    if version is None or not (include_members or version.audience == PUBLIC):
        raise unknown_disclosure(issuer_id, disclosure_id)
    return version


def get_disclosure(
    session: Session,
    issuer_id: str,
    disclosure_id: str,
    *,
    include_members: bool,
    store: DocumentStore | None = None,
) -> DisclosureDetail:
    """One version with its body (read from the store and checked against its hash:
    DocumentCorrupt if it no longer matches), its files and its item's versions."""
    version = get_version(session, issuer_id, disclosure_id, include_members=include_members)
    body = read_document(session, store or current_store(), version.body_sha256)
    history = _visible(
        select(Disclosure).where(
            Disclosure.issuer_id == issuer_id, Disclosure.series_id == version.series_id
        ),
        include_members,
    )
    versions = tuple(
        VersionRef(row.disclosure_id, row.version, row.log_index, row.published_at, row.status)
        for row in session.scalars(history.order_by(Disclosure.version))
    )
    attachments = attachments_of(session, issuer_id, [version])[disclosure_id]
    return DisclosureDetail(
        **_summary_fields(version, attachments), body=body.decode("utf-8"), versions=versions
    )


def current_version_id(session: Session, issuer_id: str, series_id: str) -> str | None:
    """The item's current version (None once it is withdrawn)."""
    latest = session.scalars(
        select(Disclosure)
        .where(Disclosure.issuer_id == issuer_id, Disclosure.series_id == series_id)
        .order_by(Disclosure.version.desc())
        .limit(1)
    ).first()
    return latest.disclosure_id if latest is not None and latest.status == CURRENT else None


# --- documents and where they were disclosed ---------------------------------------------------


@dataclass(frozen=True)
class DocumentCarrier:
    """A version that carries a document: as its body, or as one of its attachments."""

    issuer_id: str
    issuer_name: str
    disclosure_id: str
    series_id: str
    version: int
    title: str
    category: str
    audience: str
    effective_date: date
    published_at: datetime
    status: str
    log_index: int
    carried_as: str  # "body" or "attachment"
    filename: str | None
    media_type: str


def _carriers_query(sha256: str) -> tuple[Select, Select]:
    as_body = (
        select(Disclosure, Issuer.legal_name)
        .join(Issuer, Issuer.id == Disclosure.issuer_id)
        .where(Disclosure.body_sha256 == sha256)
    )
    as_attachment = (
        select(Disclosure, Issuer.legal_name, DisclosureAttachment)
        .join(
            DisclosureAttachment,
            (DisclosureAttachment.issuer_id == Disclosure.issuer_id)
            & (DisclosureAttachment.disclosure_id == Disclosure.disclosure_id),
        )
        .join(Issuer, Issuer.id == Disclosure.issuer_id)
        .where(DisclosureAttachment.sha256 == sha256)
    )
    return as_body, as_attachment


def document_carriers(
    session: Session, sha256: str, *, public_only: bool = False
) -> list[DocumentCarrier]:
    """Every version, of any issuer, that carries the document, by issuer and log index."""
    as_body, as_attachment = (
        _visible(query, include_members=not public_only) for query in _carriers_query(sha256)
    )
    carriers = [
        _carrier(row, "body", None, BODY_MEDIA_TYPES[row.Disclosure.body_format])
        for row in session.execute(as_body)
    ]
    carriers += [
        _carrier(row, "attachment", attachment.filename, attachment.media_type)
        for row in session.execute(as_attachment)
        for attachment in (row.DisclosureAttachment,)
    ]
    return sorted(carriers, key=lambda carrier: (carrier.issuer_id, carrier.log_index))


def disclosures_carrying(session: Session, sha256: str) -> list[DocumentCarrier]:
    """Every public disclosure version that carries this hash (empty: not disclosed here)."""
    return document_carriers(session, sha256, public_only=True)


def _carrier(row: Row, carried_as: str, filename: str | None, media_type: str) -> DocumentCarrier:
    version: Disclosure = row.Disclosure
    return DocumentCarrier(
        issuer_id=version.issuer_id,
        issuer_name=row.legal_name,
        disclosure_id=version.disclosure_id,
        series_id=version.series_id,
        version=version.version,
        title=version.title,
        category=version.category,
        audience=version.audience,
        effective_date=version.effective_date,
        published_at=version.published_at,
        status=version.status,
        log_index=version.log_index,
        carried_as=carried_as,
        filename=filename,
        media_type=media_type,
    )


@dataclass(frozen=True)
class Inclusion:
    """What a verifier needs to check that an entry is in the signed log: the entry's exact
    leaf, its RFC 6962 inclusion proof in the tree of the latest checkpoint, and that
    checkpoint (a C2SP signed note)."""

    index: int
    tree_size: int
    leaf: bytes
    leaf_hash: bytes
    proof: tuple[bytes, ...]
    checkpoint: str


def inclusion_of(session: Session, issuer_id: str, index: int) -> Inclusion:
    checkpoint = log.latest_checkpoint(session, issuer_id)
    size = checkpoint.tree_size
    proof = log.inclusion_proof(session, issuer_id, index, size)
    (entry,) = log.read_entries(session, issuer_id, index, index + 1)
    return Inclusion(index, size, entry.leaf, entry.leaf_hash, tuple(proof), checkpoint.note)
