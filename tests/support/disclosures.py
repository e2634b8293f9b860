"""Builders for disclosure tests: publish, amend and withdraw through the services, and the
multipart form the API takes."""

from __future__ import annotations

import hashlib
import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app.commands import command
from app.disclosures import services
from app.disclosures.requests import (
    AmendDisclosure,
    PublishDisclosure,
    UploadedFile,
    WithdrawDisclosure,
)
from app.extensions import db
from app.ledger.log import signed_size
from app.models.disclosures import Document
from tests.support.helpers import ACTOR

PDF = UploadedFile("report.pdf", "application/pdf", b"%PDF-1.7\n% annual report 2026\n%%EOF\n")
CSV = UploadedFile("figures.csv", "text/csv", b"year,revenue\n2026,1200000\n")


def publish_request(**changes: Any) -> PublishDisclosure:
    fields = {
        "category": "annual_report",
        "title": "Annual report 2026",
        "body": "The directors present their report for the year.",
        "attachments": (PDF,),
    }
    return PublishDisclosure(**{**fields, **changes})


def amend_request(disclosure_id: str, **changes: Any) -> AmendDisclosure:
    base = publish_request(title="Annual report 2026 (corrected)")
    fields = {name: getattr(base, name) for name in base.__dataclass_fields__}
    return AmendDisclosure(**{**fields, "disclosure_id": disclosure_id, **changes})


def publish_disclosure(app, issuer_id: str, **changes: Any) -> services.DisclosureRecorded:
    """Publish through the service, as one command; the app's configured document store."""
    with app.app_context(), command(ACTOR, issuer_id) as ctx:
        return services.publish(ctx, publish_request(**changes))


def amend_disclosure(
    app, issuer_id: str, disclosure_id: str, **changes: Any
) -> services.DisclosureRecorded:
    with app.app_context(), command(ACTOR, issuer_id) as ctx:
        return services.amend(ctx, amend_request(disclosure_id, **changes))


def withdraw_disclosure(
    app, issuer_id: str, disclosure_id: str, reason: str = "published in error"
) -> services.DisclosureRecorded:
    with app.app_context(), command(ACTOR, issuer_id) as ctx:
        return services.withdraw(ctx, WithdrawDisclosure(disclosure_id, reason))


def form_of(request: PublishDisclosure | AmendDisclosure, **extra: Any) -> dict[str, Any]:
    """The multipart form (for the test client's `data=`) that asks for `request`."""
    form: dict[str, Any] = {
        "category": request.category,
        "title": request.title,
        "body": request.body,
        "body_format": request.body_format,
        "language": request.language,
        "audience": request.audience,
        "attachments": [
            (io.BytesIO(upload.content), upload.filename, upload.media_type)
            for upload in request.attachments
        ],
    }
    if request.effective_date is not None:
        form["effective_date"] = request.effective_date.isoformat()
    return {**form, **extra}


def with_attachments(request: PublishDisclosure, *uploads: UploadedFile) -> PublishDisclosure:
    return replace(request, attachments=tuple(uploads))


# --- through the API ---------------------------------------------------------------------------


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def api_publish(client, issuer_id: str, headers, **changes: Any):
    """POST the multipart form of `publish_request(**changes)`."""
    return client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=form_of(publish_request(**changes)),
        headers=headers,
        content_type="multipart/form-data",
    )


def api_published(client, issuer_id: str, headers, **changes: Any) -> dict:
    """The version a publication through the API created (it must succeed)."""
    response = api_publish(client, issuer_id, headers, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def api_amend(client, issuer_id: str, disclosure_id: str, headers, **form: Any):
    return client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures/{disclosure_id}/amendments",
        data=form_of(publish_request(title="Annual report 2026 (corrected)"), **form),
        headers=headers,
        content_type="multipart/form-data",
    )


def api_withdraw(client, issuer_id: str, disclosure_id: str, headers, reason="published in error"):
    return client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures/{disclosure_id}/withdrawal",
        json={"reason": reason},
        headers=headers,
    )


def log_size(app, issuer_id: str) -> int:
    with app.app_context():
        return signed_size(db.session, issuer_id)


def document_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document))


def use_filesystem_store(app, folder: Path) -> None:
    """Keep the app's documents as files under `folder` from now on."""
    app.config.update(DOCUMENT_STORE="filesystem", DOCUMENT_DIR=str(folder))
    reload_store(app)


def reload_store(app) -> None:
    """Build the document store again from the app's (changed) configuration."""
    app.extensions.pop("document_store", None)
