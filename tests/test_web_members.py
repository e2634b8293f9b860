"""The members pages: search by name, identifier or number, paging, one member's page."""

from __future__ import annotations

import re

from app.commands import command
from app.register import holders
from tests.support.helpers import HOLDER_A, holder_request, seed_register
from tests.support.logins import log_in, make_login


def _many_members(app, issuer_id, count):
    with app.app_context(), command("test", issuer_id) as ctx:
        for n in range(count):
            details = {**HOLDER_A, "name": f"Member {n:04d}", "identifier": f"ID-{n:06d}"}
            holders.register_holder(ctx, holder_request(details))


def _numbers(page: str) -> list[int]:
    cells = re.findall(r'<td class="num" data-label="No.">([\d,]+)</td>', page)
    return [int(cell.replace(",", "")) for cell in cells]


def test_members_page_through_the_register_in_order_of_number(app, client, new_issuer):
    issuer_id = new_issuer()["id"]
    seed_register(app, issuer_id, shares_for_a=10)
    _many_members(app, issuer_id, 118)
    make_login(app, "sec@example.test", "secretary", issuer_id)
    log_in(client, "sec@example.test")
    seen, url = [], f"/issuers/{issuer_id}/members"
    while url:
        page = client.get(url).get_data(as_text=True)
        seen.extend(_numbers(page))
        found = re.search(r'<a rel="next" href="([^"]+)"', page)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == list(range(1, 121))


def test_members_are_found_by_name_identifier_or_number(app, client, new_issuer):
    issuer_id = new_issuer()["id"]
    seed_register(app, issuer_id, shares_for_a=10)
    _many_members(app, issuer_id, 30)
    make_login(app, "sec@example.test", "secretary", issuer_id)
    log_in(client, "sec@example.test")

    def found(q):
        return _numbers(client.get(f"/issuers/{issuer_id}/members", query_string={"q": q}).text)

    assert found("member 0012") == [15]  # case does not matter; Ada and Brunel are 1 and 2
    assert found("ID-000020") == [23]
    # A number finds that member number and the identifiers holding those digits.
    assert found("7") == sorted({7} | {n + 3 for n in range(30) if "7" in f"{n:06d}"})
    assert found("100%") == []  # a wildcard is only a character
    choices = client.get(f"/issuers/{issuer_id}/members.json", query_string={"q": "lovelace"})
    assert [c["label"] for c in choices.get_json()["members"]] == ["Ada Lovelace (No. 1)"]


def test_a_member_page_shows_holdings_history_in_words_and_readers(app, client, new_issuer):
    issuer_id = new_issuer()["id"]
    a, _ = seed_register(app, issuer_id, shares_for_a=12_500)
    make_login(app, "sec@example.test", "secretary", issuer_id, display_name="Sam Secretary")
    make_login(app, "reg@example.test", "regulator", display_name="Rita Regulator")
    log_in(client, "reg@example.test")
    # A supervisor states why it reads personal data; the page asks until it does.
    assert client.get(f"/issuers/{issuer_id}/members/{a}").status_code == 400
    read = client.get(f"/issuers/{issuer_id}/members/{a}", query_string={"purpose": "AML review"})
    assert read.status_code == 200
    client.post("/logout")
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}/members/{a}").get_data(as_text=True)
    assert "Ada Lovelace" in page and "(No. 1)" in page
    assert ">12,500<" in page
    assert "Test issued 12,500 ORD to Ada Lovelace (No. 1)." in page
    assert "Test entered Ada Lovelace (No. 1) on the register." in page
    assert "Rita Regulator (regulator)" in page
    reads = re.search(r'<table id="member-reads">.*?</table>', page, re.S).group(0)
    assert "<td>AML review</td>" in reads  # the purpose the reader gave, beside the read
    assert "Brunel" not in page
    assert client.get(f"/issuers/{issuer_id}/members/no-such-holder").status_code == 404


def test_other_issuers_secretaries_and_investors_cannot_list_members(app, client, new_issuer):
    issuer_id, other_id = new_issuer()["id"], new_issuer()["id"]
    seed_register(app, issuer_id, shares_for_a=10)
    make_login(app, "other@example.test", "secretary", other_id)
    log_in(client, "other@example.test")
    assert client.get(f"/issuers/{issuer_id}/members").status_code == 403
    assert client.get(f"/issuers/{issuer_id}/members.json?q=a").status_code == 403


def test_a_secretary_enters_amends_checks_and_ceases_a_member(app, client, new_issuer):
    issuer_id = new_issuer()["id"]
    seed_register(app, issuer_id, shares_for_a=10)
    make_login(app, "sec@example.test", "secretary", issuer_id, display_name="Sam Secretary")
    log_in(client, "sec@example.test")
    details = {
        "name": "Ivy Jones",
        "address": "1 Mill Lane\nYork",
        "identifier": "GB-NI-IJ000001",
        "country": "GB",
        "holder_type": "person",
    }
    entered = client.post(f"/issuers/{issuer_id}/members/new", data=details, follow_redirects=True)
    assert "Ivy Jones entered on the register: log entry" in entered.text
    assert "Sam Secretary entered Ivy Jones (No. 3) on the register." in entered.text
    again = client.post(f"/issuers/{issuer_id}/members/new", data=details)
    assert re.search(
        r'id="identifier-errors">\s*<li>holder \S+ is a member with identifier', again.text
    )
    bad_country = client.post(
        f"/issuers/{issuer_id}/members/new", data={**details, "country": "XX"}
    )
    assert 'id="country-errors"' in bad_country.text
    (ivy,) = re.findall(
        r'href="/issuers/[^/]+/members/([^"/]+)">Ivy Jones<',
        client.get(f"/issuers/{issuer_id}/members?q=ivy").text,
    )
    amended = client.post(
        f"/issuers/{issuer_id}/members/{ivy}/edit",
        data={**details, "address": "2 Mill Lane, York"},
        follow_redirects=True,
    )
    assert "Sam Secretary amended the details of Ivy Jones (No. 3)." in amended.text
    checked = client.post(
        f"/issuers/{issuer_id}/members/{ivy}/kyc", data={"verified": "yes"}, follow_redirects=True
    )
    assert "marked Ivy Jones (No. 3) as identity checked" in checked.text
    ceased = client.post(f"/issuers/{issuer_id}/members/{ivy}/cease", follow_redirects=True)
    assert "recorded that Ivy Jones (No. 3) ceased to be a member" in ceased.text
    page = client.get(f"/issuers/{issuer_id}/members/{ivy}").text
    assert "2 Mill Lane, York" in page and "ceased to be a member on" in page
