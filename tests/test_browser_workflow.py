"""The transfer workflow in headless Chromium against a live server: investor A instructs (and
acknowledges the risk notice), investor B accepts, the secretary approves and registers it,
both see their new holdings; refusals are said in words next to their field; every page has
labels and captions, a sensible focus order, and fits a 390 px phone."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.commands import command
from app.extensions import db
from app.transfers import queries as transfer_queries
from app.transfers.requests import ChangeRules
from app.transfers.rule_changes import change_rules
from app.transfers.rules import RuleSet
from tests import test_browser
from tests.support.helpers import ACTOR
from tests.support.logins import log_in_page
from tests.test_web_workflow import ADA, BRUNEL, SECRETARY, Register, build_register

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1280, "height": 900}
ORDER_FIELDS_IN_TAB_ORDER = [
    "class_code",
    "quantity",
    "member_number",
    "transferee_name",
    "consideration",
    "currency",
    "consideration_text",
]


@pytest.fixture
def register(app, new_issuer) -> Register:
    return build_register(app, new_issuer)


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """One browser context per person (each its own session), closed after the test; no
    page may have raised a script error (the live check's script runs on the order form)."""
    opened: list[BrowserContext] = []
    yield opened
    errors = [str(error) for context in opened for error in context.script_errors]
    for context in opened:
        context.close()
    assert errors == []


def _context(browser: Browser, contexts, **options) -> BrowserContext:
    context = browser.new_context(**options)
    context.script_errors = []
    context.on("weberror", lambda error: context.script_errors.append(error.error))
    contexts.append(context)
    return context


def _session(browser: Browser, contexts, live_server: str, email: str, viewport=PHONE) -> Page:
    page = _context(browser, contexts, viewport=viewport).new_page()
    log_in_page(page, live_server, email)
    # Logged in: the page moved on from the login form (on a phone the header's log-out
    # button is folded into the menu, so it is not looked for).
    expect(page.get_by_role("button", name="Log in")).to_have_count(0)
    return page


def _fill_order(page: Page, register: Register, quantity: str, name: str) -> None:
    page.get_by_role("link", name="Sell or transfer shares").click()
    page.get_by_label("Class of shares").select_option("ORD")
    page.get_by_label("Number of shares").fill(quantity)
    page.get_by_label("Transferee's member number").fill(str(register.brunel_number))
    page.get_by_label("Transferee's name, as on the register").fill(name)
    page.get_by_label("Price for all these shares").fill("12500")
    page.get_by_label("Currency (such as GBP)").fill("GBP")
    page.get_by_role("button", name="Continue to the risk notice").click()


def _holding_of(page: Page) -> str:
    return page.locator("#my-holdings td[data-held-class='ORD']").inner_text()


def _fits(page: Page) -> None:
    """No horizontal scrolling of the page itself (a wide table scrolls in its own box)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} overflows by {overflow}px"


def _tables_have_captions(page: Page) -> None:
    missing = page.evaluate(
        "[...document.querySelectorAll('table')]"
        ".filter(t => !(t.caption && t.caption.textContent.trim())).map(t => t.id)"
    )
    assert missing == []


def test_the_whole_path_from_instruction_to_new_holdings(browser, contexts, live_server, register):
    ada = _session(browser, contexts, live_server, ADA)
    _fill_order(ada, register, "10000", "Brunel Engineering Ltd")
    expect(ada.get_by_role("heading", name="Risk notice: please read")).to_be_visible()
    expect(ada.get_by_text("may lose all their value")).to_be_visible()
    _fits(ada)
    ada.get_by_role("button", name="Instruct the transfer").click()
    tick = ada.get_by_label("I have read and understood the risk notice above")
    expect(tick).to_have_accessible_description(
        "Tick the box to confirm you have read the risk notice."
    )
    tick.check()
    ada.get_by_role("button", name="Instruct the transfer").click()
    expect(ada.get_by_role("alert")).to_contain_text(
        "Your transfer of 10,000 ORD to Brunel Engineering Ltd is instructed"
    )
    mine = ada.locator("#my-transfers tbody tr").first
    expect(mine).to_contain_text("waiting for the transferee to accept")
    expect(mine).to_contain_text("Brunel Engineering Ltd")

    # The same shares cannot be promised twice while the first instruction is pending.
    _fill_order(ada, register, "39700", "Brunel Engineering Ltd")
    quantity = ada.get_by_label("Number of shares")
    expect(quantity).to_have_accessible_description(
        "Ada Lovelace has 29,700 ORD available; you asked for 39,700. "
        "10,000 are reserved for transfers still pending."
    )
    expect(quantity).to_have_attribute("aria-invalid", "true")

    brunel = _session(browser, contexts, live_server, BRUNEL)
    incoming = brunel.locator("#incoming tbody tr").first
    expect(incoming).to_contain_text("Ada Lovelace")
    expect(incoming).to_contain_text("GBP 12,500")
    _fits(brunel)
    _tables_have_captions(brunel)
    brunel.get_by_role("button", name="Accept the transfer from Ada Lovelace").click()
    expect(brunel.get_by_role("alert")).to_contain_text(
        "You accepted the transfer. It is log entry"
    )

    secretary = _session(browser, contexts, live_server, SECRETARY)
    secretary.goto(f"{live_server}/issuers/{register.issuer_id}")
    secretary.get_by_role("link", name="transfer approvals").click()
    queue = secretary.get_by_role("table", name="Waiting for the company's decision (oldest first)")
    expect(queue.locator("tbody tr").first).to_contain_text("10,000 ORD from Ada Lovelace")
    _tables_have_captions(secretary)
    _fits(secretary)
    secretary.set_viewport_size(DESK)
    # By keyboard: focus the button and press Enter.
    secretary.get_by_role(
        "button", name="Approve the transfer from Ada Lovelace to Brunel Engineering Ltd"
    ).focus()
    secretary.keyboard.press("Enter")
    # Each decision lands on its log entry, with its proof, and the way back to the queue.
    expect(secretary.get_by_role("alert")).to_contain_text("Transfer approved")
    expect(secretary.get_by_role("heading", level=1)).to_contain_text("Log entry")
    secretary.get_by_role("link", name="Continue").click()
    secretary.get_by_role(
        "button", name="Register the transfer from Ada Lovelace to Brunel Engineering Ltd"
    ).click()
    expect(secretary.get_by_role("alert")).to_contain_text(
        "Transfer registered: the shares have moved: log entry"
    )

    ada.goto(f"{live_server}/me/")
    assert _holding_of(ada) == "29,700"
    expect(ada.locator("#my-transfers tbody tr").first).to_contain_text(
        "registered: the shares have moved"
    )
    brunel.goto(f"{live_server}/me/")
    assert _holding_of(brunel) == "10,000"


def test_a_server_side_refusal_is_shown_next_to_its_field_without_javascript(
    browser, contexts, live_server, register
):
    page = _context(browser, contexts, viewport=PHONE, java_script_enabled=False).new_page()
    log_in_page(page, live_server, ADA)
    _fill_order(page, register, "10000000", "Brunel")
    number = page.get_by_label("Transferee's member number")
    expect(number).to_have_accessible_description(
        "Ask the person you are transferring to: it is on their share certificate or "
        f"statement. No member number {register.brunel_number} is named “Brunel” on the "
        "register. Check both with the person you are transferring to."
    )
    expect(page.get_by_label("Number of shares")).to_have_accessible_description(
        "Ada Lovelace has 39,700 ORD available; you asked for 10,000,000."
    )
    # What was typed is kept, so only the wrong part needs changing.
    expect(page.get_by_label("Transferee's name, as on the register")).to_have_value("Brunel")
    _fits(page)


def test_the_order_form_is_labelled_and_keyboard_ordered_at_both_sizes(
    browser, contexts, live_server, register
):
    for viewport in (PHONE, DESK):
        page = _session(browser, contexts, live_server, ADA, viewport=viewport)
        _fits(page)
        _tables_have_captions(page)
        page.get_by_role("link", name="Sell or transfer shares").click()
        _fits(page)
        page.get_by_label("Class of shares").focus()
        visited = []
        for _ in ORDER_FIELDS_IN_TAB_ORDER:
            visited.append(page.evaluate("document.activeElement.id"))
            page.keyboard.press("Tab")
        assert visited == ORDER_FIELDS_IN_TAB_ORDER
        expect(page.get_by_role("button", name="Continue to the risk notice")).to_be_focused()
        unlabelled = page.evaluate(
            "[...document.querySelectorAll('#sell-form input:not([type=hidden]), "
            "#sell-form select')].filter(e => !e.labels.length).map(e => e.name)"
        )
        assert unlabelled == []


def test_every_rule_a_transfer_breaks_is_said_while_typing(
    app, browser, contexts, live_server, register
):
    """The live check asks `/me/can-transfer` as the investor types and says every failing
    rule in words, before the risk notice and before anything is instructed."""
    with app.app_context(), command(ACTOR, register.issuer_id) as ctx:
        change_rules(ctx, ChangeRules("ORD", RuleSet(minimum_lot=20_000, kyc_required=True)))
    ada = _session(browser, contexts, live_server, ADA)
    ada.get_by_role("link", name="Sell or transfer shares").click()
    ada.get_by_label("Class of shares").select_option("ORD")
    ada.get_by_label("Number of shares").fill("10")
    ada.get_by_label("Transferee's member number").fill(str(register.brunel_number))
    ada.get_by_label("Transferee's name, as on the register").fill("Brunel Engineering Ltd")
    live = ada.locator("#transfer-check")
    expect(live).to_contain_text("ORD shares transfer in lots of at least 20,000")
    expect(live).to_contain_text("the transferee's identity has not been verified (KYC)")
    ada.get_by_label("Number of shares").fill("39700")
    expect(live).not_to_contain_text("lots of at least")
    expect(live).to_contain_text("identity has not been verified")
    with app.app_context():
        instructions, _ = transfer_queries.instructions_page(db.session, register.issuer_id)
    assert instructions == []
