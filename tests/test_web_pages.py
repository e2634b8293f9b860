"""Server-rendered pages through the Flask test client."""

from __future__ import annotations

import html
import re

import pytest

from app.extensions import db
from tests.support.helpers import seed_register
from tests.support.logins import PASSWORD, log_in, make_login, post_login


def test_front_page_says_what_the_service_is(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"signed, append-only, verifiable log" in response.data


def test_login_shows_the_registers_a_secretary_may_see(app, client, new_issuer):
    mine, other = new_issuer(legal_name="Mine Ltd"), new_issuer(legal_name="Other Ltd")
    make_login(app, "sec@example.test", "secretary", mine["id"], display_name="Sec")
    bad = post_login(client, "sec@example.test", "wrong-password")
    assert b"Wrong email or password" in bad.data
    assert client.get("/issuers").status_code == 302
    good = client.post(
        "/login",
        data={"email": "sec@example.test", "password": PASSWORD},
        follow_redirects=True,
    )
    assert good.status_code == 200
    assert b"Mine Ltd" in good.data and b"Other Ltd" not in good.data
    assert other["id"] not in good.get_data(as_text=True)


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def _secretary_with_register(app, new_issuer):
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=80)
    make_login(app, "sec@example.test", "secretary", issuer_id)
    make_login(app, "reg@example.test", "regulator")
    return issuer_id, a, b


def test_a_secretary_registers_a_transfer_in_the_browser(app, client, new_issuer):
    issuer_id, _, _ = _secretary_with_register(app, new_issuer)
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}")
    assert page.status_code == 200
    assert b"Ada Lovelace" in page.data and b"Register an executed transfer" in page.data
    form = {
        "class_code": "ORD",
        "from_member": "Ada Lovelace (No. 1)",
        "to_member": "2",
        "instrument_reference": "STF-WEB-1",
    }
    too_many = client.post(f"/issuers/{issuer_id}", data={**form, "quantity": 81})
    # The refusal, in words, next to the number of shares.
    assert re.search(
        r'id="quantity-errors">\s*<li>Ada Lovelace \(No. 1\) has 80 ORD available; '
        r"you asked for 81.</li>",
        too_many.get_data(as_text=True),
    )
    nobody = client.post(
        f"/issuers/{issuer_id}", data={**form, "to_member": "Nobody", "quantity": 1}
    )
    assert "No member is “Nobody”" in nobody.get_data(as_text=True)
    done = client.post(
        f"/issuers/{issuer_id}", data={**form, "quantity": 30}, follow_redirects=True
    )
    assert b"Transfer registered as log entry" in done.data
    # The log reads in words: the secretary by name, members by name and member number.
    assert (
        "Secretary registered a transfer of 30 ORD from Ada Lovelace (No. 1) to "
        "Brunel Engineering Ltd (No. 2)." in done.get_data(as_text=True)
    )
    text = done.get_data(as_text=True)
    assert ">50<" in text and ">30<" in text


def test_a_regulator_reads_the_register_and_the_read_is_disclosed(app, client, new_issuer):
    issuer_id, _, _ = _secretary_with_register(app, new_issuer)
    log_in(client, "reg@example.test")
    page = client.get(f"/issuers/{issuer_id}?purpose=inspection")
    assert page.status_code == 200
    assert b"Register an executed transfer" not in page.data
    with app.app_context():
        from app.register.access_reads import accesses

        (access,) = accesses(db.session, issuer_id)
    assert (
        access.role == "regulator" and access.resource == f"/issuers/{issuer_id}?purpose=inspection"
    )
    assert access.purpose == "inspection"


def _links(page: str) -> list[str]:
    """The same-site links a page offers (href attributes), without fragments."""
    return sorted(
        {
            html.unescape(href).split("#")[0]
            for href in re.findall(r'href="([^"]+)"', page)
            if href.startswith("/") and not href.startswith("//")
        }
    )


