"""The investor's pages in headless Chromium (Debian's build, driven by Playwright) against a
live server: log in, see holdings, and check my entries in the browser."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect, sync_playwright
from sqlalchemy import text
from werkzeug.serving import make_server

from app import append_only
from app.commands import command
from app.extensions import db
from app.register import classes, holders, issuance, transfers
from tests.support.helpers import (
    ACTOR,
    HOLDER_A,
    HOLDER_B,
    class_request,
    holder_request,
    issue_request,
    submit,
    transfer_request,
)
from tests.support.logins import log_in_page, make_login

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The in-browser check fetches the proofs and runs WebCrypto over every entry: seconds on a
# loaded 2-core machine (the suite's PostgreSQL run was seen to pass Playwright's 5 s default).
VERIFY_WAIT_MS = 20_000
ADA = "ada@example.test"  # the investor's login


@pytest.fixture
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def investor(app, new_issuer) -> dict:
    """Ada holds 700 ORD after buying 200 from Brunel; she has an investor login."""
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    with app.app_context():
        with command(ACTOR, issuer_id) as ctx:
            classes.create_class(ctx, class_request())
            ada = holders.register_holder(ctx, holder_request(HOLDER_A))
            brunel = holders.register_holder(ctx, holder_request(HOLDER_B))
            issuance.issue_shares(ctx, issue_request((ada.holder_id, 500), (brunel.holder_id, 300)))
        transfer = transfer_request(
            brunel.holder_id, ada.holder_id, 200, instrument_reference="STF-7"
        )
        submit(issuer_id, transfers.lodge_transfer, transfer)
    make_login(app, ADA, "investor", issuer_id, ada.holder_id, display_name="Ada Lovelace")
    return {"issuer_id": issuer_id, "holder_id": ada.holder_id, "brunel_id": brunel.holder_id}


def test_an_investor_sees_holdings_and_verifies_entries_in_the_browser(
    browser, live_server, investor
):
    page = browser.new_page()
    log_in_page(page, live_server, ADA)
    expect(
        page.get_by_role("heading", name="My holdings in Harbour Lights Brewing Ltd")
    ).to_be_visible()
    row = page.locator("tbody tr").first
    expect(row).to_contain_text("ORD")
    expect(row).to_contain_text("700")
    page.get_by_role("button", name="Verify in my browser").click()
    status = page.get_by_role("status")
    expect(status).to_have_text(
        "Verified: all 3 of my entries are in the signed log.", timeout=VERIFY_WAIT_MS
    )
    report = page.locator("#verify-report li")
    expect(report.first).to_contain_text("signature valid")
    expect(report.last).to_have_text("My register details match the commitment on the log.")
    page.close()


def test_the_browser_catches_a_rewritten_entry(app, browser, live_server, investor):
    with app.app_context(), db.engine.begin() as connection:
        for table in append_only.LOG_TABLES:
            for statement in append_only.drop_statements(connection.dialect.name, table):
                connection.execute(text(statement))
        # Quietly rewrite the quantity of Ada's allocation, as a rogue operator might.
        leaf = connection.execute(
            text("SELECT leaf FROM log_leaves WHERE issuer_id = :i AND idx = 4"),
            {"i": investor["issuer_id"]},
        ).scalar_one()
        assert b'"quantity":"500"' in leaf
        connection.execute(
            text("UPDATE log_leaves SET leaf = :leaf WHERE issuer_id = :i AND idx = 4"),
            {
                "leaf": leaf.replace(b'"quantity":"500"', b'"quantity":"900"'),
                "i": investor["issuer_id"],
            },
        )
    page = browser.new_page()
    log_in_page(page, live_server, ADA)
    page.get_by_role("button", name="Verify in my browser").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Verification FAILED: entry 4 is not in the signed tree", timeout=VERIFY_WAIT_MS
    )
    page.close()


def test_other_roles_cannot_open_the_investor_pages(client, investor):
    assert client.get("/me/").status_code == 302  # to the login page
