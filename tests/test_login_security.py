"""Logins: throttled failures, the same work for unknown emails, server-side sessions that
logout and expiry end, and a post-login redirect that stays on the site."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.auth import passwords
from app.ledger.log import utc_now
from tests.support.helpers import Clock
from tests.support.logins import PASSWORD, make_login, post_login


@pytest.fixture
def account(app):
    make_login(app, "reg@example.test", "regulator")
    return "reg@example.test"


def test_failed_logins_per_account_are_throttled_with_retry_after(app, client, account):
    app.config["LOGIN_FAILURES_PER_ACCOUNT"] = "3 per 15 minutes"
    for _ in range(3):
        assert post_login(client, account, "wrong password!").status_code == 200
    fourth = post_login(client, account, "wrong password!")
    assert fourth.status_code == 429
    assert 0 < int(fourth.headers["Retry-After"]) <= 15 * 60
    # Past the limit even the right password waits: guessing gains nothing.
    right = post_login(client, account, PASSWORD)
    assert right.status_code == 429 and "Too many failed logins" in right.get_data(as_text=True)
    assert client.get("/issuers").status_code == 302


def test_failed_logins_per_address_are_throttled_across_emails(app, client, account):
    app.config["LOGIN_FAILURES_PER_ADDRESS"] = "3 per 15 minutes"
    emails = [f"nobody{n}@example.test" for n in range(5)]
    answers = [post_login(client, email, "guess guess").status_code for email in emails]
    assert answers == [200, 200, 200, 429, 429]
    assert post_login(client, account, PASSWORD).status_code == 429


def test_unknown_emails_cost_a_password_check_too(client, account, monkeypatch):
    checked = []
    real = passwords.check_password

    def counting(password_hash, password):
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "check_password", counting)
    post_login(client, "nobody@example.test", "some password")
    post_login(client, account, "some password")
    assert len(checked) == 2
    assert all(value.startswith("$argon2id$") for value in checked)


def test_logout_ends_the_session_even_for_a_saved_cookie(client, account):
    assert post_login(client, account, PASSWORD).status_code == 302
    assert client.get("/issuers").status_code == 200
    saved = client.get_cookie("session").value
    client.post("/logout")
    assert client.get("/issuers").status_code == 302
    client.set_cookie("session", saved)
    replayed = client.get("/issuers")
    assert replayed.status_code == 302 and "/login" in replayed.headers["Location"]


def test_sessions_expire_when_idle_and_after_their_longest(app, client, account):
    clock = Clock(utc_now())
    app.config.update(LEDGER_CLOCK=clock, SESSION_IDLE_MINUTES=30, SESSION_MAX_HOURS=2)
    post_login(client, account, PASSWORD)
    clock.now += timedelta(minutes=29)
    assert client.get("/issuers").status_code == 200  # use keeps it alive
    clock.now += timedelta(minutes=29)
    assert client.get("/issuers").status_code == 200
    clock.now += timedelta(minutes=31)
    assert client.get("/issuers").status_code == 302  # idle too long

    post_login(client, account, PASSWORD)
    for _ in range(5):  # busy, never idle, but past the absolute limit
        clock.now += timedelta(minutes=25)
        client.get("/issuers")
    assert client.get("/issuers").status_code == 302


@pytest.mark.parametrize(
    "target",
    [
        "/%09/evil.example",
        "/\t/evil.example",
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/ /evil.example",
    ],
)
def test_the_redirect_after_login_refuses_other_sites(client, account, target):
    response = post_login(client, account, PASSWORD, next_page=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/issuers"


def test_the_redirect_after_login_keeps_a_local_path(client, account):
    response = post_login(client, account, PASSWORD, next_page="/issuers?sort=name")
    assert response.headers["Location"] == "/issuers?sort=name"
