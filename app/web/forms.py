"""Flask-WTF forms (CSRF-protected)."""

import re
import unicodedata
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Field,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)

from app.idempotency.forms import expect_submission, new_form_token
from app.models.idempotency import KEY_MAX_LENGTH
from app.register.limits import MAX_SHARES
from app.register.requests import LodgeTransfer
from app.transfers.rules import RuleSet, iso_countries

MAX_PRICE = Decimal(10) ** 15


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
    """A secretary registers an executed instrument of transfer. The parties are typed as a
    member number or picked by name (the page's picker offers "Name (No. N)" as one types);
    the view resolves them to holders."""

    class_code = SelectField("Class", validators=[DataRequired()])
    from_member = StringField("From (member)", validators=[DataRequired(), Length(max=300)])
    to_member = StringField("To (member)", validators=[DataRequired(), Length(max=300)])
    quantity = IntegerField("Shares", validators=[DataRequired(), NumberRange(min=1)])
    instrument_reference = StringField(
        "Instrument reference", validators=[DataRequired(), Length(max=200)]
    )

    def as_request(self, from_holder_id: str, to_holder_id: str) -> LodgeTransfer:
        return LodgeTransfer(
            class_code=self.class_code.data,
            from_holder_id=from_holder_id,
            to_holder_id=to_holder_id,
            quantity=self.quantity.data,
            instrument_reference=unicodedata.normalize(
                "NFC", self.instrument_reference.data
            ).strip(),
        )


def finite_number(form: FlaskForm, field: Field) -> None:
    # Decimal("NaN") and infinities parse, but no price is either (and NaN cannot be compared).
    if field.data is not None and not field.data.is_finite():
        raise StopValidation("Give the price as a number, such as 1250.00.")


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else value


