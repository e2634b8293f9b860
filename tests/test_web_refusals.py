"""Where a page says a service's refusal: next to the field it concerns, else above the form."""

import re

from flask import Flask, get_flashed_messages
from wtforms import Form, HiddenField, IntegerField, StringField

from app.commands import command
from app.extensions import db
from app.register import holders, member_search
from app.register.errors import InvalidInput, Refused
from app.register.requests import CeaseHolder
from app.web.refusals import place_refusal, refused_field, show_refusal
from tests.support.helpers import ACTOR
from tests.test_web_issuance import _secretary


class OrderForm(Form):
    class_code = StringField()
    member = StringField()
    to_member = StringField()
    quantity = IntegerField()
    form_token = HiddenField()


def test_the_field_the_error_names_is_used_as_it_stands():
    form = OrderForm()
    error = InvalidInput("a quantity of shares is at least 1", field="quantity")
    assert place_refusal(form, error) is None
    assert form.quantity.errors == ["a quantity of shares is at least 1"]
    assert form.member.errors == ()


def test_the_views_table_translates_the_services_field_name():
    form = OrderForm()
    error = InvalidInput("no such class", field="class")
    assert refused_field(form, error, {"class": "class_code"}) is form.class_code


def test_the_named_field_comes_before_the_code():
    form = OrderForm()
    error = Refused("authorised_exceeded", "too many", field="member")
    assert refused_field(form, error, {"authorised_exceeded": "quantity"}) is form.member


def test_the_code_says_the_field_when_the_error_names_none():
    form = OrderForm()
    error = Refused("insufficient_available", "not enough", available=5)
    assert place_refusal(form, error, {"insufficient_available": "quantity"}) is None
    assert form.quantity.errors == ["not enough"]


def test_a_field_the_form_lacks_falls_through_to_the_code():
    form = OrderForm()
    error = Refused("too_many_shares", "too many", field="ratio")
    assert refused_field(form, error, {"too_many_shares": "quantity"}) is form.quantity


def test_a_refusal_about_a_holder_goes_on_the_field_that_named_them():
    form = OrderForm()
    error = Refused("holder_ceased", "ceased", holder_id="h-2")
    holders = {"h-1": "member", "h-2": "to_member"}
    assert refused_field(form, error, holder_fields=holders) is form.to_member
    elsewhere = Refused("holder_ceased", "ceased", holder_id="h-9")
    assert refused_field(form, elsewhere, holder_fields=holders) is None


def test_an_unknown_field_is_for_the_top_of_the_form_in_the_views_words():
    form = OrderForm()
    error = InvalidInput("bad lei", field="lei")
    assert place_refusal(form, error, {"class": "class_code"}, words="The LEI is not valid.") == (
        "The LEI is not valid."
    )
    assert all(not field.errors for field in form)


def test_a_field_name_that_is_not_text_is_no_field():
    error = InvalidInput("odd", field=["quantity"], holder_id=7)
    assert refused_field(OrderForm(), error, {"odd": "quantity"}) is None


def test_the_views_words_go_next_to_the_field_after_its_own_refusals():
    form = OrderForm()
    form.quantity.errors = ["Give a whole number."]
    error = Refused("insufficient_available", "not enough")
    words = "Alfie Brown has 39,700 ORD available; you asked for 10,000,000."
    place_refusal(form, error, {"insufficient_available": "quantity"}, words=words)
    assert form.quantity.errors == ["Give a whole number.", words]


def test_show_refusal_flashes_what_concerns_no_field():
    app = Flask(__name__)
    app.secret_key = "test"
    with app.test_request_context("/"):
        form = OrderForm()
        show_refusal(form, InvalidInput("quantity refused", field="quantity"))
        show_refusal(form, Refused("frozen", "The shares are frozen."))
        assert get_flashed_messages(with_categories=True) == [("error", "The shares are frozen.")]
        assert form.quantity.errors == ["quantity refused"]


# The pages: member fields are resolved by the view, so a refusal about a member can find its field.


def _errors_of(page: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-errors">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def test_a_forced_transfer_to_a_ceased_member_is_refused_on_the_to_field(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    with app.app_context():
        brunel = member_search.resolve_member(db.session, issuer_id, "2")
        with command(ACTOR, issuer_id) as ctx:
            holders.cease_holder(ctx, CeaseHolder(brunel))
    form = {"class_code": "ORD", "from_member": "1", "to_member": "2", "quantity": "10"}
    form["legal_reference"] = "Court order 12"
    page = client.post(f"/issuers/{issuer_id}/actions/forced-transfer", data=form)
    text = page.get_data(as_text=True)
    assert "ceased to be a member" in _errors_of(text, "to_member")
    assert 'id="from_member-errors"' not in text


def test_a_transfer_between_one_member_is_refused_on_the_to_field(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    forced = {"class_code": "ORD", "from_member": "1", "to_member": "1", "quantity": "10"}
    forced["legal_reference"] = "Court order 12"
    registered = {"class_code": "ORD", "from_member": "1", "to_member": "1", "quantity": "10"}
    registered["instrument_reference"] = "STF-1"
    for url, form in (
        (f"/issuers/{issuer_id}/actions/forced-transfer", forced),
        (f"/issuers/{issuer_id}", registered),
    ):
        text = client.post(url, data=form).get_data(as_text=True)
        assert "a transfer needs two different holders" in _errors_of(text, "to_member"), url


def test_every_member_picker_is_labelled_hinted_and_apart_from_the_others(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    pages = {
        f"/issuers/{issuer_id}": 2,
        f"/issuers/{issuer_id}/issue": 1,
        f"/issuers/{issuer_id}/actions/forced-transfer": 2,
    }
    for url, pickers in pages.items():
        text = client.get(url).get_data(as_text=True)
        ids = re.findall(r'\bid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), url
        inputs = re.findall(r"<input [^>]*data-member-picker=[^>]*>", text)
        assert len(inputs) == pickers, url
        for tag in inputs:
            (own,) = re.findall(r'\bid="([^"]+)"', tag)
            (choices,) = re.findall(r'\blist="([^"]+)"', tag)
            (described,) = re.findall(r'aria-describedby="([^"]+)"', tag)
            assert f'<label for="{own}">' in text, url
            assert f'<datalist id="{choices}">' in text, url
            assert all(part in ids for part in described.split()), url
