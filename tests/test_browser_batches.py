"""The large-batch progress page and the distribution pages in headless Chromium: a CSV above
the inline threshold is confirmed, the page follows the job by itself (its vendored script)
until the worker has run it, then shows the result; every page passes axe and fits a phone."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, expect

from app.commands import command
from app.ledger.log import utc_now
from app.register.distributions import declare_distribution
from app.register.requests import DeclareDistribution
from tests import test_browser
from tests.support.browser_pages import page_problems
from tests.support.jobs import run_jobs
from tests.support.logins import log_in_page
from tests.test_browser_console import brewery_with_secretary
from tests.test_web_issuance import GOOD, HEADER, _size

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def secretary(app, new_issuer) -> str:
    """The console's brewery, where two data rows are a large batch."""
    issuer_id = brewery_with_secretary(app, new_issuer)
    app.config["JOB_THRESHOLD_ROWS"] = 1
    return issuer_id


def test_a_large_batch_is_followed_to_its_result_on_a_phone(
    app, browser: Browser, live_server, secretary, tmp_path
):
    csv = tmp_path / "members.csv"
    csv.write_text(HEADER + GOOD)
    first = _size(app, secretary)
    page = browser.new_context(viewport=PHONE).new_page()
    log_in_page(page, live_server, "sam@example.test")
    page.goto(f"{live_server}/issuers/{secretary}/issue")
    page.get_by_label("CSV file of new members and their shares").set_input_files(csv)
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import these members and their shares").click()

    expect(page.get_by_role("heading", name="Waiting for the worker to start it")).to_be_visible()
    expect(page.get_by_label("Progress")).to_have_attribute("max", "2")
    problems = page_problems(page, "sam-batch-queued")

    assert run_jobs(app) == 1
    # The page's script sees the job has ended and reloads itself.
    expect(page.get_by_role("heading", name="Done")).to_be_visible(timeout=10_000)
    expect(page.locator("#job-result")).to_contain_text(
        "Registered 2 members and recorded 2 allotments"
    )
    page.get_by_role("link", name="The first entry").click()
    expect(page).to_have_url(f"{live_server}/issuers/{secretary}/entries/{first}")
    page.go_back()
    problems += page_problems(page, "sam-batch-done")
    assert problems == []


def test_the_distribution_pages_are_accessible_and_fit_a_phone(
    app, browser: Browser, live_server, secretary
):
    today = utc_now().date()
    app.config["LEDGER_CLOCK"] = lambda: utc_now() + timedelta(days=1)
    with app.app_context(), command("test", secretary) as ctx:
        request = DeclareDistribution("ORD", Decimal("0.125"), "GBP", today)
        declare_distribution(ctx, request)
    problems = []
    for width in (390, 1280):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        log_in_page(page, live_server, "sam@example.test")
        page.goto(f"{live_server}/issuers/{secretary}/dashboard")
        page.get_by_role("link", name="Distributions").click()
        problems += page_problems(page, "sam-distributions")
        page.get_by_role("link", name="Distribution of log entry").click()
        expect(page.get_by_role("rowheader", name="Ada Lovelace (No. 1)")).to_be_visible()
        problems += page_problems(page, "sam-distribution")
    assert problems == []
