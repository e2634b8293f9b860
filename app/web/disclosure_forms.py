"""The secretary's disclosure forms: publish, amend (the same fields, filled in with the
current version) and withdraw. The forms check only what a form can (present, not too long,
a date); the services decide the rest (category, language, sizes and types of files) and
their refusals are put next to the field they name."""

from __future__ import annotations

import unicodedata

from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.disclosures.requests import (
    AmendDisclosure,
    PublishDisclosure,
    UploadedFile,
    WithdrawDisclosure,
)
from app.web.forms import OneTimeForm

CATEGORY_LABELS = {
    "annual_report": "Annual report",
    "financial_statement": "Financial statement",
    "material_event": "Material event",
    "shareholder_meeting_notice": "Shareholder meeting notice",
    "capital_change": "Capital change",
    "other": "Other",
}
AUDIENCE_LABELS = {
    "public": "Public: anyone, without logging in",
    "members": "Members only: the company's members and supervisors",
}
BODY_FORMAT_LABELS = {"text": "Plain text", "markdown": "Markdown"}
UNKNOWN_MEDIA_TYPE = "application/octet-stream"


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def _text(value: str | None) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


def uploaded_files(files: list[FileStorage | str] | None) -> tuple[UploadedFile, ...]:
    """The files a multipart form carried (an empty file input sends one nameless part)."""
    return tuple(
        UploadedFile(
            filename=_text(storage.filename),
            media_type=storage.mimetype or UNKNOWN_MEDIA_TYPE,
            content=storage.read(),
        )
        for storage in files or ()
        if isinstance(storage, FileStorage) and storage.filename
    )


class DisclosureForm(OneTimeForm):
    title = StringField(
        "Title", validators=[DataRequired("Give the disclosure a title."), Length(max=300)]
    )
    category = SelectField("Category", choices=_choices(CATEGORY_LABELS))
    language = StringField(
        "Language",
        default="en",
        validators=[DataRequired("Give the language, such as en."), Length(max=35)],
    )
    effective_date = DateField(
        "Effective date (empty: today)", validators=[Optional()], format="%Y-%m-%d"
    )
    audience = SelectField("Audience", choices=_choices(AUDIENCE_LABELS))
    body_format = SelectField("Body format", choices=_choices(BODY_FORMAT_LABELS))
    body = TextAreaField(
        "Body",
        validators=[DataRequired("Write the disclosure's text."), Length(max=200_000)],
        render_kw={"rows": 14},
    )
    attachments = MultipleFileField("Attach files")

    def content(self) -> dict:
        return {
            "category": self.category.data,
            "title": _text(self.title.data),
            "body": unicodedata.normalize("NFC", self.body.data or ""),
            "body_format": self.body_format.data,
            "language": _text(self.language.data),
            "effective_date": self.effective_date.data,
            "audience": self.audience.data,
            "attachments": uploaded_files(self.attachments.data),
        }

    def as_publish(self) -> PublishDisclosure:
        return PublishDisclosure(**self.content())


class AmendForm(DisclosureForm):
    """A new version. Files of the current version are kept unless the secretary unticks
    them; the template renders one `keep_<sha256>` box per file."""

    @classmethod
    def showing(cls, current) -> AmendForm:
        """A fresh form filled in with the current version's fields."""
        data = {
            name: getattr(current, name)
            for name in ("title", "category", "language", "audience", "body_format", "body")
        }
        data["effective_date"] = current.effective_date
        return cls(formdata=None, data=data)

    def as_amend(self, disclosure_id: str, kept: tuple[str, ...]) -> AmendDisclosure:
        return AmendDisclosure(disclosure_id=disclosure_id, kept_attachments=kept, **self.content())


class WithdrawForm(OneTimeForm):
    reason = TextAreaField(
        "Reason for withdrawing (shown to readers)",
        validators=[DataRequired("Say why the disclosure is withdrawn."), Length(max=1000)],
    )
    confirm = BooleanField(
        "I understand a withdrawn disclosure stays listed as withdrawn and cannot be amended",
        validators=[DataRequired("Tick the box to confirm the withdrawal.")],
    )

    def as_request(self, disclosure_id: str) -> WithdrawDisclosure:
        return WithdrawDisclosure(disclosure_id=disclosure_id, reason=_text(self.reason.data))
