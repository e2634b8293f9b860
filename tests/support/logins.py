"""Logins for web tests: a user with a role (for an issuer, acting for a holder), and a test
client or a browser page logged in through the login form, as a person would."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from app.auth.users import create_user
from app.extensions import db
from app.ledger.log import utc_now

PASSWORD = "correct horse battery"
# Any page but the login form: where a successful login lands.
_PAST_THE_LOGIN_FORM = re.compile(r"^(?!.*/login)")


def make_login(
    app: Flask,
    email: str,
    role: str,
    issuer_id: str | None = None,
    holder_id: str | None = None,
    *,
    display_name: str | None = None,
) -> int:
    """A new login (password `PASSWORD`); its user id. The display name, which the log's
    words name the actor by, is the role's ("Secretary") unless given."""
    with app.app_context(), db.write() as session:
        user = create_user(
            session,
            email=email,
            display_name=display_name or role.title(),
            password=PASSWORD,
            role=role,
            issuer_id=issuer_id,
            holder_id=holder_id,
            now=utc_now(),
        )
        return user.id


def post_login(client: FlaskClient, email: str, password: str = PASSWORD, next_page=None):
    """The answer to the login form, unchecked (for the tests of refused logins)."""
    query = {"next": next_page} if next_page is not None else None
    return client.post("/login", data={"email": email, "password": password}, query_string=query)


def log_in(client: FlaskClient, email: str) -> FlaskClient:
    """Log the client in through the login form, and check that it was let in."""
    response = post_login(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def log_in_page(page, server: str, email: str) -> None:
    """Log a Playwright page in through the form on the live server, and wait until the
    login has landed."""
    page.goto(f"{server}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(_PAST_THE_LOGIN_FORM)
