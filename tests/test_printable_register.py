"""The printable register of members carries what UK CA2006 asks of a register: member
numbers, dates of entry and of ceasing, joint holders, former members for ten years (s113,
s121), the amount paid per share where recorded, an index above 50 members (s115), totals
per class and print styles."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest

from app.commands import command
from app.extensions import db
from app.ledger import log
from app.ledger.log import utc_now
from app.register import classes, holders, issuance, transfers
from app.register.requests import CeaseHolder, IssueShares
from tests.support.helpers import (
    ACTOR,
    HOLDER_A,
    allocation,
    class_request,
    holder_request,
    transfer_request,
)
from tests.support.snapshots import PREFERENCE, read

MEMBERS = 60  # holding shares: more than 50, so the register needs an index
ENTERED = date(2019, 4, 1)


def _details(name: str, n: int, **extra) -> dict:
    return {**HOLDER_A, "name": name, "identifier": f"ID-{n}", **extra}


@pytest.fixture
def register(app, new_issuer):
    """60 members of ORD entered on 1 April 2019, in reverse alphabetical order of entry
    (Member 60 is no. 1); the first also holds PREF; one holds jointly. Then Cecil sells out
    and ceases 30 days ago, and Olive, entered in 2010, ceased eleven years ago."""
    issuer_id = new_issuer()["id"]
    today = utc_now().date()
    with app.app_context():
        with command(ACTOR, issuer_id) as ctx:
            classes.create_class(ctx, class_request())
            classes.create_class(ctx, class_request(PREFERENCE))
            ids = [
                holders.register_holder(
                    ctx, holder_request(_details(f"Member {MEMBERS - n:02d}", n), ENTERED)
                ).holder_id
                for n in range(MEMBERS)
            ]
            joint = holders.register_holder(
                ctx,
                holder_request(
                    _details("Ada Joint", 100, joint_holders=["Grace Hopper", "Alan Turing"]),
                    ENTERED,
                ),
            ).holder_id
            cecil = holders.register_holder(
                ctx, holder_request(_details("Cecil Ceased", 101), ENTERED)
            ).holder_id
            olive = holders.register_holder(
                ctx, holder_request(_details("Olive Old", 102), date(2010, 1, 4))
            ).holder_id
        allocations = [allocation(h, 1_000 + n) for n, h in enumerate(ids[:-1])]
        allocations += [
            allocation(joint, 2_500_000),
            allocation(cecil, 40),
            allocation(ids[0], 7, "PREF"),
        ]
        with command(ACTOR, issuer_id) as ctx:
            issuance.issue_shares(ctx, IssueShares(tuple(allocations)))
        with command(ACTOR, issuer_id) as ctx:
            transfers.lodge_transfer(ctx, transfer_request(cecil, ids[1], 40))
            holders.cease_holder(ctx, CeaseHolder(cecil, today - timedelta(days=30)))
            holders.cease_holder(ctx, CeaseHolder(olive, today - timedelta(days=11 * 366)))
        size = log.signed_size(db.session, issuer_id)
    return {"issuer_id": issuer_id, "ids": ids, "joint": joint, "size": size, "today": today}


def _page(client, register, regulator_headers) -> str:
    url = f"/api/v1/issuers/{register['issuer_id']}/snapshot?format=html"
    response = read(client.get(url, headers=regulator_headers))
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def _section(page: str, name: str) -> str:
    start = page.index(f'<section class="{name}"')
    return page[start : page.index("</section>", start)]


def _cells(row_html: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", " ", cell)).split()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row_html, re.S)
    ]


def _row(page: str, anchor: str) -> list[str]:
    start = page.index(f'<tr id="{anchor}"')
    return [" ".join(cell) for cell in _cells(page[start : page.index("</tr>", start)])]


def test_each_entry_has_its_number_and_date_of_entry(client, register, regulator_headers):
    page = _page(client, register, regulator_headers)
    first, second = register["ids"][:2]
    # Member 60 was entered first: no. 1; Member 59 holds its shares plus Cecil's 40.
    assert _row(page, "member-1-ORD") == [
        "1", "Member 60", f"{HOLDER_A['address']} (GB)", "2019-04-01", first,
        "1,000", "0.0391", "0.0391",
    ]  # fmt: skip
    assert _row(page, "member-2-ORD")[1] == "Member 59"
    assert _row(page, "member-2-ORD")[5] == "1,041"
    assert _row(page, "member-1-PREF")[:2] == ["1", "Member 60"]
    assert second in page


def test_joint_holders_are_entered_with_the_first_holder(client, register, regulator_headers):
    page = _page(client, register, regulator_headers)
    joint = _row(page, f"member-{MEMBERS + 1}-ORD")
    assert joint[1] == "Ada Joint jointly with Grace Hopper, Alan Turing"
    assert joint[5] == "2,500,000"  # thousands separated


def test_former_members_of_the_last_ten_years_have_their_own_section(
    client, register, regulator_headers
):
    page = _page(client, register, regulator_headers)
    former = _section(page, "former")
    ceased_on = (register["today"] - timedelta(days=30)).isoformat()
    cecil = _row(former, f"former-{MEMBERS + 2}")
    assert cecil[:5] == [str(MEMBERS + 2), "Cecil Ceased", f"{HOLDER_A['address']} (GB)",
                         "2019-04-01", ceased_on]  # fmt: skip
    assert "Olive Old" not in page  # ceased eleven years ago: no longer kept
    classes_part = page[: page.index('<section class="former"')]
    assert "Cecil Ceased" not in classes_part.split('<section class="class">', 1)[1]


def test_amount_paid_says_it_is_not_recorded(client, register, regulator_headers):
    page = _page(client, register, regulator_headers)
    ordinary = _section(page, "class")
    assert re.search(r"<dt>Amount paid per share</dt><dd>not recorded</dd>", ordinary)


def test_totals_per_class_and_print_styles(client, register, regulator_headers):
    page = _page(client, register, regulator_headers)
    ordinary = _section(page, "class")
    issued = sum(1_000 + n for n in range(MEMBERS - 1)) + 2_500_000 + 40
    footer = ordinary[ordinary.index("<tfoot>") :]
    assert f"Total ORD: {MEMBERS} members" in " ".join(footer.split())
    assert f"{issued:,}" in footer and "100.0000" in footer
    # The print styles are a static stylesheet the page links (no inline style: the CSP).
    (href,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
    style = client.get(href).get_data(as_text=True)
    assert "@media print" in style
    assert re.search(r"thead\s*\{\s*display:\s*table-header-group", style)
    assert re.search(r"section\.class\s*\{\s*break-before:\s*page", style)


def test_an_index_of_members_above_fifty_links_to_each_entry(client, register, regulator_headers):
    page = _page(client, register, regulator_headers)
    index = _section(page, "index")
    entries = re.findall(r"<li>(.*?), no\. (\d+):(.*?)</li>", index, re.S)
    names = [unescape(name.strip()) for name, _, _ in entries]
    assert names == sorted(names) and len(names) == MEMBERS
    assert names[0] == "Ada Joint" and "Cecil Ceased" not in names
    by_name = {unescape(name.strip()): (number, links) for name, number, links in entries}
    number, links = by_name["Member 60"]
    assert number == "1"
    anchors = re.findall(r'href="#([^"]+)"', links)
    assert anchors == ["member-1-ORD", "member-1-PREF"]
    for name, (_number, links) in by_name.items():
        for anchor in re.findall(r'href="#([^"]+)"', links):
            assert f'<tr id="{anchor}"' in page, (name, anchor)


def test_a_small_register_has_no_index(app, client, new_issuer, regulator_headers):
    from tests.support.snapshots import build_register

    built = build_register(app, new_issuer()["id"])
    url = f"/api/v1/issuers/{built.issuer_id}/snapshot?format=html"
    page = read(client.get(url, headers=regulator_headers)).get_data(as_text=True)
    assert "Index of members" not in page and "Former members" in page


def test_ten_years_before_a_leap_day_is_the_28th():
    from app.register.members import years_before

    assert years_before(date(2024, 2, 29), 10) == date(2014, 2, 28)
    assert years_before(date(2026, 12, 3), 10) == date(2016, 12, 3)
