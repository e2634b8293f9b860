"""The secretary's flows in headless Chromium, on each engine: shares issued from a CSV file
(a bad line reported, nothing written, the fixed file imported), a split previewed holder by
holder then confirmed, and paging through 10,000 members by keyboard. Every page visited is
checked by axe at 390 and 1280 px and photographed under tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.ledger import log
from app.register import queries
from tests import test_browser
from tests.support.browser_pages import check_page, tab_to
from tests.support.helpers import issue, seed_register
from tests.support.logins import log_in_page, make_login
from tests.test_web_members import _many_members

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser
SECRETARY = "sam@example.test"
HEADER = "holder_key,name,address,identifier,country,holder_type,class_code,quantity\n"
GOOD = (
    "1,Ivy Jones,1 Mill Lane,ID-IVY,GB,person,ORD,2500\n"
    "2,Alfie Brown,2 Mill Lane,ID-ALF,GB,person,ORD,1500\n"
)
BAD_LINE = "3,Zed Zimmer,3 Mill Lane,ID-ZED,XX,person,ORD,7\n"


@pytest.fixture
def members(app, new_issuer) -> tuple[str, str, str]:
    """(issuer, Ada, Brunel): Ada holds 100 ORD, Brunel none; Sam is the secretary."""
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    ada, brunel = seed_register(app, issuer_id, shares_for_a=100)
    make_login(app, SECRETARY, "secretary", issuer_id, display_name="Sam Secretary")
    return issuer_id, ada, brunel


@pytest.fixture
def issuer_id(members) -> str:
    return members[0]


@pytest.fixture
def page(browser: Browser, live_server, members) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in_page(page, live_server, SECRETARY)
    yield page
    context.close()


def _size(app, issuer_id: str) -> int:
    with app.app_context():
        return log.signed_size(db.session, issuer_id)


def _held(app, issuer_id: str) -> dict[str, int]:
    with app.app_context():
        return {h.holder_id: h.held for h in queries.current_holdings(db.session, issuer_id)}


def _upload(page: Page, text: str) -> None:
    page.get_by_label("CSV file of new members and their shares").set_input_files(
        files=[{"name": "members.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()


def test_a_csv_with_a_bad_line_is_reported_then_the_fixed_file_is_issued(
    app, page, live_server, issuer_id
):
    before, held = _size(app, issuer_id), _held(app, issuer_id)
    page.goto(f"{live_server}/issuers/{issuer_id}/issue")
    check_page(page, "secretary-issue")

    _upload(page, HEADER + GOOD + BAD_LINE)
    report = page.locator("#csv-report")
    expect(report.get_by_role("heading")).to_have_text(
        "The file has 1 problem: nothing was written"
    )
    problem = page.get_by_role("table", name="Problems to fix in the file, by line")
    expect(problem.locator("tbody tr")).to_have_count(1)
    expect(problem.locator("tbody td").first).to_have_text("line 4")
    expect(problem.locator("tbody td").last).to_contain_text("XX")
    import_button = page.get_by_role("button", name="Import these members and their shares")
    expect(import_button).to_have_count(0)
    check_page(page, "secretary-issue-csv-problems")
    assert (_size(app, issuer_id), _held(app, issuer_id)) == (before, held)

    _upload(page, HEADER + GOOD)
    expect(report).to_contain_text("It would register 2 members and record 2 allotments")
    check_page(page, "secretary-issue-csv-ready")
    assert _size(app, issuer_id) == before  # the check wrote nothing either
    import_button.click()

    expect(page.get_by_role("alert")).to_contain_text(
        f"Imported the members and their shares: log entry {before:,}."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Log entry {before:,}")
    expect(page.get_by_text("Inclusion proof")).to_be_visible()
    check_page(page, "secretary-csv-confirmation")
    assert _size(app, issuer_id) == before + 4  # two members, two allotments

    page.get_by_role("link", name="Register", exact=True).click()
    holdings = page.get_by_role("table", name="Holdings by class and member")
    expect(holdings.get_by_role("row", name="Ivy Jones")).to_contain_text("2,500")
    expect(holdings.get_by_role("row", name="Alfie Brown")).to_contain_text("1,500")
    check_page(page, "secretary-register-after-csv")


def test_a_split_is_previewed_holder_by_holder_then_confirmed(app, page, live_server, members):
    issuer_id, ada, brunel = members
    with app.app_context():
        issue(issuer_id, (brunel, 33))
    before, held = _size(app, issuer_id), _held(app, issuer_id)
    page.goto(f"{live_server}/issuers/{issuer_id}/actions")
    check_page(page, "secretary-actions")
    page.get_by_role("link", name="Split a class").click()
    page.get_by_label("Class").select_option("ORD")
    page.get_by_label("Ratio new:old (such as 2:1)").fill("5:2")
    page.get_by_label("Fractions of a share").select_option(
        label="round down and pay cash for the fraction"
    )
    page.get_by_label("Cash per whole share for fractions (when paying cash)").fill("2.00")
    page.get_by_label("Currency of that cash").fill("GBP")
    page.get_by_role("button", name="Preview").click()

    preview = page.get_by_role("heading", name="Preview: nothing is recorded until you confirm")
    expect(preview).to_be_visible()
    rows = page.get_by_role("table", name="Every holder's result").locator("tbody tr")
    expect(rows).to_have_count(2)
    # Ada's 100 become 250 exactly; Brunel's 33 become 82.5: 82 and cash for half a share.
    expect(rows.filter(has_text="Ada Lovelace (No. 1)").locator("td")).to_have_text(
        ["Ada Lovelace (No. 1)", "100", "250", "", ""]
    )
    brunel_cells = rows.filter(has_text="Brunel Engineering Ltd (No. 2)").locator("td")
    expect(brunel_cells.nth(1)).to_have_text("33")
    expect(brunel_cells.nth(2)).to_have_text("82")
    expect(brunel_cells.nth(4)).to_have_text("1.00")
    check_page(page, "secretary-split-preview")
    assert (_size(app, issuer_id), _held(app, issuer_id)) == (before, held)

    page.get_by_role("button", name="Confirm: split a class").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Class split: log entry {before:,}.")
    expect(page.locator(".lead")).to_contain_text("Sam Secretary split the ORD shares (5:2)")
    check_page(page, "secretary-split-confirmation")
    assert _held(app, issuer_id) == {ada: 250, brunel: 82}
    assert _size(app, issuer_id) == before + 1


def test_paging_through_10000_members_by_keyboard(app, page, live_server, issuer_id):
    # Ada and Brunel are Nos. 1 and 2; "Member 0000" is No. 3, so "Member 9873" is 9,876.
    _many_members(app, issuer_id, 10_000)
    page.goto(f"{live_server}/issuers/{issuer_id}/members")
    numbers = page.locator("#members tbody td[data-label='No.']")
    expect(numbers.first).to_have_text("1")
    expect(numbers.last).to_have_text("50")
    check_page(page, "secretary-members")

    tab_to(page, page.get_by_role("link", name="Next 50 members"))
    page.keyboard.press("Enter")
    expect(numbers.first).to_have_text("51")
    expect(numbers.last).to_have_text("100")

    tab_to(page, page.get_by_label("Find a member by name, identifier or member number"))
    page.keyboard.type("No. 9,876")
    page.keyboard.press("Enter")
    found = page.locator("#members tbody tr")
    expect(found).to_have_count(1)
    expect(found.locator("td[data-label='No.']")).to_have_text("9,876")
    expect(found.locator("td[data-label='Name']")).to_have_text("Member 9873")
    check_page(page, "secretary-members-search")

    tab_to(page, found.get_by_role("link", name="Member 9873"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Member 9873 (No. 9,876)")
    check_page(page, "secretary-member-9876")
