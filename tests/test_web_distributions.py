"""Distributions in the browser: the issuer's list, and one distribution's entitlement list
once its record date has ended (issue 11, "distributions with the entitlement list")."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from app.commands import command
from app.extensions import db
from app.ledger.log import utc_now
from app.models.register import Distribution
from app.register import access_reads
from app.register.distributions import declare_distribution
from app.register.requests import DeclareDistribution
from app.web import distributions as distribution_pages
from tests.support.helpers import (
    HOLDER_A,
    STATED_PURPOSE,
    Clock,
    add_holders,
    issue,
    seed_register,
)
from tests.support.logins import log_in, make_login


@pytest.fixture
def register(app, client, new_issuer):
    """Ada holds 100 ORD, Brunel 1,234,567, a namesake of Ada 3; a secretary is logged in;
    the clock is two days on, so that a record date of today has ended."""
    issuer_id = new_issuer()["id"]
    _, brunel = seed_register(app, issuer_id, shares_for_a=100)
    with app.app_context():
        (namesake,) = add_holders(issuer_id, {**HOLDER_A, "identifier": "GB-NI-QQ999999Z"})
        issue(issuer_id, (brunel, 1_234_567), (namesake, 3))
    today = utc_now().date()
    app.config["LEDGER_CLOCK"] = Clock(utc_now() + timedelta(days=2))
    make_login(app, "sec@example.test", "secretary", issuer_id, display_name="Sam Secretary")
    log_in(client, "sec@example.test")
    return issuer_id, today


def _declare(app, issuer_id, record_date, **fields) -> str:
    request = DeclareDistribution(
        fields.get("class_code", "ORD"),
        Decimal(fields.get("amount_per_share", "0.125")),
        fields.get("currency", "GBP"),
        record_date,
        fields.get("payment_date"),
    )
    with app.app_context(), command("test", issuer_id) as ctx:
        return declare_distribution(ctx, request).distribution_id


def test_the_list_shows_every_distribution_latest_first(app, client, register):
    issuer_id, today = register
    fixed = _declare(app, issuer_id, today, payment_date=today + timedelta(days=30))
    ahead = _declare(app, issuer_id, today + timedelta(days=10), amount_per_share="1500.5")
    page = client.get(f"/issuers/{issuer_id}/distributions").get_data(as_text=True)
    assert "<caption>Distributions declared, latest first</caption>" in page
    assert page.index(ahead) < page.index(fixed)
    assert '<th scope="col">Record date</th>' in page
    assert f"<td>{today.isoformat()}</td>" in page
    assert f"<td>{(today + timedelta(days=30)).isoformat()}</td>" in page
    assert '<td class="num">1,500.5</td>' in page and '<td class="num">0.125</td>' in page
    assert "Entitlements fixed" in page
    assert "Declared: entitlements are fixed at the end of the record date" in page
    dashboard = client.get(f"/issuers/{issuer_id}/dashboard").get_data(as_text=True)
    assert f'href="/issuers/{issuer_id}/distributions"' in dashboard
    actions = client.get(f"/issuers/{issuer_id}/actions").get_data(as_text=True)
    assert f'href="/issuers/{issuer_id}/distributions"' in actions


def test_a_fixed_distribution_lists_members_shares_and_amounts_with_totals(app, client, register):
    issuer_id, today = register
    distribution_id = _declare(app, issuer_id, today)
    page = client.get(f"/issuers/{issuer_id}/distributions/{distribution_id}").get_data(
        as_text=True
    )
    assert 'id="entitlements"' in page and "<caption>Entitlements:" in page
    # Namesakes told apart by member number; amounts rounded down to pence.
    assert '<th scope="row">Ada Lovelace (No. 1)</th><td class="num">100</td>' in page
    assert '<td class="num">12.50</td>' in page
    assert '<th scope="row">Ada Lovelace (No. 3)</th><td class="num">3</td>' in page
    assert '<td class="num">0.37</td>' in page
    brunel = '<th scope="row">Brunel Engineering Ltd (No. 2)</th><td class="num">1,234,567</td>'
    assert brunel in page
    assert '<td class="num">154,320.87</td>' in page
    assert (
        '<th scope="row">Total, every member</th><td class="num">1,234,670</td>'
        '<td class="num">154,333.74</td>'
    ) in page
    assert "leaves GBP 0.01 of the GBP 154,333.75 declared unpaid" in page


def test_a_currency_without_minor_units_shows_none(app, client, register):
    issuer_id, today = register
    distribution_id = _declare(app, issuer_id, today, currency="JPY", amount_per_share="7.5")
    page = client.get(f"/issuers/{issuer_id}/distributions/{distribution_id}").get_data(
        as_text=True
    )
    assert '<td class="num">750</td>' in page and '<td class="num">9,259,252</td>' in page
    # 7.5 x 1,234,670 = 9,260,025 yen declared; rounding leaves 1 (0.5 + 0.5) unpaid.
    assert "leaves JPY 1 of the JPY 9,260,025 declared unpaid" in page


def test_nothing_left_over_says_nothing_of_rounding(app, client, register):
    issuer_id, today = register
    distribution_id = _declare(app, issuer_id, today, amount_per_share="2")
    page = client.get(f"/issuers/{issuer_id}/distributions/{distribution_id}").get_data(
        as_text=True
    )
    assert '<td class="num">2,469,340.00</td>' in page and "Rounding" not in page


def test_before_the_record_date_has_ended_the_page_says_when_they_are_fixed(app, client, register):
    issuer_id, today = register
    distribution_id = _declare(app, issuer_id, today + timedelta(days=10))
    page = client.get(f"/issuers/{issuer_id}/distributions/{distribution_id}").get_data(
        as_text=True
    )
    assert "Entitlements are fixed at the end of the record date" in page
    assert 'id="entitlements"' not in page


def test_a_read_after_the_record_date_fixes_the_entitlements(app, client, register):
    issuer_id, today = register
    distribution_id = _declare(app, issuer_id, today + timedelta(days=2))
    app.config["LEDGER_CLOCK"].now += timedelta(days=1)
    client = app.test_client()  # a day on, the secretary logs in again
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}/distributions/{distribution_id}").get_data(
        as_text=True
    )
    assert 'id="entitlements"' in page
    with app.app_context():
        assert db.session.get(Distribution, (issuer_id, distribution_id)).fixed_index is not None


def test_a_long_list_is_read_a_page_at_a_time(app, client, register, monkeypatch):
    issuer_id, today = register
    monkeypatch.setattr(distribution_pages, "PAGE_SIZE", 2)
    distribution_id = _declare(app, issuer_id, today)
    path = f"/issuers/{issuer_id}/distributions/{distribution_id}"
    first = client.get(path).get_data(as_text=True)
    assert "(No. 1)" in first and "(No. 3)" in first and "Brunel" not in first
    assert "Next page" in first and "First page" not in first
    link = re.search(r'href="([^"]+)">Next page', first).group(1)
    assert link.startswith(f"{path}?after=")
    second = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Brunel Engineering Ltd (No. 2)" in second and "(No. 1)" not in second
    assert "First page" in second and "Next page" not in second
    assert "Total, every member" in second
    unknown = client.get(f"{path}?after=nobody")
    assert unknown.status_code == 200
    assert "That page of the list does not exist" in unknown.get_data(as_text=True)
    assert "(No. 1)" in unknown.get_data(as_text=True)


def test_who_may_read_them(app, client, register, new_issuer):
    issuer_id, today = register
    distribution_id = _declare(app, issuer_id, today)
    path = f"/issuers/{issuer_id}/distributions/{distribution_id}"
    assert client.get(f"/issuers/{issuer_id}/distributions/no-such-id").status_code == 404

    make_login(app, "reg@example.test", "regulator")
    regulator = app.test_client()
    log_in(regulator, "reg@example.test")
    assert regulator.get(f"/issuers/{issuer_id}/distributions").status_code == 200
    asked = regulator.get(path)
    assert asked.status_code == 400 and "Ada Lovelace" not in asked.get_data(as_text=True)
    read = regulator.get(path, query_string={"purpose": STATED_PURPOSE["X-Purpose"]})
    assert read.status_code == 200 and "Ada Lovelace (No. 1)" in read.get_data(as_text=True)
    with app.app_context():
        assert any(path in row.resource for row in access_reads.accesses(db.session, issuer_id))

    other = new_issuer()["id"]
    make_login(app, "other@example.test", "secretary", other)
    outsider = app.test_client()
    log_in(outsider, "other@example.test")
    assert outsider.get(path).status_code == 403
    assert outsider.get(f"/issuers/{issuer_id}/distributions").status_code == 403
