"""Server-rendered pages through the Flask test client."""

from __future__ import annotations

from app.auth.users import create_user
from app.extensions import db
from app.ledger.log import utc_now
from tests.support.helpers import seed_register


def test_front_page_says_what_the_service_is(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"signed, append-only, verifiable log" in response.data


def test_login_shows_the_registers_a_secretary_may_see(app, client, new_issuer):
    mine, other = new_issuer(legal_name="Mine Ltd"), new_issuer(legal_name="Other Ltd")
    with app.app_context(), db.write() as session:
        create_user(
            session,
            email="sec@example.test",
            display_name="Sec",
            password="correct horse battery",
            role="secretary",
            issuer_id=mine["id"],
            now=utc_now(),
        )
    bad = client.post("/login", data={"email": "sec@example.test", "password": "wrong-password"})
    assert b"Wrong email or password" in bad.data
    assert client.get("/issuers").status_code == 302
    good = client.post(
        "/login",
        data={"email": "sec@example.test", "password": "correct horse battery"},
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
    with app.app_context():
        with db.write() as session:
            for email, role in (
                ("sec@example.test", "secretary"),
                ("reg@example.test", "regulator"),
            ):
                create_user(
                    session,
                    email=email,
                    display_name=role.title(),
                    password="correct horse battery",
                    role=role,
                    issuer_id=issuer_id if role == "secretary" else None,
                    now=utc_now(),
                )
    return issuer_id, a, b


def _log_in(client, email):
    client.post("/login", data={"email": email, "password": "correct horse battery"})


def test_a_secretary_registers_a_transfer_in_the_browser(app, client, new_issuer):
    issuer_id, a, b = _secretary_with_register(app, new_issuer)
    _log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}")
    assert page.status_code == 200
    assert b"Ada Lovelace" in page.data and b"Register an executed transfer" in page.data
    form = {
        "class_code": "ORD",
        "from_holder_id": a,
        "to_holder_id": b,
        "instrument_reference": "STF-WEB-1",
    }
    too_many = client.post(f"/issuers/{issuer_id}", data={**form, "quantity": 81})
    assert b"80 ORD shares available, 81 needed" in too_many.data
    done = client.post(
        f"/issuers/{issuer_id}", data={**form, "quantity": 30}, follow_redirects=True
    )
    assert b"Transfer registered as log entry" in done.data
    assert b"transfer.settled" in done.data
    text = done.get_data(as_text=True)
    assert ">50<" in text and ">30<" in text


def test_a_regulator_reads_the_register_and_the_read_is_disclosed(app, client, new_issuer):
    issuer_id, _, _ = _secretary_with_register(app, new_issuer)
    _log_in(client, "reg@example.test")
    page = client.get(f"/issuers/{issuer_id}")
    assert page.status_code == 200
    assert b"Register an executed transfer" not in page.data
    with app.app_context():
        from app.register.queries import accesses

        (access,) = accesses(db.session, issuer_id)
    assert access.role == "regulator" and access.resource == f"/issuers/{issuer_id}"
