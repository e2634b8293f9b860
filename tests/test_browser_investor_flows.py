"""The investor's flows in headless Chromium, on each engine: one login linked to holders in
two issuers sees both holdings, the chart and each holding's history in words; and a transfer
that needs the company's approval is instructed, accepted and approved by keyboard alone.
Every page visited is checked by axe at 390 and 1280 px and photographed under
tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.transfers import queries as transfer_queries
from tests import test_browser
from tests.support.browser_pages import check_page, tab_to
from tests.support.logins import log_in_page
from tests.test_web_portfolio import ada_in_two_companies
from tests.test_web_workflow import ADA, BRUNEL, SECRETARY, Register, build_register

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser
DESK = {"width": 1280, "height": 900}


@pytest.fixture
def pages(browser: Browser):
    """pages() -> a new page in its own context (its own session); all closed afterwards."""
    contexts = []

    def open_page() -> Page:
        contexts.append(browser.new_context(viewport=DESK))
        return contexts[-1].new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def two_companies(app, runner, new_issuer) -> tuple[str, str]:
    return ada_in_two_companies(app, runner, new_issuer)


def test_an_investor_in_two_issuers_sees_both_holdings_and_each_history_in_words(
    pages, live_server, two_companies
):
    page = pages()
    log_in_page(page, live_server, ADA)
    page.goto(f"{live_server}/me/portfolio")
    brewery = page.get_by_role("table", name="My shares of Harbour Lights Brewing Ltd")
    tech = page.get_by_role("table", name="My shares of Jade River Technology Co., Ltd.")
    expect(brewery.locator("tbody tr").first).to_contain_text("39,000")
    expect(tech.locator("tbody tr").first).to_contain_text("1,250")
    expect(page.locator("main svg").first).to_be_visible()  # the chart, drawn on the server
    check_page(page, "investor-portfolio")

    page.get_by_role("button", name="Open my holding in Harbour Lights Brewing Ltd").click()
    history = page.get_by_role("table", name="Every entry on the company's log that concerns me")
    expect(history).to_contain_text(
        "Test registered a transfer of 700 ORD from Ada Lovelace (No. 1) to "
        "Brunel Engineering Ltd (No. 2)."
    )
    check_page(page, "investor-holding-brewery")

    page.goto(f"{live_server}/me/portfolio")
    page.get_by_role("button", name="Open my holding in Jade River Technology Co., Ltd.").click()
    expect(page.get_by_text("My holdings in Jade River Technology Co., Ltd.")).to_be_visible()
    expect(history).to_contain_text("Test issued 1,250 ORD to Ada Lovelace (No. 1).")
    expect(history).not_to_contain_text("700 ORD")
    check_page(page, "investor-holding-tech")


@pytest.fixture
def register(app, new_issuer) -> Register:
    return build_register(app, new_issuer)


def _press(page: Page, key: str, target) -> None:
    """Reach `target` with Tab alone, then press `key` on it."""
    tab_to(page, target)
    page.keyboard.press(key)


def _type_into(page: Page, label: str, text: str) -> None:
    tab_to(page, page.get_by_label(label))
    page.keyboard.type(text)


def test_a_transfer_is_instructed_accepted_and_approved_by_keyboard_alone(
    app, pages, live_server, register
):
    ada = pages()
    log_in_page(ada, live_server, ADA)
    _press(ada, "Enter", ada.get_by_role("link", name="Sell or transfer shares"))
    expect(ada.get_by_label("Number of shares")).to_be_visible()
    check_page(ada, "keyboard-order-form")
    _type_into(ada, "Number of shares", "10000")
    _type_into(ada, "Transferee's member number", str(register.brunel_number))
    _type_into(ada, "Transferee's name, as on the register", "Brunel Engineering Ltd")
    _type_into(ada, "Price for all these shares", "12500")
    _type_into(ada, "Currency (such as GBP)", "GBP")
    _press(ada, "Enter", ada.get_by_role("button", name="Continue to the risk notice"))
    expect(ada.get_by_role("heading", name="Risk notice: please read")).to_be_visible()
    check_page(ada, "keyboard-risk-notice")
    tick = ada.get_by_label("I have read and understood the risk notice above")
    _press(ada, "Space", tick)
    expect(tick).to_be_checked()
    _press(ada, "Enter", ada.get_by_role("button", name="Instruct the transfer"))
    expect(ada.get_by_role("alert")).to_contain_text(
        "Your transfer of 10,000 ORD to Brunel Engineering Ltd is instructed"
    )
    check_page(ada, "keyboard-instructed")

    brunel = pages()
    log_in_page(brunel, live_server, BRUNEL)
    _press(brunel, "Enter", brunel.get_by_role("button", name="Accept the transfer from Ada"))
    expect(brunel.get_by_role("alert")).to_contain_text(
        "You accepted the transfer. It is log entry"
    )

    secretary = pages()
    log_in_page(secretary, live_server, SECRETARY)
    secretary.goto(f"{live_server}/issuers/{register.issuer_id}/approvals")
    check_page(secretary, "keyboard-approvals")
    approve = secretary.get_by_role(
        "button", name="Approve the transfer from Ada Lovelace to Brunel Engineering Ltd"
    )
    _press(secretary, "Enter", approve)
    # The decision lands on its log entry; the way back to the queue is reached by Tab too.
    expect(secretary.get_by_role("alert")).to_contain_text("Transfer approved")
    expect(secretary.get_by_role("heading", level=1)).to_contain_text("Log entry")
    check_page(secretary, "keyboard-approved")
    _press(secretary, "Enter", secretary.get_by_role("link", name="Continue"))
    expect(
        secretary.get_by_role("table", name="Approved, to be registered (oldest first)")
    ).to_contain_text("Ada Lovelace")
    with app.app_context():
        instructions, _ = transfer_queries.instructions_page(db.session, register.issuer_id)
    assert [i.state for i in instructions] == ["approved"]
