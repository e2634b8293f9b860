"""Server-rendered pages through the Flask test client."""

from __future__ import annotations

from app.auth.users import create_user
from app.extensions import db
from app.ledger.log import utc_now


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
