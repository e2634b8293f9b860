"""The disclosures' refusals, each with a stable machine code. Statuses are the entry points'
(app.errors): too large 413, refused type 415, corrupt document 500."""

from __future__ import annotations

from app.register.errors import DomainError, NotFound, Refused


class AttachmentTooLarge(DomainError):
    code = "attachment_too_large"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class NotDisclosed(NotFound):
    """No disclosure anyone may see carries this SHA-256."""

    code = "not_disclosed"


class DocumentCorrupt(DomainError):
    """Stored bytes that no longer hash to the SHA-256 the log recorded for them (or are gone):
    the store was changed behind the service's back."""

    code = "document_corrupt"

    def __init__(self, sha256: str, problem: str) -> None:
        super().__init__(f"document {sha256} is corrupt: {problem}", sha256=sha256)
        self.sha256 = sha256
        self.problem = problem


def unknown_disclosure(issuer_id: str, disclosure_id: str) -> NotFound:
    return NotFound(
        f"issuer {issuer_id} has no disclosure {disclosure_id}", disclosure_id=disclosure_id
    )


def not_current(disclosure_id: str, status: str, action: str, current_id: str | None) -> Refused:
    """Only the current version of an item may be amended or withdrawn."""
    if status == "withdrawn":
        message = f"disclosure {disclosure_id} was withdrawn: it can no longer be {action}"
    else:
        message = (
            f"disclosure {disclosure_id} is superseded by {current_id}: "
            f"only the current version can be {action}"
        )
    return Refused(status, message, disclosure_id=disclosure_id, current=current_id)
