"""The register-wide access log page: reads by outsiders with readers and members by name,
paging, filters by member and date (refusals next to the field), and who may see it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.helpers import record_reads, seed_register
from tests.support.logins import log_in, make_login

DAY_ONE = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
def company(app, new_issuer):
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    make_login(app, "sec@example.test", "secretary", issuer_id, display_name="Sam Secretary")
    return issuer_id, a, b


def _rows(page: str) -> list[str]:
    table = page.split('id="access-log"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td data-label.*?</tr>", table, flags=re.S)


def _purposes(page: str) -> list[str]:
    return re.findall(r'<td data-label="Purpose given">([^<]*)</td>', page)


def test_the_log_names_readers_and_members_and_is_linked(app, client, company):
    issuer_id, a, _b = company
    make_login(app, "reg@example.test", "regulator", display_name="Rita Regulator")
    log_in(client, "reg@example.test")
    for path in (f"/members/{a}", ""):  # the member, then the register
        read = client.get(f"/issuers/{issuer_id}{path}", query_string={"purpose": "AML review"})
        assert read.status_code == 200, path
    client.post("/logout")
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}/access-log").text
    rows = _rows(page)
    assert len(rows) == 2
    assert "the whole register" in rows[0] and "Rita Regulator (regulator)" in rows[0]
    assert "the details of Ada Lovelace (No. 1)" in rows[1] and "AML review" in rows[1]
    assert re.search(r"\d{1,2} \w{3} \d{4}, \d\d:\d\d UTC", rows[1])  # not an ISO string
    assert "<caption>Every read, latest first</caption>" in page
    assert '<th scope="col">Who</th>' in page and 'for="since"' in page and 'for="member"' in page
    log_link = f'href="/issuers/{issuer_id}/access-log"'
    assert log_link in client.get(f"/issuers/{issuer_id}/dashboard").text
    member_page = client.get(f"/issuers/{issuer_id}/members/{a}").text
    assert f"{log_link}>See the whole access log</a>" in member_page


def test_the_log_pages_through_every_read_latest_first(app, client, company):
    issuer_id, a, _b = company
    record_reads(
        app, issuer_id, *((DAY_ONE + timedelta(minutes=n), a, f"case {n}") for n in range(120))
    )
    log_in(client, "sec@example.test")
    seen, url, pages = [], f"/issuers/{issuer_id}/access-log", 0
    while url:
        page = client.get(url)
        assert page.status_code == 200
        seen.extend(_purposes(page.text))
        found = re.search(r'<a rel="next" href="([^"]+)"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
        pages += 1
    assert pages == 3
    assert seen == [f"case {n}" for n in reversed(range(120))]


def test_filters_by_member_and_by_dates_inclusive(app, client, company):
    issuer_id, a, b = company
    record_reads(
        app,
        issuer_id,
        (DAY_ONE, a, "ada on day one"),
        (DAY_ONE + timedelta(days=1), b, "brunel on day two"),
        (DAY_ONE + timedelta(days=2, hours=14), None, "everyone on day three"),
    )
    log_in(client, "sec@example.test")

    def shown(**filters) -> list[str]:
        page = client.get(f"/issuers/{issuer_id}/access-log", query_string=filters)
        assert page.status_code == 200, page.text[:300]
        return _purposes(page.text)

    everything = ["everyone on day three", "brunel on day two", "ada on day one"]
    assert shown() == everything
    # A member's reads include reads of the whole register; typed by number or as picked.
    assert shown(member="1") == ["everyone on day three", "ada on day one"]
    assert shown(member="Brunel Engineering Ltd (No. 2)") == everything[:2]
    assert shown(since="2026-03-02") == everything[:2]
    assert shown(until="2026-03-02") == everything[1:]
    assert shown(since="2026-03-02", until="2026-03-02") == ["brunel on day two"]
    assert shown(since="2026-03-04") == []
    filtered = client.get(f"/issuers/{issuer_id}/access-log?member=2&since=2026-03-02").text
    assert "Reads that could include Brunel Engineering Ltd (No. 2) from 2026-03-02" in filtered
    assert 'value="Brunel Engineering Ltd (No. 2)"' in filtered  # the field names the member


@pytest.mark.parametrize(
    ("filters", "field", "words"),
    [
        ({"since": "not-a-date"}, "since", "“not-a-date” is not a date"),
        ({"until": "2026-02-30"}, "until", "is not a date: give one as YYYY-MM-DD"),
        ({"member": "999"}, "member", "No member is “999”"),
        ({"member": "Nobody Atall"}, "member", "No member is “Nobody Atall”"),
        ({"since": "2026-03-05", "until": "2026-03-01"}, "until", "before the start date"),
    ],
)
def test_bad_filters_are_refused_next_to_their_field(app, client, company, filters, field, words):
    issuer_id, a, _b = company
    record_reads(app, issuer_id, (DAY_ONE, a, "kept"))
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}/access-log", query_string=filters)
    assert page.status_code == 400
    errors = re.search(rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', page.text, re.S)
    assert errors and words in errors.group(1)
    assert "<caption>Every read, latest first</caption>" in page.text  # no filter applied


def test_a_page_key_the_list_does_not_hold_is_a_message(app, client, company):
    issuer_id, a, _b = company
    record_reads(app, issuer_id, (DAY_ONE, a, "kept"))
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}/access-log?after=no-such-read")
    assert page.status_code == 400
    assert 'class="flash error"' in page.text and _purposes(page.text) == ["kept"]


def test_only_the_secretary_and_the_operator_with_a_purpose_see_the_log(
    app, client, company, new_issuer
):
    issuer_id, a, _b = company
    url = f"/issuers/{issuer_id}/access-log"
    make_login(app, "inv@example.test", "investor", issuer_id, holder_id=a)
    make_login(app, "reg@example.test", "regulator")
    make_login(app, "other@example.test", "secretary", new_issuer()["id"])
    make_login(app, "op@example.test", "operator", display_name="Olive Operator")
    assert client.get(url).status_code == 302  # to the login form
    for email in ("inv@example.test", "reg@example.test", "other@example.test"):
        log_in(client, email)
        assert client.get(url).status_code == 403, email
        client.post("/logout")
    log_in(client, "op@example.test")
    asked = client.get(url, query_string={"member": "1"})
    assert asked.status_code == 400 and "Why are you reading this register?" in asked.text
    assert 'name="member" value="1"' in asked.text  # the filter is kept for the answer
    shown = client.get(url, query_string={"member": "1", "purpose": "incident 12"})
    assert shown.status_code == 200
    # The operator's read of names is itself on the log, with its purpose.
    assert "incident 12" in client.get(url, query_string={"purpose": "incident 12"}).text
