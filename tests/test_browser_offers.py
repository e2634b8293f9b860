"""Pre-emption in headless Chromium at 390 px: an offeree sees the offer on "My holdings",
asks for more than the entitlement and is told so next to the field, then takes up part by
keyboard and sees the answer."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import test_browser, test_browser_workflow
from tests.test_browser_workflow import PHONE, _fits, _session, _tables_have_captions
from tests.test_web_offers import CHARLES, open_offer

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser
contexts = test_browser_workflow.contexts


@pytest.fixture
def offer(app, new_issuer):
    return open_offer(app, new_issuer)


def test_an_offeree_takes_up_part_of_an_offer_on_a_phone(browser, contexts, live_server, offer):
    charles = _session(browser, contexts, live_server, CHARLES, viewport=PHONE)
    offers = charles.get_by_role("table", name="Shares offered to me before others")
    row = offers.locator(f"tr[data-offer='{offer.instruction_id}']")
    expect(row).to_contain_text("Ada Lovelace")
    expect(row).to_contain_text("GBP 12,500.00 for all 10,000 ORD")
    _fits(charles)
    _tables_have_captions(charles)

    shares = row.get_by_label("Shares to take up")
    expect(shares).to_have_accessible_description(
        "At most 7,500 ORD, of the 10,000 Ada Lovelace is selling."
    )
    shares.fill("7501")
    row.get_by_role("button", name="Take up the ORD offered by Ada Lovelace").click()
    refused = charles.get_by_label("Shares to take up")
    expect(refused).to_have_attribute("aria-invalid", "true")
    expect(refused).to_have_accessible_description(
        re.compile(r"You may take up at most 7,500 ORD; you asked for 7,501\.")
    )
    _fits(charles)

    # By keyboard: type the corrected number and press Enter in the field.
    refused.fill("5000")
    refused.press("Enter")
    expect(charles.get_by_role("alert")).to_contain_text(
        "You took up 5,000 ORD offered by Ada Lovelace"
    )
    answered = charles.locator(f"#pre-emption-offers tr[data-offer='{offer.instruction_id}']")
    expect(answered).to_contain_text("You took up 5,000 ORD.")
    expect(answered.get_by_role("button")).to_have_count(0)
    _fits(charles)
