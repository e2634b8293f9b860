"""The transfer workflow's pages through the Flask test client: the investor's "Sell or
transfer" form, its confirmation with the risk notice, accepting and declining, and the
secretary's approvals queue (approve, reject with reasons, settle)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest

from app.commands import command
from app.extensions import db
from app.models.transfers import TransferInstruction
from app.register import classes, members, queries
from app.transfers import queries as transfer_queries
from tests.support import logins
from tests.support.helpers import ACTOR, HOLDER_A, HOLDER_B, add_holders, class_request, issue
from tests.support.logins import make_login

ADA, BRUNEL, SECRETARY = "ada@example.test", "brunel@example.test", "sec@example.test"


@dataclass(frozen=True)
class Register:
    issuer_id: str
    ada: str
    brunel: str
    ada_number: int
    brunel_number: int


def build_register(app, new_issuer, shares_for_ada: int = 39_700) -> Register:
    """Ada holds `shares_for_ada` ORD; Brunel holds none; each has an investor login, and the
    issuer has a secretary."""
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    with app.app_context():
        with command(ACTOR, issuer_id) as ctx:
            classes.create_class(ctx, class_request())
        ada, brunel = add_holders(issuer_id, HOLDER_A, HOLDER_B)
        issue(issuer_id, (ada, shares_for_ada))
        numbers = [members.member_number(db.session, issuer_id, h) for h in (ada, brunel)]
    for email, role, holder_id in (
        (ADA, "investor", ada),
        (BRUNEL, "investor", brunel),
        (SECRETARY, "secretary", None),
    ):
        make_login(app, email, role, issuer_id, holder_id, display_name=email.split("@")[0].title())
    return Register(issuer_id, ada, brunel, *numbers)


@pytest.fixture
def register(app, new_issuer) -> Register:
    return build_register(app, new_issuer)


def log_in(client, email: str) -> None:
    """Log in as `email`, logging out whoever was logged in."""
    client.post("/logout")
    logins.log_in(client, email)


def order(register: Register, **changes) -> dict:
    return {
        "class_code": "ORD",
        "quantity": "10000",
        "member_number": str(register.brunel_number),
        "transferee_name": "Brunel Engineering Ltd",
        "consideration": "12500.00",
        "currency": "gbp",
        "consideration_text": "",
        **changes,
    }


def words(page: str) -> str:
    """A page's text as a reader sees it: entities decoded, runs of white space as one."""
    return " ".join(html.unescape(page).split())


