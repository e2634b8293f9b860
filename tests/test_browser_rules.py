"""The rules editor in headless Chromium on a 390 px phone: the secretary opens a class's rules
from the register, previews the holders the proposed rules would put in breach (nothing is
written), then saves them as version 1, by keyboard, with every field labelled."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.ledger import log
from app.transfers import rules
from tests import test_browser, test_browser_workflow
from tests.test_browser_workflow import _fits, _session, _tables_have_captions
from tests.test_web_workflow import SECRETARY, build_register

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser
contexts = test_browser_workflow.contexts


@pytest.fixture
def register(app, new_issuer):
    return build_register(app, new_issuer)


def _log_size(app, issuer_id: str) -> int:
    with app.app_context():
        return log.get_state(db.session, issuer_id).tree_size


def test_preview_then_save_on_a_phone(app, browser, contexts, live_server, register):
    page = _session(browser, contexts, live_server, SECRETARY)
    page.goto(f"{live_server}/issuers/{register.issuer_id}")
    page.get_by_role("link", name="ORD rules").click()
    expect(page.get_by_role("heading", name="ORD transfer rules")).to_be_visible()
    _fits(page)
    unlabelled = page.evaluate(
        "[...document.querySelectorAll('#rules-form input:not([type=hidden])')]"
        ".filter(e => !e.labels.length).map(e => e.name)"
    )
    assert unlabelled == []
    before = _log_size(app, register.issuer_id)

    page.get_by_label("Holders' identity must be verified (KYC)").check()
    lot = page.get_by_label("Minimum lot (shares)")
    lot.fill("-5")
    lot.press("Enter")  # the form's first button: the preview
    expect(lot).to_have_accessible_description(
        "The fewest shares one transfer may move. Give at least 1 share, or leave it empty."
    )
    page.get_by_label("Minimum lot (shares)").fill("100")
    page.get_by_role("button", name="Preview the holders in breach").focus()
    page.keyboard.press("Enter")
    preview = page.get_by_role("table", name="Holders who would breach the proposed rules")
    expect(preview.locator("tbody tr").first).to_contain_text("Ada Lovelace")
    expect(preview.locator("tbody tr").first).to_contain_text(f"{register.ada_number:,}")
    expect(page.get_by_text("1 current holder would breach the proposed rules")).to_be_visible()
    assert _log_size(app, register.issuer_id) == before
    _fits(page)
    _tables_have_captions(page)

    page.get_by_role("button", name="Save as version 1").click()
    expect(
        page.get_by_role("heading", name=f"The rules are now version 1, log entry {before}")
    ).to_be_visible()
    saved = page.get_by_role("table", name="Holders in breach of version 1")
    expect(saved.locator("tbody tr").first).to_contain_text("Ada Lovelace")
    history = page.get_by_role("table", name="Version history (newest first)")
    expect(history.locator("tbody tr").first).to_contain_text(str(before))
    expect(page.get_by_label("Minimum lot (shares)")).to_have_value("100")
    _fits(page)
    _tables_have_captions(page)
    assert _log_size(app, register.issuer_id) == before + 1
    with app.app_context():
        current = rules.current_rules(db.session, register.issuer_id, "ORD")
    assert current.rules == rules.RuleSet(kyc_required=True, minimum_lot=100)
