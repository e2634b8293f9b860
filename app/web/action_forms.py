"""Forms of the secretary's corporate actions. Members are typed as a member number or picked
by name (resolved by the view); each form builds the register's typed request from its fields
and the holders they name."""

from __future__ import annotations

from decimal import Decimal

from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from app.register.limits import MAX_SHARES
from app.register.ratios import FRACTION_POLICIES, RATIO_PATTERN, ROUND_DOWN_CASH_IN_LIEU
from app.register.requests import (
    CancelShares,
    ChangeFreeze,
    Consideration,
    ConvertShares,
    DeclareDistribution,
    ForcedTransfer,
    FractionTerms,
    RedeemShares,
    RegisterPledge,
    ReleasePledge,
    ReorganiseClass,
    RepurchaseShares,
)
from app.web.forms import MAX_PRICE, OneTimeForm, finite_number

POLICY_WORDS = {
    ROUND_DOWN_CASH_IN_LIEU: "round down and pay cash for the fraction",
    "round_half_up": "round to the nearest whole share",
}


def _class(label: str = "Class") -> SelectField:
    return SelectField(label, validators=[DataRequired()])


def _member(label: str) -> StringField:
    return StringField(label, validators=[DataRequired(), Length(max=300)])


def _shares(label: str = "Number of shares") -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired("Give the number of shares as a whole number."),
            NumberRange(min=1, max=MAX_SHARES, message="Give a whole number of at least 1."),
        ],
    )


def _money(label: str, required: bool = False) -> DecimalField:
    first = InputRequired("Give an amount, such as 1250.00.") if required else Optional()
    return DecimalField(
        label, places=None, validators=[first, finite_number, NumberRange(min=0, max=MAX_PRICE)]
    )


def _currency(label: str = "Currency (such as GBP)", required: bool = False) -> StringField:
    first = DataRequired("Give a three-letter currency code.") if required else Optional()
    return StringField(
        label,
        filters=[lambda value: value.strip().upper() if value else value],
        validators=[first, Regexp(r"^[A-Z]{3}$", message="Give a three-letter currency code.")],
    )


def _text(label: str, required: bool = True) -> StringField:
    return StringField(
        label, validators=[DataRequired() if required else Optional(), Length(max=200)]
    )


class ActionForm(OneTimeForm):
    """Names the member fields (`MEMBERS`) the view resolves to holder ids."""

    MEMBERS: tuple[str, ...] = ("member",)


class CancelForm(ActionForm):
    class_code, member, quantity = _class(), _member("Member"), _shares()
    reason = _text("Reason, e.g. the resolution")

    def as_request(self, member: str) -> CancelShares:
        return CancelShares(self.class_code.data, member, self.quantity.data, self.reason.data)


class RepurchaseForm(ActionForm):
    class_code, member, quantity = _class(), _member("From (member)"), _shares()
    price_per_share = _money("Price per share", required=True)
    currency = _currency(required=True)

    def as_request(self, member: str) -> RepurchaseShares:
        return RepurchaseShares(
            self.class_code.data,
            member,
            self.quantity.data,
            self.price_per_share.data,
            self.currency.data,
        )


class RedeemForm(ActionForm):
    class_code, member, quantity = _class(), _member("Member"), _shares()
    consideration = SelectField(
        "Redeemed for",
        choices=[("cash", "cash"), ("products_or_services", "the company's products or services")],
    )
    amount = _money("Amount (for cash)")
    currency = _currency("Currency (for cash)")
    description = _text("Products or services given (if not cash)", required=False)

    def as_request(self, member: str) -> RedeemShares:
        paid = Consideration(
            type=self.consideration.data,
            amount=self.amount.data,
            currency=self.currency.data or None,
            description=self.description.data or None,
        )
        return RedeemShares(self.class_code.data, member, self.quantity.data, paid)


class _TermsForm(ActionForm):
    ratio = StringField(
        "Ratio new:old (such as 2:1)",
        validators=[DataRequired(), Regexp(RATIO_PATTERN, message="Write the ratio as 2:1.")],
    )
    fraction_policy = SelectField(
        "Fractions of a share", choices=[(p, POLICY_WORDS.get(p, p)) for p in FRACTION_POLICIES]
    )
    cash_in_lieu_price = _money("Cash per whole share for fractions (when paying cash)")
    currency = _currency("Currency of that cash")

    def terms(self) -> FractionTerms:
        return FractionTerms(
            self.ratio.data,
            self.fraction_policy.data,
            self.cash_in_lieu_price.data,
            self.currency.data or None,
        )


class ConvertForm(_TermsForm):
    class_code, member, quantity = _class("From class"), _member("Member"), _shares()
    to_class = _class("Into class")

    def as_request(self, member: str) -> ConvertShares:
        return ConvertShares(
            member, self.class_code.data, self.to_class.data, self.quantity.data, self.terms()
        )


class ReorganiseForm(_TermsForm):
    """A split or a consolidation of a whole class: previewed before it is confirmed."""

    MEMBERS = ()
    class_code = _class()

    def as_request(self) -> ReorganiseClass:
        return ReorganiseClass(self.class_code.data, self.terms())


class FreezeForm(ActionForm):
    class_code, member, quantity = _class(), _member("Member"), _shares()
    reason = _text("Legal ground, e.g. the court order")

    def as_request(self, member: str) -> ChangeFreeze:
        return ChangeFreeze(self.class_code.data, member, self.quantity.data, self.reason.data)


class PledgeForm(ActionForm):
    class_code, member, quantity = _class(), _member("Member"), _shares()
    pledgee = _text("Pledged to (institution and facility)")

    def as_request(self, member: str) -> RegisterPledge:
        return RegisterPledge(self.class_code.data, member, self.quantity.data, self.pledgee.data)


class ForcedTransferForm(ActionForm):
    MEMBERS = ("from_member", "to_member")
    class_code = _class()
    from_member, to_member = _member("From (member)"), _member("To (member)")
    quantity = _shares()
    legal_reference = _text("Legal reference, e.g. the court order")

    def as_request(self, from_member: str, to_member: str) -> ForcedTransfer:
        return ForcedTransfer(
            self.class_code.data,
            from_member,
            to_member,
            self.quantity.data,
            self.legal_reference.data,
        )


class DistributionForm(ActionForm):
    MEMBERS = ()
    class_code = _class()
    amount_per_share = _money("Amount per share", required=True)
    currency = _currency(required=True)
    record_date = DateField("Record date", validators=[InputRequired("Give the record date.")])
    payment_date = DateField("Payment date (optional)", validators=[Optional()])

    def as_request(self) -> DeclareDistribution:
        return DeclareDistribution(
            self.class_code.data,
            Decimal(self.amount_per_share.data),
            self.currency.data,
            self.record_date.data,
            self.payment_date.data,
        )


class ReleaseForm(ActionForm):
    MEMBERS = ()
    pledge_id = SelectField("Pledge to release", validators=[DataRequired()])

    def as_request(self) -> ReleasePledge:
        return ReleasePledge(self.pledge_id.data)
