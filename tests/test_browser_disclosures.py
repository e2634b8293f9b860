"""Disclosures in headless Chromium against a live server: the secretary publishes one with an
attachment through the form, an investor reads it, downloads the file and finds the hash the
page shows, and the public "check a document" page, hashing the same file in the browser,
finds the disclosure that carries it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import test_browser
from tests.support.disclosures import PDF, publish_disclosure
from tests.support.helpers import seed_register
from tests.support.logins import log_in_page, make_login

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser

REPORT = b"%PDF-1.7\n% Harbour Lights annual report 2026\n" + b"0123456789" * 500 + b"\n%%EOF\n"
# Hashing runs in the browser on a loaded machine: allow it more than Playwright's 5 s.
WAIT_MS = test_browser.VERIFY_WAIT_MS


@pytest.fixture
def company(app, new_issuer) -> str:
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    member, _ = seed_register(app, issuer_id, shares_for_a=100)
    make_login(app, "secretary@example.test", "secretary", issuer_id)
    make_login(app, "ada@example.test", "investor", issuer_id, member)
    return issuer_id


def _publish(page: Page, live_server: str, issuer_id: str, report: Path) -> None:
    page.goto(f"{live_server}/issuers/{issuer_id}/disclosures")
    page.get_by_role("link", name="Publish a disclosure").click()
    page.get_by_label("Title").fill("Annual report 2026")
    page.get_by_label("Category").select_option(label="Annual report")
    page.get_by_label("Effective date").fill("2026-03-31")
    page.get_by_label("Audience").select_option("public")
    page.get_by_label("Body format").select_option("markdown")
    page.get_by_label("Body", exact=True).fill("The directors present **their report**.")
    page.get_by_label("Attach files").set_input_files(report)
    page.get_by_role("button", name="Publish", exact=True).click()


def test_published_in_the_browser_read_downloaded_and_checked_by_its_hash(
    browser, live_server, company, tmp_path
):
    issuer_id = company
    report = tmp_path / "annual-report-2026.pdf"
    report.write_bytes(REPORT)
    sha256 = hashlib.sha256(REPORT).hexdigest()

    secretary = browser.new_page()
    log_in_page(secretary, live_server, "secretary@example.test")
    _publish(secretary, live_server, issuer_id, report)
    expect(secretary.get_by_role("heading", name="Annual report 2026")).to_be_visible()
    expect(secretary.get_by_text("Published as entry")).to_be_visible()
    secretary.close()

    investor = browser.new_page()
    log_in_page(investor, live_server, "ada@example.test")
    investor.get_by_role("link", name="Disclosures", exact=True).click()
    investor.get_by_role("link", name="Annual report 2026").click()
    expect(investor.locator(".disclosure-body strong")).to_have_text("their report")
    row = investor.get_by_role("row", name="annual-report-2026.pdf")
    expect(row).to_contain_text(f"{len(REPORT):,}")
    expect(row).to_contain_text("application/pdf")
    expect(row).to_contain_text(sha256)
    log_index = int(investor.locator("#disclosure-log-index").inner_text().replace(",", ""))
    disclosure_id = investor.url.rsplit("/", 1)[1]
    with investor.expect_download() as download:
        row.get_by_role("link", name="annual-report-2026.pdf").click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "annual-report-2026.pdf"
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == sha256

    investor.get_by_role("link", name="Check a document").click()
    investor.get_by_label("Choose a file, or drop it here").set_input_files(saved)
    expect(investor.locator("#document-hash")).to_contain_text(sha256, timeout=WAIT_MS)
    found = investor.get_by_role("table", name="Public disclosures carrying this file")
    expect(found).to_contain_text("Harbour Lights Brewing Ltd", timeout=WAIT_MS)
    expect(found).to_contain_text("Annual report 2026")
    expect(found).to_contain_text("current")
    proof = found.get_by_role("link", name="inclusion proof")
    expect(proof).to_have_attribute(
        "href", f"/issuers/{issuer_id}/disclosures/{disclosure_id}/proof.json"
    )
    expect(found.locator(".proof-check")).to_have_text(
        re.compile(
            rf"Verified: entry {log_index} is in the log of {log_index + 1} entries, "
            r"signed by published key [0-9a-f]{8} \(fingerprint [0-9a-f ]+\)\."
        ),
        timeout=WAIT_MS,
    )
    investor.close()


def test_a_file_never_disclosed_is_not_disclosed_here(browser, live_server, company, tmp_path):
    stranger = tmp_path / "forged-report.pdf"
    stranger.write_bytes(REPORT + b"one more byte")
    page = browser.new_page()
    page.goto(f"{live_server}/verify-document")
    uploads = []
    page.on("request", lambda request: uploads.append(request) if request.method != "GET" else None)
    page.get_by_label("Choose a file, or drop it here").set_input_files(stranger)
    expect(page.get_by_role("status")).to_contain_text("Not disclosed here", timeout=WAIT_MS)
    expect(page.locator("#document-hash")).to_contain_text(
        hashlib.sha256(stranger.read_bytes()).hexdigest()
    )
    assert uploads == []  # the file was hashed in the browser, never sent
    page.get_by_label("Or paste its SHA-256 (64 hexadecimal characters)").fill("abc")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#document-sha256-errors")).to_have_text(
        "A SHA-256 is 64 characters, each 0-9 or a-f."
    )
    page.close()


def _tamper(page: Page, change) -> None:
    """Rewrite the API's answer in flight, as a dishonest server could."""

    def handle(route):
        response = route.fetch()
        body = response.json()
        change(body["disclosures"][0])
        route.fulfill(response=response, json=body)

    page.route("**/api/v1/documents/*/disclosures", handle)


def _swap_file(item: dict) -> None:
    """Claim the entry carried this file when the logged entry says another."""
    leaf = json.loads(base64.b64decode(item["inclusion"]["leaf"]))
    leaf["data"]["attachments"][0]["sha256"] = "0" * 64
    item["inclusion"]["leaf"] = base64.b64encode(json.dumps(leaf).encode()).decode()


def _bad_proof(item: dict) -> None:
    proof = item["inclusion"]["proof"]
    proof[0] = base64.b64encode(b"\x00" * 32).decode()


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (_swap_file, "does not record this file for this disclosure"),
        (_bad_proof, "the inclusion proof does not lead to the signed root"),
    ],
)
def test_the_browser_catches_an_answer_the_log_does_not_back(
    app, browser, live_server, company, change, problem
):
    publish_disclosure(app, company, attachments=(PDF,), title="Annual report 2026")
    page = browser.new_page()
    _tamper(page, change)
    page.goto(f"{live_server}/verify-document")
    page.get_by_label("Or paste its SHA-256 (64 hexadecimal characters)").fill(
        hashlib.sha256(PDF.content).hexdigest()
    )
    page.get_by_role("button", name="Check").click()
    verdict = page.locator(".proof-check")
    expect(verdict).to_contain_text("Proof check FAILED", timeout=WAIT_MS)
    expect(verdict).to_contain_text(problem)
    page.close()
