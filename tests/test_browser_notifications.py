"""Notifications in headless Chromium against a live server: the transferee sees the unread
count in the header, opens the list and marks the notification read; the count goes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import test_browser
from tests.support.logins import log_in_page
from tests.support.notifications import make_firm

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser


def test_the_transferee_reads_and_marks_a_notification(app, new_issuer, live_server, browser):
    firm = make_firm(app, new_issuer(legal_name="Browser Widgets plc")["id"])
    firm.instruct(40)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        log_in_page(page, live_server, firm.emails["b"])
        # At a phone's width the header's links are behind the menu.
        page.get_by_role("button", name="Menu").click()
        page.get_by_role("link", name="Notifications (1 unread)").click()
        table = page.get_by_role("table", name="Your notifications (newest first)")
        expect(table).to_contain_text("A transfer to you awaits your acceptance")
        expect(table).to_contain_text("40 ORD shares in Browser Widgets plc")
        page.get_by_role(
            "button", name="Mark read: A transfer to you awaits your acceptance"
        ).click()
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()
        expect(table).to_contain_text("Read ")
        assert firm.rows("b")[0].read_at is not None
    finally:
        context.close()
