"""Flask-WTF forms (CSRF-protected)."""

import unicodedata

from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from app.register.requests import LodgeTransfer


class LoginForm(FlaskForm):
    # No address validation here: a login only looks the address up.
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class TransferForm(FlaskForm):
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
