"""The secretary's dashboard: figures with separators, the largest holders drawn and listed,
capital over time, the latest entries in words."""

from __future__ import annotations

from app.commands import command
from app.register import holders, issuance
from tests.support.helpers import HOLDER_A, holder_request, issue_request, seed_register
from tests.support.logins import log_in, make_login


def test_the_dashboard_shows_who_holds_the_votes_and_how_capital_grew(app, client, new_issuer):
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    seed_register(app, issuer_id, shares_for_a=1_500_000)
    with app.app_context(), command("test", issuer_id) as ctx:
        tricky = {**HOLDER_A, "name": "<script>x</script> Ltd", "identifier": "GB-CRN-9"}
        holder_id = holders.register_holder(ctx, holder_request(tricky)).holder_id
        issuance.issue_shares(ctx, issue_request((holder_id, 500_000)))
    make_login(app, "sec@example.test", "secretary", issuer_id)
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}/dashboard").get_data(as_text=True)
    assert "<dt>ORD issued</dt><dd>2,000,000" in page
    assert "<dt>Members</dt><dd>3</dd>" in page
    # The chart and its table: Ada 75%, the tricky name escaped in both.
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and "75.0%" in page
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt; Ltd (No. 3)" in page
    assert '<td class="num">1,500,000</td><td class="num">75.00%</td>' in page
    # Capital: the first point before any issue, the last at 2,000,000.
    capital = page[page.index('id="capital"') :]
    assert '<td class="num">2,000,000</td>' in capital
    assert "Test issued 500,000 ORD to &lt;script&gt;x&lt;/script&gt; Ltd (No. 3)." in page
    assert "Nothing is waiting for a decision." in page


def test_only_the_issuers_company_side_and_supervisors_see_the_dashboard(app, client, new_issuer):
    issuer_id, other_id = new_issuer()["id"], new_issuer()["id"]
    seed_register(app, issuer_id, shares_for_a=10)
    make_login(app, "other@example.test", "secretary", other_id)
    make_login(app, "reg@example.test", "regulator")
    log_in(client, "other@example.test")
    assert client.get(f"/issuers/{issuer_id}/dashboard").status_code == 403
    client.post("/logout")
    log_in(client, "reg@example.test")
    asked = client.get(f"/issuers/{issuer_id}/dashboard")
    assert asked.status_code == 400  # the largest holders are personal data: why read them?
    page = client.get(f"/issuers/{issuer_id}/dashboard?purpose=thematic+review").text
    assert "Transfer approvals" not in page and "Ada Lovelace (No. 1)" in page
