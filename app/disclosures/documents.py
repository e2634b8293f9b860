"""The content-addressed document store: every file (and every disclosure's body) is kept once
per issuer under its SHA-256, in the database (`documents.content`) or, configurably, as a
file named by its hash under DOCUMENT_DIR (the row then records only that the issuer stored
it). Bytes are never trusted on the way out: `read_document` rehashes them against the hash
they were asked by, which is the hash the log recorded.

The entry points install how the store is found for the running app (`provide_store_with`),
so that services and queries read it without this package importing Flask.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.disclosures.errors import DocumentCorrupt, UnsupportedMediaType
from app.models.disclosures import Document

MEGABYTE = 1024 * 1024
DEFAULT_MAX_ATTACHMENT_BYTES = 20 * MEGABYTE
# What a disclosure may attach by default: documents, data and images a browser shows inertly.
# HTML and SVG are left out: served from this origin they could run script.
DEFAULT_ALLOWED_TYPES = (
    "application/pdf",
    "text/csv",
    "text/plain",
    "text/markdown",
    "application/json",
    "application/xml",
    "application/zip",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.text",
)
UNKNOWN_TYPE = "application/octet-stream"


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass(frozen=True)
class StoredDocument:
    sha256: str
    size: int
    new: bool  # False: the issuer had stored these bytes before, nothing was written


class DocumentStore(ABC):
    """Where bytes live, and the limits on what a disclosure may attach."""

    def __init__(
        self,
        max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
        allowed_types: Iterable[str] = DEFAULT_ALLOWED_TYPES,
    ) -> None:
        self.max_attachment_bytes = max_attachment_bytes
        self.allowed_types = frozenset(normalise_media_type(kind) for kind in allowed_types)

    def put(
        self, session: Session, issuer_id: str, content: bytes, now: datetime
    ) -> StoredDocument:
        """Store `content` for the issuer, in the session's transaction, unless it already is."""
        sha256 = sha256_hex(content)
        if session.get(Document, (issuer_id, sha256)) is not None:
            return StoredDocument(sha256, len(content), new=False)
        stored = self._keep(sha256, content)
        session.add(
            Document(
                issuer_id=issuer_id,
                sha256=sha256,
                size=len(content),
                content=stored,
                stored_at=now,
            )
        )
        return StoredDocument(sha256, len(content), new=True)

    @abstractmethod
    def _keep(self, sha256: str, content: bytes) -> bytes | None:
        """Keep the bytes; what the row's `content` holds (None: they are elsewhere)."""

    def stored_bytes(self, session: Session, sha256: str, issuer_id: str | None = None) -> bytes:
        """The bytes kept under `sha256` (for `issuer_id`, or any issuer), unchecked;
        DocumentCorrupt if they are gone."""
        query = select(Document).where(Document.sha256 == sha256)
        if issuer_id is not None:
            query = query.where(Document.issuer_id == issuer_id)
        row = session.scalars(query.order_by(Document.issuer_id).limit(1)).first()
        if row is None:
            raise DocumentCorrupt(sha256, "the store holds no such document")
        content = self._read(row)
        if content is None:
            raise DocumentCorrupt(sha256, "its bytes are missing from the store")
        return content

    @abstractmethod
    def _read(self, row: Document) -> bytes | None: ...


class DatabaseStore(DocumentStore):
    def _keep(self, sha256: str, content: bytes) -> bytes | None:
        return content

    def _read(self, row: Document) -> bytes | None:
        return row.content


class FilesystemStore(DocumentStore):
    """Files named by their hash, two levels deep (`ab/abcdef...`) so no folder grows huge.

    A file is written before the command commits and stays if it rolls back: harmless, since
    a name is its content's hash, and a later upload of the same bytes finds it there."""

    def __init__(self, directory: Path, **limits: Any) -> None:
        super().__init__(**limits)
        self.directory = Path(directory)

    def path_of(self, sha256: str) -> Path:
        return self.directory / sha256[:2] / sha256

    def _keep(self, sha256: str, content: bytes) -> bytes | None:
        path = self.path_of(sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written aside then renamed: a reader never sees half a file.
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
            try:
                with os.fdopen(handle, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        return None

    def _read(self, row: Document) -> bytes | None:
        if row.content is not None:  # kept while the store was "database"
            return row.content
        try:
            return self.path_of(row.sha256).read_bytes()
        except FileNotFoundError:
            return None


def store_from_config(config: Mapping[str, Any]) -> DocumentStore:
    """The store the app's configuration names (DOCUMENT_STORE, DOCUMENT_DIR,
    MAX_ATTACHMENT_BYTES, ALLOWED_ATTACHMENT_TYPES)."""
    limits = {
        "max_attachment_bytes": int(
            config.get("MAX_ATTACHMENT_BYTES") or DEFAULT_MAX_ATTACHMENT_BYTES
        ),
        "allowed_types": config.get("ALLOWED_ATTACHMENT_TYPES") or DEFAULT_ALLOWED_TYPES,
    }
    kind = config.get("DOCUMENT_STORE") or "database"
    if kind == "database":
        return DatabaseStore(**limits)
    if kind == "filesystem":
        directory = config.get("DOCUMENT_DIR") or Path(config["INSTANCE_PATH"]) / "documents"
        return FilesystemStore(Path(directory), **limits)
    raise ValueError(f"DOCUMENT_STORE must be 'database' or 'filesystem', not {kind!r}")


_provider: Callable[[], DocumentStore] | None = None


def provide_store_with(provider: Callable[[], DocumentStore]) -> None:
    """Install how services and queries find the running app's store (done at app start)."""
    global _provider
    _provider = provider


def current_store() -> DocumentStore:
    if _provider is None:
        raise RuntimeError("no document store installed: the app installs one at start")
    return _provider()


def read_document(session: Session, store: DocumentStore, sha256: str) -> bytes:
    """The bytes stored under `sha256`, checked: DocumentCorrupt if they no longer hash to it."""
    content = store.stored_bytes(session, sha256)
    check_bytes(sha256, content)
    return content


def check_bytes(sha256: str, content: bytes) -> None:
    actual = sha256_hex(content)
    if actual != sha256:
        raise DocumentCorrupt(sha256, f"its stored bytes now hash to {actual}")


def normalise_media_type(media_type: str) -> str:
    """`Text/CSV; charset=utf-8` -> `text/csv`: the type without parameters."""
    return media_type.split(";", 1)[0].strip().lower()


def accepted_media_type(store: DocumentStore, media_type: str, filename: str) -> str:
    """The upload's media type, guessed from its name when the sender gave none (or only
    application/octet-stream); UnsupportedMediaType unless the store accepts it."""
    kind = normalise_media_type(media_type or "")
    if kind in ("", UNKNOWN_TYPE):
        kind = mimetypes.guess_type(filename, strict=False)[0] or UNKNOWN_TYPE
    if kind not in store.allowed_types:
        raise UnsupportedMediaType(
            f"{filename}: files of type {kind} cannot be attached; accepted: "
            f"{', '.join(sorted(store.allowed_types))}",
            filename=filename,
            media_type=kind,
        )
    return kind
