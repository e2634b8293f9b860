"""Every main page in headless Chromium, at a phone's width (390 px) and at a desk's (1280 px):
axe-core finds no serious or critical violation, nothing is wider than the window, and a
screenshot of each is saved under tests/artifacts/ for review (CI keeps them as artifacts)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser

from app.extensions import db
from app.ledger import log
from app.register import transfers
from tests import test_browser
from tests.support.browser_pages import WIDTHS, page_problems
from tests.support.helpers import seed_register, submit, transfer_request
from tests.support.logins import log_in_page, make_login

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser


@pytest.fixture
def people(app, new_issuer) -> dict:
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    ada, brunel = seed_register(app, issuer_id, shares_for_a=39_700)
    with app.app_context():
        submit(issuer_id, transfers.lodge_transfer, transfer_request(ada, brunel, 700))
        last = log.signed_size(db.session, issuer_id) - 1
    for email, role, holder in (
        ("sam@example.test", "secretary", None),
        ("ada@example.test", "investor", ada),
        ("rita@example.test", "regulator", None),
    ):
        issuer = None if role == "regulator" else issuer_id
        make_login(app, email, role, issuer, holder, display_name=email.split("@")[0].title())
    base = f"/issuers/{issuer_id}"
    return {
        None: ["/", "/login"],
        "sam@example.test": [
            "/issuers",
            f"{base}/dashboard",
            base,
            f"{base}/members",
            f"{base}/members/{ada}",
            f"{base}/issue",
            f"{base}/actions",
            f"{base}/actions/split",
            f"{base}/actions/forced-transfer",
            f"{base}/approvals",
            f"{base}/classes/ORD/rules",
            f"{base}/entries/{last}",
        ],
        "ada@example.test": ["/me/", "/me/portfolio", "/me/transfer"],
        "rita@example.test": [f"{base}/dashboard?purpose=review", f"{base}?purpose=review"],
    }


def _slug(email: str | None, path: str) -> str:
    who = (email or "anonymous").split("@")[0]
    where = re.sub(r"[0-9a-f-]{36}", "ID", path).strip("/").replace("/", "-") or "home"
    return f"{who}-{where}"


def test_every_main_page_is_accessible_and_fits_a_phone(browser: Browser, live_server, people):
    problems = []
    for email, paths in people.items():
        for width in WIDTHS:
            context = browser.new_context(viewport={"width": width, "height": 900})
            page = context.new_page()
            if email:
                log_in_page(page, live_server, email)
            for path in paths:
                answer = page.goto(f"{live_server}{path}")
                assert answer.status == 200, (path, answer.status)
                problems += page_problems(page, _slug(email, path))
            context.close()
    assert problems == [], "\n".join(problems)
