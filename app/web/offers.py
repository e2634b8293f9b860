"""The investor's pre-emption offers: shares another member sells to a newcomer, offered first
to the class's holders. On "My holdings" each offer made to me shows what is offered, my
entitlement, the price and the closing date, with a form to take up shares or to waive; each
answer is one command through `app.transfers.pre_emption`, its form's one-time token refusing a
second submission. A refusal is said next to the field, on the offer's own page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app.auth.principal import login_principal
from app.commands import current_ledger
from app.extensions import db
from app.models.transfers import PreEmptionOffer, PreEmptionOfferee, TransferInstruction
from app.register import queries
from app.register.errors import DomainError
from app.register.snapshot import ERASED_NAME
from app.route_access import INVESTOR, access
from app.transfers import offer_queries, pre_emption
from app.transfers import queries as transfer_queries
from app.transfers.offer_states import OPEN, PENDING_ANSWER, TAKEN_UP
from app.transfers.requests import TakeUp, Waive
from app.web.confirm import RECORDED_AS, run_command
from app.web.forms import StepForm, TakeUpForm
from app.web.investor import investor_only
from app.web.refusals import place_refusal

blp = Blueprint("offer_pages", __name__, url_prefix="/me/offers")

# Enough for a page: open offers come first, then the latest answered ones.
OFFERS_SHOWN = 20
# A refusal's status where it is not 422: a second submission conflicts with the first.
STATUS_OF_REFUSAL = {"form_already_submitted": 409}
# The field of a refusal that names none: taking up more than one's entitlement.
FIELD_OF_REFUSAL = {"exceeds_entitlement": "quantity"}


def _amount(currency: str, amount: Decimal) -> str:
    return f"{currency} {amount:,}"


@dataclass(frozen=True)
class OfferRow:
    offer: PreEmptionOffer
    mine: PreEmptionOfferee
    instruction: TransferInstruction
    seller: str
    now: datetime

    @property
    def instruction_id(self) -> str:
        return self.offer.instruction_id

    @property
    def class_code(self) -> str:
        return self.offer.class_code

    @property
    def answerable(self) -> bool:
        return (
            self.offer.state == OPEN
            and self.mine.answer == PENDING_ANSWER
            and self.now <= self.offer.close_by
        )

    @property
    def price_words(self) -> str:
        offer, code = self.offer, self.offer.class_code
        if offer.consideration is None:
            text = self.instruction.consideration_text
            return f"No price: the seller transfers them for “{text}”" if text else "No price"
        total = Decimal(offer.consideration)
        each = pre_emption.pro_rata_consideration(offer.consideration, 1, offer.quantity)
        about = "" if each * offer.quantity == total else "about "
        # What a taker pays is the pro-rata share the close will charge, not each × number.
        mine = pre_emption.pro_rata_consideration(
            offer.consideration, self.mine.entitlement, offer.quantity
        )
        return (
            f"{_amount(offer.currency, total)} for all {offer.quantity:,} {code} "
            f"({about}{_amount(offer.currency, each)} a share); your "
            f"{self.mine.entitlement:,} would cost {_amount(offer.currency, mine)}"
        )

    @property
    def answer_words(self) -> str:
        mine, code = self.mine, self.offer.class_code
        if mine.answer == TAKEN_UP:
            return f"You took up {mine.taken:,} {code}."
        if mine.answer == PENDING_ANSWER:
            if self.answerable:
                return "Not answered yet."
            return "Not answered; the offer has closed, so you are taken to have waived it."
        return "You waived your right to these shares."

    @property
    def state_words(self) -> str:
        if self.offer.state == OPEN and self.now <= self.offer.close_by:
            return "open"
        return "closed"

    @property
    def close_words(self) -> str:
        return self.offer.close_by.strftime("%Y-%m-%d %H:%M")

    @property
    def hint(self) -> str:
        return (
            f"At most {self.mine.entitlement:,} {self.offer.class_code}, of the "
            f"{self.offer.quantity:,} {self.seller} is selling."
        )


def _name(issuer_id: str, holder_id: str) -> str:
    _, details = queries.holder_with_details(db.session, issuer_id, holder_id)
    return details.name if details is not None else ERASED_NAME


def _row(offer: PreEmptionOffer, mine: PreEmptionOfferee, now: datetime) -> OfferRow:
    instruction = transfer_queries.get_instruction(
        db.session, offer.issuer_id, offer.instruction_id
    )
    return OfferRow(
        offer, mine, instruction, _name(offer.issuer_id, instruction.from_holder_id), now
    )


def my_offers() -> list[OfferRow]:
    """The offers made to the logged-in investor's holder, open ones first."""
    if current_user.is_anonymous or current_user.holder_id is None:
        return []
    now = current_ledger().clock()
    found = offer_queries.offers_to_holder(
        db.session, current_user.issuer_id, current_user.holder_id, OFFERS_SHOWN
    )
    return [_row(offer, mine, now) for offer, mine in found]


