"""`log verify`'s check of the document store: every document an issuer's disclosures carry
is read back and rehashed against the SHA-256 its log entry recorded.

The hashes are read from the disclosure tables, which `log verify` has just proved to be the
replay of the log; a document that is gone or whose bytes no longer hash to its name fails the
check, naming the document and the versions that carry it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from app.disclosures.documents import DocumentStore, check_bytes
from app.disclosures.errors import DocumentCorrupt
from app.models.disclosures import Disclosure, DisclosureAttachment


@dataclass(frozen=True)
class DocumentsReport:
    documents: int
    size: int  # bytes rehashed


def logged_hashes(session: Session, issuer_id: str) -> list[str]:
    """Every SHA-256 the issuer's disclosure entries recorded (bodies and attachments)."""
    bodies = select(Disclosure.body_sha256.label("sha256")).where(Disclosure.issuer_id == issuer_id)
    files = select(DisclosureAttachment.sha256.label("sha256")).where(
        DisclosureAttachment.issuer_id == issuer_id
    )
    hashes = union(bodies, files).subquery()
    return list(session.scalars(select(hashes.c.sha256).order_by(hashes.c.sha256)))


def check_documents(session: Session, store: DocumentStore, issuer_id: str) -> DocumentsReport:
    """Rehash each of the issuer's documents, one at a time (DocumentCorrupt at the first bad
    one)."""
    size = 0
    hashes = logged_hashes(session, issuer_id)
    for sha256 in hashes:
        try:
            content = store.stored_bytes(session, sha256, issuer_id)
            check_bytes(sha256, content)
        except DocumentCorrupt as error:
            carriers = _carriers(session, issuer_id, sha256)
            raise DocumentCorrupt(sha256, f"{error.problem} (carried by {carriers})") from None
        size += len(content)
        # Done with its bytes: a register's documents need not all fit in memory at once.
        session.expunge_all()
    return DocumentsReport(len(hashes), size)


def _carriers(session: Session, issuer_id: str, sha256: str) -> str:
    bodies = session.scalars(
        select(Disclosure.disclosure_id).where(
            Disclosure.issuer_id == issuer_id, Disclosure.body_sha256 == sha256
        )
    )
    files = session.execute(
        select(DisclosureAttachment.disclosure_id, DisclosureAttachment.filename).where(
            DisclosureAttachment.issuer_id == issuer_id, DisclosureAttachment.sha256 == sha256
        )
    )
    named = [f"the body of disclosure {disclosure_id}" for disclosure_id in bodies]
    named += [f"{filename} of disclosure {disclosure_id}" for disclosure_id, filename in files]
    return ", ".join(named)
