"""The investor's transfer pages: "Sell or transfer" (the order, then a confirmation page with
the risk notice), accepting or declining an incoming instruction, cancelling my own.

The transferee is named by member number and name, matched here: an investor may not browse
the members, and asking for both means the page tells nobody's name to a guesser. Refusals are
said in words next to the field they concern; the page's script (transfer-check.js) only adds
live feedback, the form works without it."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from app.auth.principal import login_principal
from app.extensions import db
from app.models.register import HoldingVersion
from app.register import members, queries
from app.register.errors import DomainError
from app.route_access import INVESTOR, access
from app.transfers import workflow
from app.transfers.requests import Instruct, Step
from app.web.confirm import RECORDED_AS, run_command
from app.web.forms import ORDER_FIELDS, ConfirmTransferForm, SellOrTransferForm, StepForm
from app.web.investor import investor_holder, investor_only
from app.web.refusals import place_refusal

blp = Blueprint("transfer_pages", __name__, url_prefix="/me")

STEPS = {
    "accept": (workflow.accept, "You accepted the transfer."),
    "decline": (workflow.decline, "You declined the transfer; the shares stay with the seller."),
    "cancel": (workflow.cancel, "You cancelled the transfer; your shares are free again."),
}
# Where a refusal from the workflow is shown when it names no field of the form: its code, or
# the workflow's name for the field, says which (else above the form).
FIELD_OF_ERROR = {
    "insufficient_available": "quantity",
    "holder_ceased": "member_number",
    "to_holder_id": "member_number",
    "class": "class_code",
    "risk_not_acknowledged": "risk_acknowledged",
}


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def find_transferee(number: int, name: str) -> tuple[str | None, str | None]:
    """(holder_id, None) of member `number` if they are named `name`, else (None, why not).
    The refusal is the same whether the number is unknown or the name differs."""
    issuer_id = current_user.issuer_id
    holder_id = members.holder_with_number(db.session, issuer_id, number)
    if holder_id is not None:
        _, details = queries.holder_with_details(db.session, issuer_id, holder_id)
        if details is not None and _name_key(details.name) == _name_key(name):
            if holder_id == current_user.holder_id:
                return None, "That is your own member number: choose another member."
            return holder_id, None
    return None, (
        f"No member number {number:,} is named “{name.strip()}” on the register. "
        "Check both with the person you are transferring to."
    )


def _my_holdings() -> list[HoldingVersion]:
    holder_id = current_user.holder_id
    return queries.current_holdings(db.session, current_user.issuer_id, holder_id)


def _prepared(form: SellOrTransferForm, holdings: list[HoldingVersion]) -> SellOrTransferForm:
    form.class_code.choices = [(h.class_code, h.class_code) for h in holdings]
    return form


def _my_name() -> str:
    _, details = investor_holder()
    return details.name if details is not None else "You"


def _shortfall(holdings: list[HoldingVersion], code: str, quantity: int) -> str | None:
    holding = next((h for h in holdings if h.class_code == code), None)
    available = holding.available if holding else 0
    if quantity <= available:
        return None
    words = f"{_my_name()} has {available:,} {code} available; you asked for {quantity:,}."
    if holding is not None and holding.reserved:
        words += f" {holding.reserved:,} are reserved for transfers still pending."
    return words


def checked_order(form: SellOrTransferForm, holdings: list[HoldingVersion]) -> str | None:
    """The transferee's holder_id if the order can go ahead as far as this page can tell,
    else None with the refusals attached to their fields."""
    holder_id, refusal = find_transferee(form.member_number.data, form.transferee_name.data)
    if refusal is not None:
        form.member_number.errors.append(refusal)
    shortfall = _shortfall(holdings, form.class_code.data, form.quantity.data)
    if shortfall is not None:
        form.quantity.errors.append(shortfall)
    return holder_id if refusal is None and shortfall is None else None


def _instruct_request(form: ConfirmTransferForm, transferee: str) -> Instruct:
    text = form.consideration_text.data
    return Instruct(
        class_code=form.class_code.data,
        from_holder_id=current_user.holder_id,
        to_holder_id=transferee,
        quantity=form.quantity.data,
        risk_acknowledged=bool(form.risk_acknowledged.data),
        consideration=Decimal(form.consideration.data)
        if form.consideration.data is not None
        else None,
        currency=form.currency.data or None,
        consideration_text=unicodedata.normalize("NFC", text).strip() if text else None,
        party=current_user.holder_id,
    )


def _plain(error: DomainError) -> str:
    if error.code == "insufficient_available":
        details = error.details
        return (
            f"{_my_name()} has {details['available']:,} {details['class_code']} available; "
            f"you asked for {details['requested']:,}."
        )
    return error.message


def _order_page(form: SellOrTransferForm, general: list[str] | None = None):
    return render_template("transfer_order.html", form=form, general=general or [])


@blp.route("/transfer", methods=["GET", "POST"])
@access(INVESTOR)
@investor_only
def sell_or_transfer():
    holdings = _my_holdings()
    form = _prepared(SellOrTransferForm(), holdings)
    if form.validate_on_submit() and checked_order(form, holdings) is not None:
        confirm = _prepared(ConfirmTransferForm(formdata=None), holdings)
        return render_template(
            "transfer_confirm.html", order=form, confirm=confirm, order_fields=ORDER_FIELDS
        )
    return _order_page(form)


@blp.route("/transfer/confirm", methods=["POST"])
@access(INVESTOR)
@investor_only
def confirm_transfer():
    holdings = _my_holdings()
    form = _prepared(ConfirmTransferForm(), holdings)
    if not form.validate_on_submit():
        if set(form.errors) == {"risk_acknowledged"}:
            return render_template(
                "transfer_confirm.html", order=form, confirm=form, order_fields=ORDER_FIELDS
            )
        return _order_page(form)
    transferee = checked_order(form, holdings)
    if transferee is None:
        return _order_page(form)
    actor, issuer_id = login_principal().actor, current_user.issuer_id
    try:
        index = run_command(
            actor, issuer_id, workflow.instruct, _instruct_request(form, transferee)
        )
    except DomainError as error:
        unplaced = place_refusal(form, error, FIELD_OF_ERROR, words=_plain(error))
        return _order_page(form, [unplaced] if unplaced else [])
    flash(
        f"Your transfer of {form.quantity.data:,} {form.class_code.data} to "
        f"{form.transferee_name.data.strip()} is instructed; the shares are reserved until "
        f"the transferee accepts and the company approves it. {RECORDED_AS.format(index=index)}",
        "ok",
    )
    return redirect(url_for("investor.dashboard"))


@blp.route("/transfer/transferee", methods=["POST"])
@access(INVESTOR)
@investor_only
def transferee():
    """The live check's lookup: the holder_id of the member with this number and name."""
    body = request.get_json(silent=True) or {}
    number, name = body.get("member_number"), body.get("name")
    if not isinstance(name, str) or not name.strip() or not str(number).isdigit():
        message = "member_number (a whole number) and name are required"
        return jsonify({"code": "invalid_input", "message": message}), 400
    holder_id, refusal = find_transferee(int(number), name)
    if refusal is not None:
        return jsonify({"code": "no_such_member", "message": refusal}), 422
    return jsonify({"holder_id": holder_id})


@blp.route("/instructions/<instruction_id>/<action>", methods=["POST"])
@access(INVESTOR)
@investor_only
def step(instruction_id: str, action: str):
    if action not in STEPS:
        abort(404)
    service, done = STEPS[action]
    if StepForm().validate_on_submit():
        step = Step(instruction_id, party=current_user.holder_id)
        try:
            index = run_command(login_principal().actor, current_user.issuer_id, service, step)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"{done} {RECORDED_AS.format(index=index)}", "ok")
    else:
        flash("The form expired; please try again.", "error")
    return redirect(url_for("investor.dashboard"))
