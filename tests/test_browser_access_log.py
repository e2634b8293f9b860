"""The access log, the dashboard's notices and a member's notices in headless Chromium at a
phone's width and a desk's: no serious axe violation, nothing wider than the window, the access
log's rows stacked on the phone, the filter used by keyboard; screenshots under tests/artifacts/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser

from app.register import transfers
from tests import test_browser
from tests.support.browser_pages import WIDTHS, page_problems
from tests.support.helpers import record_reads, seed_register, submit, transfer_request
from tests.support.logins import log_in_page, make_login
from tests.test_browser_pages import _slug

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser
SECRETARY = "sam@example.test"


@pytest.fixture
def register(app, new_issuer) -> dict[str, str]:
    """A German issuer (notices under the Transparency Directive) with a transfer and reads of
    its members' details by a regulator."""
    issuer_id = new_issuer(
        legal_name="Harbour Lights Brewing GmbH", jurisdiction="DE", disclosure_profile="standard"
    )["id"]
    ada, brunel = seed_register(app, issuer_id, shares_for_a=39_700)
    with app.app_context():
        submit(issuer_id, transfers.lodge_transfer, transfer_request(ada, brunel, 20_000))
    make_login(app, SECRETARY, "secretary", issuer_id, display_name="Sam Secretary")
    start = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    purpose = "Supervisory review of shareholder identification 2026/14"
    reads = [
        (start + timedelta(days=n), holder_id, purpose)
        for n, holder_id in enumerate((ada, brunel, None, ada))
    ]
    record_reads(app, issuer_id, *reads)
    return {"issuer_id": issuer_id, "ada": ada}


def test_the_pages_fit_a_phone_and_pass_axe(browser: Browser, live_server, register):
    base = f"/issuers/{register['issuer_id']}"
    paths = [f"{base}/access-log", f"{base}/dashboard", f"{base}/members/{register['ada']}"]
    problems = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        log_in_page(page, live_server, SECRETARY)
        for path in paths:
            assert page.goto(f"{live_server}{path}").status == 200, path
            problems += page_problems(page, _slug(SECRETARY, path))
        page.goto(f"{live_server}{base}/access-log")
        cell = page.locator("#access-log tbody tr").first.locator("td").first
        display = cell.evaluate("cell => getComputedStyle(cell).display")
        assert display == ("grid" if width == 390 else "table-cell"), width
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_filter_is_used_by_keyboard(browser: Browser, live_server, register):
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    log_in_page(page, live_server, SECRETARY)
    page.goto(f"{live_server}/issuers/{register['issuer_id']}/access-log")
    page.get_by_label("Member").focus()
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.id")
    assert focused == "since"  # the next stop is the first date
    page.get_by_label("From (UTC)").fill("2026-03-02")  # the date picker's own keys vary by locale
    page.keyboard.press("Enter")
    page.wait_for_url("**since=2026-03-02**")
    rows = page.locator("#access-log tbody tr")
    # Ada's second read and the read of the whole register, not Brunel's or Ada's first.
    assert rows.count() == 2
    assert "Ada Lovelace (No. 1)" in page.locator("#access-log caption").inner_text()
    context.close()