def _my_offer(instruction_id: str) -> OfferRow:
    """The offer on the instruction as made to me; 404 to anyone it was not made to."""
    issuer_id, holder_id = current_user.issuer_id, current_user.holder_id
    offer = offer_queries.find_offer(db.session, issuer_id, instruction_id)
    mine = db.session.get(PreEmptionOfferee, (issuer_id, instruction_id, holder_id))
    if offer is None or mine is None:
        abort(404)
    return _row(offer, mine, current_ledger().clock())


def take_up_form(row: OfferRow, formdata=None) -> TakeUpForm:
    # Each offer's form has its own prefix, so the fields of several offers on one page keep
    # distinct ids and labels.
    return TakeUpForm(formdata=formdata, prefix=f"offer-{row.instruction_id}")


@blp.app_context_processor
def _offer_helpers() -> dict:
    # The investor page includes the offers' section; these give it its rows and forms.
    return {"my_pre_emption_offers": my_offers, "take_up_form": take_up_form}


def _plain(error: DomainError, row: OfferRow) -> str:
    if error.code == "exceeds_entitlement":
        return (
            f"You may take up at most {error.details['entitlement']:,} {row.class_code}; "
            f"you asked for {error.details['requested']:,}."
        )
    if error.code == "already_answered":
        return f"You have already answered this offer. {row.answer_words}"
    if error.code == "offer_closed":
        return "This offer has closed; it can no longer be answered."
    return error.message


def _offer_page(row: OfferRow, form: TakeUpForm, general: list[str], status: int = 200):
    page = render_template(
        "offers_answer.html", row=row, form=form, general=general, step_form=StepForm
    )
    return page, status


def _answer(row: OfferRow, service, request, done: str, form: TakeUpForm):
    try:
        index = run_command(login_principal().actor, current_user.issuer_id, service, request)
    except DomainError as error:
        words = _plain(error, row)
        status = STATUS_OF_REFUSAL.get(error.code, 422)
        unplaced = place_refusal(form, error, FIELD_OF_REFUSAL, words=words)
        return _offer_page(row, form, [unplaced] if unplaced else [], status)
    flash(f"{done} {RECORDED_AS.format(index=index)}", "ok")
    return redirect(url_for("investor.dashboard", _anchor="offers"))


@blp.route("/<instruction_id>")
@access(INVESTOR)
@investor_only
def offer(instruction_id: str):
    row = _my_offer(instruction_id)
    return _offer_page(row, take_up_form(row), [])


@blp.route("/<instruction_id>/take", methods=["POST"])
@access(INVESTOR)
@investor_only
def take(instruction_id: str):
    row = _my_offer(instruction_id)
    form = TakeUpForm(prefix=f"offer-{row.instruction_id}")
    if not form.validate_on_submit():
        general = [] if form.quantity.errors else ["The form expired; please try again."]
        return _offer_page(row, form, general, 422)
    quantity = form.quantity.data
    request = TakeUp(instruction_id, current_user.holder_id, quantity, current_user.holder_id)
    done = (
        f"You took up {quantity:,} {row.class_code} offered by {row.seller}; they are yours "
        "when the offer closes."
    )
    return _answer(row, pre_emption.take_up, request, done, form)


@blp.route("/<instruction_id>/waive", methods=["POST"])
@access(INVESTOR)
@investor_only
def waive(instruction_id: str):
    row = _my_offer(instruction_id)
    if not StepForm().validate_on_submit():
        return _offer_page(row, take_up_form(row), ["The form expired; please try again."], 422)
    request = Waive(instruction_id, current_user.holder_id, current_user.holder_id)
    done = f"You waived your right to the {row.class_code} offered by {row.seller}."
    return _answer(row, pre_emption.waive, request, done, take_up_form(row))