@pytest.mark.parametrize("email", ["sec@example.test", "reg@example.test"])
def test_every_link_on_the_register_page_answers_a_logged_in_user(
    app, client, new_issuer, regulator_headers, email
):
    issuer_id, _, _ = _secretary_with_register(app, new_issuer)
    log_in(client, email)
    # A regulator states a purpose (the secretary needs none); the page's links carry it.
    page = client.get(f"/issuers/{issuer_id}?purpose=inspection").get_data(as_text=True)
    links = _links(page)
    printable = next(link for link in links if "printable" in link)
    signed_note = next(link for link in links if "checkpoint" in link)
    for link in links:
        response = client.get(link)
        response.get_data()
        assert response.status_code == 200, (link, response.status_code)
        response.close()
    api_note = client.get(f"/api/v1/issuers/{issuer_id}/log/checkpoint", headers=regulator_headers)
    note = client.get(signed_note)
    assert note.mimetype == "text/plain" and note.get_data(as_text=True) == api_note.text
    register = client.get(printable)
    text = register.get_data(as_text=True)
    assert register.mimetype == "text/html"
    assert "Register of members" in text and "Ada Lovelace" in text and api_note.text in text


def test_the_signed_note_link_on_the_registers_page_answers(app, client, new_issuer):
    issuer_id, _, _ = _secretary_with_register(app, new_issuer)
    log_in(client, "sec@example.test")
    page = client.get("/issuers").get_data(as_text=True)
    (note_link,) = [link for link in _links(page) if "checkpoint" in link]
    response = client.get(note_link)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True).startswith(f"shareledger.localhost/issuers/{issuer_id}")


def test_a_regulators_printout_is_disclosed_like_the_apis(app, client, new_issuer):
    issuer_id, _, _ = _secretary_with_register(app, new_issuer)
    log_in(client, "reg@example.test")
    client.get(f"/issuers/{issuer_id}/printable?purpose=audit").get_data()
    client.get(f"/issuers/{issuer_id}/checkpoint").get_data()  # no personal data: not logged
    with app.app_context():
        from app.register.access_reads import accesses

        (access,) = accesses(db.session, issuer_id)
    assert access.role == "regulator" and access.purpose == "audit"
    assert access.resource == f"/issuers/{issuer_id}/printable?purpose=audit"


def test_investors_outsiders_and_strangers_are_refused_the_printout_and_note(
    app, client, new_issuer
):
    issuer_id, a, _ = _secretary_with_register(app, new_issuer)
    other = new_issuer(legal_name="Other Ltd")["id"]
    make_login(app, "inv@example.test", "investor", issuer_id, holder_id=a)
    make_login(app, "other@example.test", "secretary", other)
    paths = [f"/issuers/{issuer_id}/printable", f"/issuers/{issuer_id}/checkpoint"]
    for path in paths:  # not logged in: sent to log in first, as every page does
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for email in ("inv@example.test", "other@example.test"):
        log_in(client, email)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 403, (email, path)
            assert "Register of members" not in response.get_data(as_text=True)
        client.post("/logout")
    with app.app_context():
        from app.register.access_reads import accesses

        assert accesses(db.session, issuer_id) == []


def test_a_bad_or_unsigned_size_is_a_page_not_a_crash(app, client, new_issuer):
    issuer_id, _, _ = _secretary_with_register(app, new_issuer)
    log_in(client, "sec@example.test")
    for query, status in (("tree_size=x", 400), ("tree_size=0", 400), ("tree_size=9999", 400)):
        response = client.get(f"/issuers/{issuer_id}/printable?{query}")
        assert response.status_code == status, query
        assert response.mimetype == "text/html"


def test_an_unknown_issuers_note_or_printout_is_not_found(app, client, new_issuer):
    _secretary_with_register(app, new_issuer)
    log_in(client, "reg@example.test")
    for path in ("/issuers/no-such-issuer/checkpoint", "/issuers/no-such-issuer/printable"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "no issuer no-such-issuer" in response.get_data(as_text=True)
