"""Typed requests of the disclosure commands: what the API's multipart form, a web form or a
test builds, field for field, before the service validates what only the domain knows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class UploadedFile:
    """A file as it arrived: the name and media type its sender gave, and its bytes."""

    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, kw_only=True)
class DisclosureContent:
    """What one version of a disclosure says. `effective_date` None: the day it is recorded."""

    category: str
    title: str
    body: str
    body_format: str = "text"
    language: str = "en"
    effective_date: date | None = None
    audience: str = "public"
    attachments: tuple[UploadedFile, ...] = ()


@dataclass(frozen=True, kw_only=True)
class PublishDisclosure(DisclosureContent):
    pass


@dataclass(frozen=True, kw_only=True)
class AmendDisclosure(DisclosureContent):
    """A new version of `disclosure_id` (which must be current). `kept_attachments` names, by
    SHA-256, files of that version the new one carries again without their being re-sent."""

    disclosure_id: str
    kept_attachments: tuple[str, ...] = ()


@dataclass(frozen=True)
class WithdrawDisclosure:
    disclosure_id: str
    reason: str