class SellOrTransferForm(FlaskForm):
    """An investor's order to transfer shares: to a member named by their member number and
    name (an investor may not browse the list of members), for a price or for something else."""

    class_code = SelectField("Class of shares", validators=[DataRequired()])
    quantity = IntegerField(
        "Number of shares",
        validators=[
            InputRequired("Give the number of shares as a whole number."),
            NumberRange(min=1, max=MAX_SHARES, message="Give at least 1 share."),
        ],
    )
    member_number = IntegerField(
        "Transferee's member number",
        validators=[
            InputRequired("Give the transferee's member number (they can tell you it)."),
            NumberRange(min=1, max=MAX_SHARES, message="Member numbers start at 1."),
        ],
    )
    transferee_name = StringField(
        "Transferee's name, as on the register",
        validators=[DataRequired("Give the transferee's name."), Length(max=200)],
    )
    consideration = DecimalField(
        "Price for all these shares (leave empty if not sold for money)",
        places=None,
        validators=[
            Optional(),
            finite_number,
            NumberRange(min=0, max=MAX_PRICE, message="Give a price of 0 or more."),
        ],
    )
    currency = StringField(
        "Currency (such as GBP)",
        filters=[_upper],
        validators=[
            Optional(),
            Regexp(r"^[A-Z]{3}$", message="Use a three-letter code, such as GBP."),
        ],
    )
    consideration_text = StringField(
        "Or, if not sold for money, what for (such as gift)",
        validators=[Optional(), Length(max=200)],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Here, not in validate_currency: an empty optional field skips its own validators.
        price, currency = self.consideration.data, self.currency.data
        if price is not None and not currency and not self.consideration.errors:
            self.currency.errors.append("A price needs its currency, such as GBP.")
            return False
        if currency and price is None and not self.consideration.errors:
            self.currency.errors.append("A currency needs a price; leave it empty for a gift.")
            return False
        return valid


# The order's fields, which the confirmation page carries on in hidden inputs.
ORDER_FIELDS = (
    "class_code",
    "quantity",
    "member_number",
    "transferee_name",
    "consideration",
    "currency",
    "consideration_text",
)


class ConfirmTransferForm(OneTimeForm, SellOrTransferForm):
    """The order again, with the investor's acknowledgement of the risk notice."""

    risk_acknowledged = BooleanField(
        "I have read and understood the risk notice above",
        validators=[DataRequired("Tick the box to confirm you have read the risk notice.")],
    )


class StepForm(OneTimeForm):
    """One button that moves an instruction on: accept, decline, cancel, approve, settle."""


# The reasons a company commonly gives for refusing to register a transfer (s771 asks for
# reasons; the text says which rule and why).
REJECTION_REASONS = [
    ("articles_restriction", "The articles restrict this transfer"),
    ("pre_emption", "Other members have pre-emption rights"),
    ("incomplete_instrument", "The instrument of transfer is incomplete"),
    ("unpaid_shares", "The shares are not fully paid (company lien)"),
    ("transferee_not_eligible", "The transferee may not hold these shares"),
    ("other", "Another reason (explained below)"),
]


class RejectForm(OneTimeForm):
    code = SelectField("Reason", choices=REJECTION_REASONS, validators=[DataRequired()])
    text = TextAreaField(
        "Explanation for the parties",
        validators=[DataRequired("Explain the refusal to the parties."), Length(max=500)],
    )


WHOLE_NUMBER = re.compile(r"[0-9]+")


class WholeNumberField(IntegerField):
    """Digits only: int() would also take "+5", " 5 " and "1_000", which nobody types as a
    number of shares."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        if not WHOLE_NUMBER.fullmatch(valuelist[0].strip()):
            self.data = None
            raise ValueError("Give the number of shares in digits only, such as 500.")
        self.data = int(valuelist[0])

    def pre_validate(self, form: FlaskForm) -> None:
        # One refusal is enough: the range check has nothing to say about an unreadable number.
        if self.process_errors:
            raise StopValidation()


class TakeUpForm(OneTimeForm):
    """An offeree takes up shares of a pre-emption offer (rendered with the offer as prefix)."""

    quantity = WholeNumberField(
        "Shares to take up",
        validators=[
            InputRequired("Give the number of shares to take up, or waive the offer."),
            NumberRange(min=1, max=MAX_SHARES, message="Take up at least 1 share, or waive."),
        ],
    )


def country_codes(text: str | None) -> tuple[str, ...]:
    """Codes typed as "gb, IE fr": upper case, in the order given, each once."""
    codes = re.split(r"[\s,;]+", (text or "").strip().upper())
    return tuple(dict.fromkeys(code for code in codes if code))


def _countries(form: FlaskForm, field: Field) -> None:
    for code in country_codes(field.data):
        if code not in iso_countries():
            raise StopValidation(
                f"{code} is not an ISO 3166-1 country code; use two letters, such as GB or IE."
            )


def _percentage(form: FlaskForm, field: Field) -> None:
    if field.data is not None and not (field.data.is_finite() and 0 < field.data <= 100):
        raise StopValidation("Give a percentage above 0 and at most 100, such as 25.")


def _at_least_one(what: str) -> list:
    return [
        Optional(),
        NumberRange(min=1, max=MAX_SHARES, message=f"Give at least 1 {what}, or leave it empty."),
    ]


class RulesForm(OneTimeForm):
    """A class's transfer rules as the secretary proposes them; an empty field is no rule."""

    lockup_until = DateField("Locked up until", validators=[Optional()], format="%Y-%m-%d")
    kyc_required = BooleanField("Holders' identity must be verified (KYC)")
    allowed_countries = StringField(
        "Allowed countries", validators=[Optional(), Length(max=1000), _countries]
    )
    blocked_countries = StringField(
        "Blocked countries", validators=[Optional(), Length(max=1000), _countries]
    )
    max_holders = IntegerField("Most holders of the class", validators=_at_least_one("holder"))
    max_vote_percentage = DecimalField(
        "Most votes one holder may have (%)", places=None, validators=[Optional(), _percentage]
    )
    minimum_lot = IntegerField("Minimum lot (shares)", validators=_at_least_one("share"))
    approval_above = IntegerField(
        "Company approval above (shares)", validators=_at_least_one("share")
    )
    trading_halted = BooleanField("Trading halted")

    @classmethod
    def showing(cls, rules: RuleSet) -> "RulesForm":
        """A fresh form (new one-time token) filled in with `rules`."""
        data = rules.view()
        for name in ("allowed_countries", "blocked_countries"):
            data[name] = ", ".join(data[name] or ())
        return cls(formdata=None, data=data)

    def as_rules(self) -> RuleSet:
        allowed = country_codes(self.allowed_countries.data)
        return RuleSet(
            lockup_until=self.lockup_until.data,
            kyc_required=self.kyc_required.data,
            allowed_countries=allowed or None,
            blocked_countries=country_codes(self.blocked_countries.data),
            max_holders=self.max_holders.data,
            max_vote_percentage=self.max_vote_percentage.data,
            minimum_lot=self.minimum_lot.data,
            approval_above=self.approval_above.data,
            trading_halted=self.trading_halted.data,
        )
