"""Forms of the secretary's issuing pages: one allocation, or a batch from a CSV file."""

from __future__ import annotations

from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.register.limits import MAX_SHARES
from app.register.requests import Allocation, IssueShares
from app.web.forms import MAX_PRICE, OneTimeForm, finite_number


class IssueForm(OneTimeForm):
    """Shares of one class allotted to one member."""

    class_code = SelectField("Class", validators=[DataRequired()])
    member = StringField("To (member)", validators=[DataRequired(), Length(max=300)])
    quantity = IntegerField(
        "Number of shares",
        validators=[
            InputRequired("Give the number of shares as a whole number."),
            NumberRange(min=1, max=MAX_SHARES, message="Give a whole number of at least 1."),
        ],
    )
    price_per_share = DecimalField(
        "Price per share (optional)",
        places=None,
        validators=[Optional(), finite_number, NumberRange(min=Decimal(0), max=MAX_PRICE)],
    )
    currency = StringField(
        "Currency (with a price)",
        validators=[Optional(), Regexp(r"^[A-Za-z]{3}$", message="Give a three-letter code.")],
    )
    reference = StringField("Reference, e.g. the subscription agreement", [Length(max=200)])

    def as_request(self, holder_id: str) -> IssueShares:
        allocation = Allocation(
            class_code=self.class_code.data,
            holder_id=holder_id,
            quantity=self.quantity.data,
            price_per_share=self.price_per_share.data,
            currency=self.currency.data.upper() if self.currency.data else None,
            reference=(self.reference.data or "").strip() or None,
        )
        return IssueShares((allocation,))


class CsvIssueForm(FlaskForm):
    """A batch of new members and their allotments, checked (a dry run) before anything is
    written."""

    file = FileField("CSV file of new members and their shares", validators=[FileRequired()])


class ConfirmCsvForm(OneTimeForm):
    """Confirms the import of an upload that passed its dry run, named by its SHA-256."""

    upload = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
