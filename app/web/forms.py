"""Flask-WTF forms (CSRF-protected)."""

import unicodedata

from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange

from app.idempotency.forms import expect_submission, new_form_token
from app.models.idempotency import KEY_MAX_LENGTH
from app.register.requests import LodgeTransfer


class LoginForm(FlaskForm):
    # No address validation here: a login only looks the address up.
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class OneTimeForm(FlaskForm):
    """A form that changes the register: its hidden one-time token makes the command it leads
    to refuse a second submission of the same form (see app.idempotency.forms). Templates
    render `form.form_token` next to `form.csrf_token`."""

    form_token = HiddenField(default=new_form_token, validators=[Length(max=KEY_MAX_LENGTH)])

    def validate_form_token(self, field: Field) -> None:
        # Only a token the page sent counts; a post without one is not protected.
        if field.raw_data and field.data:
            expect_submission(field.data)


class TransferForm(OneTimeForm):
    """A secretary registers an executed instrument of transfer."""

    class_code = SelectField("Class", validators=[DataRequired()])
    from_holder_id = SelectField("From", validators=[DataRequired()])
    to_holder_id = SelectField("To", validators=[DataRequired()])
    quantity = IntegerField("Shares", validators=[DataRequired(), NumberRange(min=1)])
    instrument_reference = StringField(
        "Instrument reference", validators=[DataRequired(), Length(max=200)]
    )

    def as_request(self) -> LodgeTransfer:
        return LodgeTransfer(
            class_code=self.class_code.data,
            from_holder_id=self.from_holder_id.data,
            to_holder_id=self.to_holder_id.data,
            quantity=self.quantity.data,
            instrument_reference=unicodedata.normalize(
                "NFC", self.instrument_reference.data
            ).strip(),
        )
