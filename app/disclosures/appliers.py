"""How each `disclosure.*` entry changes the tables. Commands and `log verify`'s replay both go
through these; they never touch the document store, which the log only hashes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update
from sqlalchemy.orm import Session

from app.disclosures.services import AMENDED, PUBLISHED, WITHDRAWN
from app.models.disclosures import CURRENT, Disclosure, DisclosureAttachment
from app.register.appliers import install
from app.register.holdings import RegisterInvariantError
from app.register.projection import Applied


def apply_published(session: Session, entry: Applied) -> None:
    _add_version(session, entry, version=1, supersedes=None)


def apply_amended(session: Session, entry: Applied) -> None:
    previous = session.get(Disclosure, (entry.issuer_id, entry.data["supersedes"]))
    if previous is None or previous.status != CURRENT:
        # Commands check first; in replay this is a log the service could not have written.
        raise RegisterInvariantError(
            f"entry {entry.index} amends disclosure {entry.data['supersedes']}, "
            "which is not a current version"
        )
    previous.superseded_by = entry.data["disclosure_id"]
    _add_version(session, entry, version=previous.version + 1, supersedes=previous.disclosure_id)


def apply_withdrawn(session: Session, entry: Applied) -> None:
    data = entry.data
    session.execute(
        update(Disclosure)
        .where(Disclosure.issuer_id == entry.issuer_id, Disclosure.series_id == data["series_id"])
        .values(
            withdrawn_reason=data["reason"],
            withdrawn_index=entry.index,
            withdrawn_at=entry.recorded_at,
        )
        .execution_options(synchronize_session="fetch")
    )


def _add_version(session: Session, entry: Applied, version: int, supersedes: str | None) -> None:
    data = entry.data
    session.add(
        Disclosure(
            issuer_id=entry.issuer_id,
            disclosure_id=data["disclosure_id"],
            series_id=data["series_id"],
            version=version,
            category=data["category"],
            title=data["title"],
            language=data["language"],
            effective_date=date.fromisoformat(data["effective_date"]),
            audience=data["audience"],
            body_format=data["body_format"],
            body_sha256=data["body_sha256"],
            log_index=entry.index,
            published_at=entry.recorded_at,
            supersedes=supersedes,
        )
    )
    # The attachments name the version (a foreign key the unit of work cannot order).
    session.flush()
    session.add_all(
        DisclosureAttachment(
            issuer_id=entry.issuer_id,
            disclosure_id=data["disclosure_id"],
            position=position,
            sha256=attachment["sha256"],
            filename=attachment["filename"],
            media_type=attachment["media_type"],
            size=attachment["size"],
        )
        for position, attachment in enumerate(data["attachments"])
    )


def install_appliers() -> None:
    install({PUBLISHED: apply_published, AMENDED: apply_amended, WITHDRAWN: apply_withdrawn})
