"""Forms of the members pages: enter a member, amend their details, record that they ceased,
and the company's identity check (KYC)."""

from __future__ import annotations

import unicodedata

from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.register.requests import AmendHolder, CeaseHolder, HolderDetails, RegisterHolder, SetKyc
from app.transfers.rules import iso_countries
from app.web.forms import OneTimeForm


def _text(value: str | None) -> str:
    return unicodedata.normalize("NFC", value or "").strip()


class MemberForm(OneTimeForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    address = TextAreaField("Address", validators=[DataRequired(), Length(max=500)])
    identifier = StringField(
        "Identifier (national id, passport or company number)",
        validators=[DataRequired(), Length(max=64)],
    )
    country = SelectField("Country", validators=[DataRequired()])
    holder_type = SelectField(
        "Type", choices=[("person", "a person"), ("entity", "a company or other body")]
    )
    email = EmailField("Email (optional)", validators=[Optional(), Length(max=254)])
    joint_holders = TextAreaField(
        "Joint holders after the first, one per line (optional)", validators=[Length(max=700)]
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = [("", "Choose a country")] + [
            (c, c) for c in sorted(iso_countries())
        ]

    def details(self) -> HolderDetails:
        joint = tuple(
            line.strip() for line in (self.joint_holders.data or "").splitlines() if line.strip()
        )
        return HolderDetails(
            name=_text(self.name.data),
            address=", ".join(
                line.strip() for line in _text(self.address.data).splitlines() if line.strip()
            ),
            identifier=_text(self.identifier.data),
            country=self.country.data,
            holder_type=self.holder_type.data,
            email=_text(self.email.data) or None,
            joint_holders=joint,
        )

    def as_registration(self) -> RegisterHolder:
        return RegisterHolder(self.details())

    def as_amendment(self, holder_id: str) -> AmendHolder:
        details = self.details()
        return AmendHolder(
            holder_id=holder_id,
            name=details.name,
            address=details.address,
            identifier=details.identifier,
            country=details.country,
            holder_type=details.holder_type,
            email=details.email,
            joint_holders=details.joint_holders,
        )


class CeaseForm(OneTimeForm):
    ceased_on = DateField("Ceased to be a member on (today if empty)", validators=[Optional()])

    def as_request(self, holder_id: str) -> CeaseHolder:
        return CeaseHolder(holder_id, self.ceased_on.data)


class KycForm(OneTimeForm):
    verified = SelectField(
        "Identity check", choices=[("yes", "done: identity verified"), ("no", "not done")]
    )

    def as_request(self, holder_id: str) -> SetKyc:
        return SetKyc(holder_id, self.verified.data == "yes")
