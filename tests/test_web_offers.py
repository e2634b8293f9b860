"""Pre-emption on the investor's page through the Flask test client: an offeree sees the
offer with its entitlement, takes up part or waives; a second submission of the same form,
more than the entitlement, and anyone not offered the shares are refused and write nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pytest

from app.extensions import db
from app.ledger import log
from app.transfers import offer_queries, workflow
from app.transfers.requests import ConfigureTransfers, Instruct, Step
from tests.support.helpers import HOLDER_C, HOLDER_E, add_holders, issue, submit
from tests.support.logins import make_login
from tests.test_web_workflow import (
    ADA,
    BRUNEL,
    Register,
    _hidden_fields,
    build_register,
    log_in,
    words,
)

CHARLES = "charles@example.test"


@dataclass(frozen=True)
class Offer:
    """Ada sells 10,000 ORD to newcomer Brunel for GBP 12,500; Charles (3,000 ORD, 7,500 of
    them offered) and Emmy (1,000 ORD, 2,500) may buy them first."""

    register: Register
    charles: str
    emmy: str
    instruction_id: str


def open_offer(app, new_issuer) -> Offer:
    register = build_register(app, new_issuer)
    issuer_id = register.issuer_id
    with app.app_context():
        charles, emmy = add_holders(issuer_id, HOLDER_C, HOLDER_E)
        issue(issuer_id, (charles, 3_000), (emmy, 1_000))
    make_login(app, CHARLES, "investor", issuer_id, charles, display_name="Charles")
    with app.app_context():
        submit(issuer_id, workflow.configure, ConfigureTransfers("ORD", pre_emption=True))
        sale = Instruct(
            "ORD",
            register.ada,
            register.brunel,
            10_000,
            True,
            consideration=Decimal("12500.00"),
            currency="GBP",
        )
        instruction_id = submit(issuer_id, workflow.instruct, sale).instruction_id
        submit(issuer_id, workflow.accept, Step(instruction_id))
    return Offer(register, charles, emmy, instruction_id)


@pytest.fixture
def offer(app, new_issuer) -> Offer:
    return open_offer(app, new_issuer)


def take_up_fields(page: str, offer: Offer) -> dict:
    """The take-up form's hidden fields for the offer and the name of its number field (the
    tests run without CSRF tokens)."""
    action = f"/me/offers/{offer.instruction_id}/take"
    match = re.search(rf'<form [^>]*action="{action}"[^>]*>(.*?)</form>', page, re.S)
    assert match is not None, "no take-up form for the offer"
    quantity = re.search(r'<input [^>]*name="([^"]*quantity)"', match.group(1))
    return {**_hidden_fields(match.group(1)), "quantity_name": quantity.group(1)}


def answer(app, offer: Offer, holder_id: str) -> tuple[str, int]:
    with app.app_context():
        rows = offer_queries.offerees(db.session, offer.register.issuer_id, offer.instruction_id)
        row = next(r for r in rows if r.holder_id == holder_id)
        return row.answer, row.taken


def entries_of_kind(app, offer: Offer, kind: str) -> int:
    with app.app_context():
        issuer_id = offer.register.issuer_id
        size = log.get_state(db.session, issuer_id).tree_size
        entries = log.read_entries(db.session, issuer_id, 0, size)
        return sum(1 for entry in entries if entry.envelope["kind"] == kind)


def post_take_up(client, offer: Offer, fields: dict, quantity: str):
    data = {k: v for k, v in fields.items() if k != "quantity_name"}
    data[fields["quantity_name"]] = quantity
    return client.post(f"/me/offers/{offer.instruction_id}/take", data=data)


def test_an_offeree_sees_the_offer_and_takes_up_part_of_it_once(app, client, offer):
    log_in(client, CHARLES)
    page = client.get("/me/").get_data(as_text=True)
    text = words(page)
    assert "Offers to buy before others (pre-emption)" in text
    assert "Ada Lovelace" in text and "10,000" in text and "7,500" in text
    assert "GBP 12,500.00 for all 10,000 ORD (GBP 1.25 a share)" in text
    assert "7,500 would cost GBP 9,375.00" in text
    fields = take_up_fields(page, offer)

    done = post_take_up(client, offer, fields, "5000")
    assert done.status_code == 302
    assert answer(app, offer, offer.charles) == ("taken_up", 5_000)
    after = words(client.get("/me/").get_data(as_text=True))
    assert "You took up 5,000 ORD" in after
    assert entries_of_kind(app, offer, "transfer.pre_emption_taken_up") == 1

    again = post_take_up(client, offer, fields, "5000")
    assert again.status_code == 409
    assert "already sent and has been carried out once" in words(again.get_data(as_text=True))
    assert entries_of_kind(app, offer, "transfer.pre_emption_taken_up") == 1


def test_more_than_the_entitlement_is_refused_next_to_the_field(app, client, offer):
    log_in(client, CHARLES)
    fields = take_up_fields(client.get("/me/").get_data(as_text=True), offer)
    size_before = entries_of_kind(app, offer, "transfer.pre_emption_taken_up")

    refused = post_take_up(client, offer, fields, "7501")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    errors = re.search(r'<ul class="field-errors" id="([^"]*)-errors">(.*?)</ul>', page, re.S)
    assert errors is not None and errors.group(1).endswith("quantity")
    assert "You may take up at most 7,500 ORD; you asked for 7,501." in words(errors.group(2))
    assert answer(app, offer, offer.charles) == ("pending", 0)
    assert entries_of_kind(app, offer, "transfer.pre_emption_taken_up") == size_before

    # The same form, corrected, goes through: the refused post did not spend its token.
    assert post_take_up(client, offer, fields, "7500").status_code == 302
    assert answer(app, offer, offer.charles) == ("taken_up", 7_500)


@pytest.mark.parametrize("typed", ["1.5", "1e3", "-3", "abc", "", "1,000"])
def test_the_number_must_be_a_plain_whole_number(app, client, offer, typed):
    log_in(client, CHARLES)
    fields = take_up_fields(client.get("/me/").get_data(as_text=True), offer)
    refused = post_take_up(client, offer, fields, typed)
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert answer(app, offer, offer.charles) == ("pending", 0)


def test_an_offeree_waives(app, client, offer):
    log_in(client, CHARLES)
    page = client.get("/me/").get_data(as_text=True)
    action = f"/me/offers/{offer.instruction_id}/waive"
    form = re.search(rf'<form [^>]*action="{action}"[^>]*>(.*?)</form>', page, re.S)
    assert client.post(action, data=_hidden_fields(form.group(1))).status_code == 302
    assert answer(app, offer, offer.charles) == ("waived", 0)
    assert "You waived your right" in words(client.get("/me/").get_data(as_text=True))


@pytest.mark.parametrize("who", [ADA, BRUNEL])
def test_a_non_offeree_sees_no_offer_and_cannot_answer_it(app, client, offer, who):
    log_in(client, CHARLES)
    fields = take_up_fields(client.get("/me/").get_data(as_text=True), offer)
    log_in(client, who)
    page = client.get("/me/").get_data(as_text=True)
    assert f"/me/offers/{offer.instruction_id}" not in page
    assert "No offers have been made to you." in words(page)
    assert client.get(f"/me/offers/{offer.instruction_id}").status_code == 404
    assert post_take_up(client, offer, fields, "10").status_code == 404
    refused = client.post(f"/me/offers/{offer.instruction_id}/waive", data={})
    assert refused.status_code == 404
    assert answer(app, offer, offer.charles) == ("pending", 0)
    assert entries_of_kind(app, offer, "transfer.pre_emption_taken_up") == 0
    assert entries_of_kind(app, offer, "transfer.pre_emption_waived") == 0
