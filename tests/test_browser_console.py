"""The secretary's register page in headless Chromium: a transfer registered by keyboard alone
with the member picker, at phone width, and the log read back in words."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests import test_browser
from tests.support.helpers import seed_register
from tests.support.logins import PASSWORD, make_login

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser
PHONE = {"width": 390, "height": 844}


def brewery_with_secretary(app, new_issuer) -> str:
    """A brewery whose Ada holds 39,700 ORD, and Sam Secretary's login to it."""
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    seed_register(app, issuer_id, shares_for_a=39_700)
    make_login(app, "sam@example.test", "secretary", issuer_id, display_name="Sam Secretary")
    return issuer_id


@pytest.fixture
def secretary(app, new_issuer) -> str:
    return brewery_with_secretary(app, new_issuer)


def test_a_secretary_registers_a_transfer_by_keyboard_on_a_phone(
    browser: Browser, live_server, secretary
):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill("sam@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    # At a phone's width the header's links and the log-out button fold into the menu.
    expect(page.get_by_role("button", name="Log out")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(f"{live_server}/issuers/{secretary}")

    page.get_by_label("From (member)").focus()
    page.keyboard.type("lovel")
    # The picker offers the member by name and number, asked from the server as one types.
    expect(page.locator("#from_member-choices option")).to_have_attribute(
        "value", "Ada Lovelace (No. 1)"
    )
    page.keyboard.press("Control+A")
    page.keyboard.type("Ada Lovelace (No. 1)")
    page.keyboard.press("Tab")
    expect(page.get_by_label("To (member)")).to_be_focused()
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Shares")).to_be_focused()
    page.keyboard.type("10000000")
    page.keyboard.press("Tab")
    page.keyboard.type("STF-KEY-1")
    page.keyboard.press("Enter")
    # Refused next to the number of shares, in words, with separators.
    expect(page.locator("#quantity-errors")).to_have_text(
        "Ada Lovelace (No. 1) has 39,700 ORD available; you asked for 10,000,000."
    )
    page.get_by_label("Shares").fill("")
    page.get_by_label("Shares").focus()
    page.keyboard.type("250")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Transfer registered as log entry")
    expect(page.get_by_role("table").last).to_contain_text(
        "Sam Secretary registered a transfer of 250 ORD from Ada Lovelace (No. 1) to "
        "Brunel Engineering Ltd (No. 2)."
    )
    # Nothing wider than the phone: tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
