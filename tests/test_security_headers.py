"""Security headers on every answer, no inline script or style on any page the tests reach,
and production's HSTS and cookie settings."""

from __future__ import annotations

import html
import re
from collections import deque

import pytest

from app import create_app
from app.security import CONTENT_SECURITY_POLICY
from tests.support.helpers import seed_register
from tests.support.logins import log_in, make_login

EXPECTED_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; "
    "object-src 'none'; base-uri 'none'"
)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.I | re.S)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
# Links that change something or leave the pages (POST-only or downloads are not crawled).
SKIPPED = ("/logout", "/api/")


def _assert_headers(response) -> None:
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def _assert_no_inline_code(path: str, page: str) -> None:
    bodies = [body for body in INLINE_SCRIPT.findall(page) if body.strip()]
    assert bodies == [], (path, bodies)
    assert not STYLE_ATTRIBUTE.search(page), (path, STYLE_ATTRIBUTE.search(page)[0])
    assert not STYLE_ELEMENT.search(page), path
    assert not EVENT_HANDLER.search(page), (path, EVENT_HANDLER.search(page)[0])


def _crawl(client, start: list[str], limit: int = 60) -> set[str]:
    """Every same-site page reachable from `start` by links; each is checked as it comes."""
    seen, queue = set(), deque(start)
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen or path.startswith(SKIPPED):
            continue
        seen.add(path)
        response = client.get(path)
        _assert_headers(response)
        if response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        _assert_no_inline_code(path, page)
        for href in re.findall(r'href="([^"]+)"', page):
            link = html.unescape(href).split("#")[0]
            if link.startswith("/") and not link.startswith("//"):
                queue.append(link)
    return seen


@pytest.fixture
def site(app, new_issuer):
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    a, _ = seed_register(app, issuer_id, shares_for_a=80)
    accounts = [
        ("sec@example.test", "secretary", issuer_id, None),
        ("reg@example.test", "regulator", None, None),
        ("inv@example.test", "investor", issuer_id, a),
    ]
    for email, role, issuer, holder in accounts:
        make_login(app, email, role, issuer, holder)
    return issuer_id


def test_the_policy_is_the_one_documented():
    assert CONTENT_SECURITY_POLICY == EXPECTED_CSP


@pytest.mark.parametrize(
    "email", [None, "sec@example.test", "reg@example.test", "inv@example.test"]
)
def test_every_page_reached_has_the_headers_and_no_inline_code(client, site, email):
    start = ["/", "/login", "/no/such/page"]
    if email:
        log_in(client, email)
        start += ["/issuers", f"/issuers/{site}?purpose=inspection", "/me"]
    seen = _crawl(client, start)
    if email == "sec@example.test":
        assert any(path.startswith(f"/issuers/{site}/printable") for path in seen)
        assert len(seen) > 5
    if email == "inv@example.test":
        assert "/me" in seen


def test_api_answers_and_errors_have_the_headers(client, operator_headers):
    _assert_headers(client.get("/api/v1/openapi.json"))
    _assert_headers(client.get("/api/v1/issuers"))  # 401
    _assert_headers(client.get("/api/v1/issuers", headers=operator_headers))


def test_no_hsts_outside_production(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_production_sends_hsts_and_secure_lax_cookies(tmp_path, signing_key_file, database_url):
    app = create_app(
        "production",
        {
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path),
            "SIGNING_KEY_FILE": str(signing_key_file),
            "SIGNING_KEY_PASSPHRASE": "test-passphrase-not-secret",
            "SECRET_KEY": "a production secret for this test",
        },
    )
    try:
        client = app.test_client()
        response = client.get("/login")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie
    finally:
        app.extensions["db_engine"].dispose()