def _hidden_fields(page: str) -> dict:
    """The hidden inputs' names and values (the last of each name)."""
    fields = {}
    for tag in re.findall(r"<input [^>]*>", page):
        attributes = dict(re.findall(r'([a-z_-]+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden" and attributes["name"] != "csrf_token":
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def confirm_page(client, register: Register, **changes) -> dict:
    """Send the order; return the confirmation page's form fields (with its one-time token)."""
    page = client.post("/me/transfer", data=order(register, **changes))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Risk notice" in text and "may lose all their value" in text
    assert "does not guarantee a price" in text
    return _hidden_fields(text)


def instructions(app, register: Register) -> list[TransferInstruction]:
    with app.app_context():
        page, _ = transfer_queries.instructions_page(db.session, register.issuer_id)
        return page


def held(app, register: Register, holder_id: str) -> int:
    with app.app_context():
        rows = queries.current_holdings(db.session, register.issuer_id, holder_id)
        return sum(row.held for row in rows)


def instruct(client, register: Register, **changes):
    fields = confirm_page(client, register, **changes)
    return client.post("/me/transfer/confirm", data={**fields, "risk_acknowledged": "y"})


def test_an_instruction_goes_from_order_to_settlement_through_the_pages(app, client, register):
    log_in(client, ADA)
    assert b"Sell or transfer shares" in client.get("/me/").data
    fields = confirm_page(client, register)
    assert fields["currency"] == "GBP" and fields["quantity"] == "10000"
    without_tick = client.post("/me/transfer/confirm", data=fields)
    assert b"Tick the box to confirm you have read the risk notice" in without_tick.data
    assert instructions(app, register) == []
    done = client.post(
        "/me/transfer/confirm", data={**fields, "risk_acknowledged": "y"}, follow_redirects=True
    )
    text = done.get_data(as_text=True)
    assert "Your transfer of 10,000 ORD to Brunel Engineering Ltd is instructed" in text
    assert re.search(r"It is log entry [\d,]+; check it under", words(text))
    assert "waiting for the transferee to accept" in text
    (instruction,) = instructions(app, register)
    assert (instruction.quantity, instruction.consideration, instruction.currency) == (
        10_000,
        "12500.00",
        "GBP",
    )
    again = client.post("/me/transfer/confirm", data={**fields, "risk_acknowledged": "y"})
    assert b"already sent" in again.data
    assert len(instructions(app, register)) == 1

    log_in(client, BRUNEL)
    mine = client.get("/me/").get_data(as_text=True)
    assert "Transfers to me, waiting for my answer" in mine
    assert f"Ada Lovelace (member {register.ada_number})" in mine
    step = f"/me/instructions/{instruction.instruction_id}"
    accepted = client.post(f"{step}/accept", data=_hidden_fields(mine), follow_redirects=True)
    assert re.search(
        r"You accepted the transfer\. It is log entry [\d,]+;",
        words(accepted.get_data(as_text=True)),
    )

    log_in(client, SECRETARY)
    queue = client.get(f"/issuers/{register.issuer_id}/approvals").get_data(as_text=True)
    assert "Waiting for the company's decision" in words(queue)
    assert f"10,000 ORD from Ada Lovelace (member {register.ada_number})" in words(queue)
    base = f"/issuers/{register.issuer_id}/approvals/{instruction.instruction_id}"
    approved = client.post(f"{base}/approve", data=_hidden_fields(queue), follow_redirects=True)
    index = _confirmed_entry(approved, "Transfer approved; register it when the paperwork is done")
    assert "approved the transfer" in words(approved.get_data(as_text=True))
    assert f'href="/issuers/{register.issuer_id}/approvals"' in approved.get_data(as_text=True)
    queue = client.get(f"/issuers/{register.issuer_id}/approvals").get_data(as_text=True)
    settled = client.post(f"{base}/settle", data=_hidden_fields(queue), follow_redirects=True)
    assert _confirmed_entry(settled, "Transfer registered: the shares have moved") > index
    assert held(app, register, register.ada) == 29_700
    assert held(app, register, register.brunel) == 10_000


def _confirmed_entry(response, done: str) -> int:
    """The log index a command's confirmation page names, after checking it says `done`."""
    text = words(response.get_data(as_text=True))
    found = re.search(re.escape(done) + r": log entry ([\d,]+)\.", text)
    assert found, text
    index = int(found.group(1).replace(",", ""))
    assert f"Log entry {index:,}" in text and "Inclusion proof" in text
    return index


def test_a_decision_refused_in_the_meantime_is_said_in_the_instructions_row(app, client, register):
    log_in(client, ADA)
    instruct(client, register)
    (instruction,) = instructions(app, register)
    log_in(client, BRUNEL)
    page = client.get("/me/").get_data(as_text=True)
    client.post(f"/me/instructions/{instruction.instruction_id}/accept", data=_hidden_fields(page))
    log_in(client, SECRETARY)
    queue = f"/issuers/{register.issuer_id}/approvals"
    approve = f"{queue}/{instruction.instruction_id}/approve"
    first_tab = _hidden_fields(client.get(queue).get_data(as_text=True))
    second_tab = _hidden_fields(client.get(queue).get_data(as_text=True))
    client.post(approve, data=first_tab)
    late = client.post(approve, data=second_tab)
    assert late.status_code == 422
    text = late.get_data(as_text=True)
    row = re.search(r'<tr>(?:(?!</tr>).)*id="refusal-' + instruction.instruction_id, text, re.S)
    assert row and "Register the transfer" in text[row.start() : text.index("</tr>", row.end())]
    assert instructions(app, register)[0].state == "approved"


def test_refusals_are_said_next_to_their_field(app, client, register):
    log_in(client, ADA)
    too_many = client.post("/me/transfer", data=order(register, quantity="10000000"))
    text = too_many.get_data(as_text=True)
    assert "Ada Lovelace has 39,700 ORD available; you asked for 10,000,000." in text
    assert 'id="quantity-errors"' in text and 'aria-describedby="quantity-errors"' in text
    wrong_name = client.post("/me/transfer", data=order(register, transferee_name="Brunel"))
    assert f"No member number {register.brunel_number} is named “Brunel”" in wrong_name.get_data(
        as_text=True
    )
    unknown = client.post("/me/transfer", data=order(register, member_number="999"))
    assert "No member number 999 is named" in unknown.get_data(as_text=True)
    myself = client.post(
        "/me/transfer",
        data=order(
            register, member_number=str(register.ada_number), transferee_name="ada lovelace"
        ),
    )
    assert b"That is your own member number" in myself.data
    no_currency = client.post("/me/transfer", data=order(register, currency=""))
    assert b"A price needs its currency" in no_currency.data
    no_price = client.post("/me/transfer", data=order(register, consideration=""))
    assert b"A currency needs a price" in no_price.data
    not_a_number = client.post("/me/transfer", data=order(register, consideration="NaN"))
    assert not_a_number.status_code == 200 and b"Give the price as a number" in not_a_number.data
    assert instructions(app, register) == []


def test_a_second_instruction_for_the_same_shares_is_refused_while_the_first_is_pending(
    app, client, register
):
    log_in(client, ADA)
    instruct(client, register, quantity="39700")
    again = client.post("/me/transfer", data=order(register, quantity="100"))
    text = again.get_data(as_text=True)
    assert "Ada Lovelace has 0 ORD available; you asked for 100." in text
    assert "39,700 are reserved for transfers still pending." in text
    assert len(instructions(app, register)) == 1


def test_a_refusal_at_confirmation_goes_back_to_the_form(app, client, register):
    """The shares went elsewhere between the order and its confirmation."""
    log_in(client, ADA)
    first = confirm_page(client, register, quantity="30000")
    second = confirm_page(client, register, quantity="20000")
    client.post("/me/transfer/confirm", data={**first, "risk_acknowledged": "y"})
    late = client.post("/me/transfer/confirm", data={**second, "risk_acknowledged": "y"})
    text = late.get_data(as_text=True)
    assert "Ada Lovelace has 9,700 ORD available; you asked for 20,000." in text
    assert 'id="quantity-errors"' in text
    assert len(instructions(app, register)) == 1


def test_the_transferee_declines_and_the_shares_are_free_again(app, client, register):
    log_in(client, ADA)
    instruct(
        client, register, quantity="39700", consideration="", currency="", consideration_text="gift"
    )
    (instruction,) = instructions(app, register)
    assert instruction.consideration_text == "gift"
    log_in(client, BRUNEL)
    page = client.get("/me/").get_data(as_text=True)
    declined = client.post(
        f"/me/instructions/{instruction.instruction_id}/decline",
        data=_hidden_fields(page),
        follow_redirects=True,
    )
    assert b"declined by the transferee" in declined.data
    log_in(client, ADA)
    assert b"declined by the transferee" in client.get("/me/").data
    assert b"Ada Lovelace has" not in client.post("/me/transfer", data=order(register)).data


def test_the_seller_cannot_accept_their_own_instruction(app, client, register):
    log_in(client, ADA)
    instruct(client, register)
    (instruction,) = instructions(app, register)
    page = client.get("/me/").get_data(as_text=True)
    refused = client.post(
        f"/me/instructions/{instruction.instruction_id}/accept",
        data=_hidden_fields(page),
        follow_redirects=True,
    )
    assert b"is not the transferee" in refused.data
    assert instructions(app, register)[0].state == "instructed"


def test_the_secretary_rejects_with_reasons_and_overdue_is_said_in_words(app, client, register):
    log_in(client, ADA)
    instruct(client, register)
    log_in(client, BRUNEL)
    (instruction,) = instructions(app, register)
    page = client.get("/me/").get_data(as_text=True)
    client.post(f"/me/instructions/{instruction.instruction_id}/accept", data=_hidden_fields(page))
    app.config["LEDGER_CLOCK"] = lambda: instruction.decide_by + timedelta(days=1)
    log_in(client, SECRETARY)
    queue = client.get(f"/issuers/{register.issuer_id}/approvals").get_data(as_text=True)
    assert "Overdue: the company's decision was due by" in words(queue)
    reject = f"/issuers/{register.issuer_id}/approvals/{instruction.instruction_id}/reject"
    token = _hidden_fields(queue)["form_token"]
    empty = client.post(reject, data={"form_token": token, "code": "pre_emption", "text": ""})
    assert empty.status_code == 422 and b"Explain the refusal to the parties." in empty.data
    reason = "Members have 21 days to take up the shares first."
    done = client.post(
        reject,
        data={"form_token": token, "code": "pre_emption", "text": reason},
        follow_redirects=True,
    )
    assert b"Transfer refused" in done.data
    assert instructions(app, register)[0].state == "rejected"
    log_in(client, ADA)
    assert f"Reason: {reason}" in client.get("/me/").get_data(as_text=True)


def test_the_live_checks_lookup_matches_number_and_name(app, client, register):
    log_in(client, ADA)
    found = client.post(
        "/me/transfer/transferee",
        json={"member_number": register.brunel_number, "name": " brunel  engineering ltd"},
    )
    assert found.status_code == 200 and found.json == {"holder_id": register.brunel}
    wrong = client.post(
        "/me/transfer/transferee", json={"member_number": register.brunel_number, "name": "X"}
    )
    assert wrong.status_code == 422 and wrong.json["code"] == "no_such_member"
    bad = client.post("/me/transfer/transferee", json={"member_number": "one", "name": "X"})
    assert bad.status_code == 400 and bad.json["code"] == "invalid_input"


def test_only_the_issuers_secretary_opens_the_approvals(client, register):
    log_in(client, ADA)
    assert client.get(f"/issuers/{register.issuer_id}/approvals").status_code == 403
    log_in(client, SECRETARY)
    assert client.get(f"/issuers/{register.issuer_id}/approvals").status_code == 200
    log_in(client, BRUNEL)
    assert client.post("/me/instructions/x/settle").status_code == 404
