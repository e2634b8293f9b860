"""The significant-control page (secretary and supervisors) and the notices on the investor's
/me/ page."""

from __future__ import annotations

import re

from app.extensions import db
from app.ledger import log
from app.register import transfers
from tests.support.helpers import HOLDER_A, HOLDER_B, seed_register, submit, transfer_request
from tests.support.logins import log_in, make_login


def _company(app, new_issuer) -> tuple[str, str, str, int]:
    """A German issuer: a had all 100 shares at `old_size`, then transferred 70 to b."""
    issuer_id = new_issuer(
        legal_name="Harbour Lights Brewing GmbH", jurisdiction="DE", disclosure_profile="standard"
    )["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    with app.app_context():
        old_size = log.signed_size(db.session, issuer_id)
        submit(issuer_id, transfers.lodge_transfer, transfer_request(a, b, 70))
    return issuer_id, a, b, old_size


def _rows(page: str, table_id: str) -> list[str]:
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", table, flags=re.S)[1:]  # without the header


def test_the_secretary_sees_who_controls_now_and_at_an_old_size(app, client, new_issuer):
    issuer_id, _a, _b, old_size = _company(app, new_issuer)
    make_login(app, "sec@example.test", "secretary", issuer_id)
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}/significant-control").get_data(as_text=True)
    now = _rows(page, "significant-control")
    assert len(now) == 2  # a 30%, b 70%
    assert HOLDER_B["name"] in now[0] and "70.0000" in now[0]
    assert HOLDER_A["name"] in now[1] and "30.0000" in now[1]
    assert "<caption>" in page and 'for="tree_size"' in page
    # The notices, with the holders' names: the transfer's two, then the allotment's.
    notices = _rows(page, "notices")
    assert len(notices) == 3
    assert "EU Transparency Directive" in page
    then = client.get(f"/issuers/{issuer_id}/significant-control?tree_size={old_size}")
    (only,) = _rows(then.get_data(as_text=True), "significant-control")
    assert HOLDER_A["name"] in only and "100.0000" in only


def test_a_size_without_a_checkpoint_is_a_message_not_a_crash(app, client, new_issuer):
    issuer_id, *_ = _company(app, new_issuer)
    make_login(app, "sec@example.test", "secretary", issuer_id)
    log_in(client, "sec@example.test")
    for size in ("3", "999999", "abc"):
        response = client.get(f"/issuers/{issuer_id}/significant-control?tree_size={size}")
        assert response.status_code == 200, size
        assert 'class="flash error"' in response.get_data(as_text=True), size


def test_investors_and_other_secretaries_are_refused_the_page(app, client, new_issuer):
    issuer_id, a, _b, _ = _company(app, new_issuer)
    other = new_issuer(legal_name="Other Ltd")["id"]
    make_login(app, "inv@example.test", "investor", issuer_id, holder_id=a)
    make_login(app, "sec2@example.test", "secretary", other)
    for email in ("inv@example.test", "sec2@example.test"):
        log_in(client, email)
        assert client.get(f"/issuers/{issuer_id}/significant-control").status_code == 403
        client.post("/logout")
    assert client.get(f"/issuers/{issuer_id}/significant-control").status_code == 302


def test_a_regulator_sees_the_page_and_the_read_is_disclosed(app, client, new_issuer):
    issuer_id, *_ = _company(app, new_issuer)
    make_login(app, "reg@example.test", "regulator")
    log_in(client, "reg@example.test")
    # A supervisor's read of personal data states its purpose (asked for without one).
    assert client.get(f"/issuers/{issuer_id}/significant-control").status_code == 400
    page = client.get(f"/issuers/{issuer_id}/significant-control?purpose=thematic+review")
    assert page.status_code == 200
    with app.app_context():
        from app.register.access_reads import accesses

        logged = accesses(db.session, issuer_id, None, limit=5)
    assert any("significant-control" in access.resource for access in logged)


def test_the_investor_sees_their_own_notices_on_me(app, client, new_issuer):
    issuer_id, _a, b, _ = _company(app, new_issuer)
    make_login(app, "inv@example.test", "investor", issuer_id, holder_id=b)
    log_in(client, "inv@example.test")
    page = client.get("/me/").get_data(as_text=True)
    (notice,) = _rows(page, "notices")
    assert "rose" in notice and "5, 10, 15, 20, 25, 30, 50" in notice
    assert "0.0000" in notice and "70.0000" in notice
    assert HOLDER_A["name"] not in page.split('id="my-notices"', 1)[1].split("</section>")[0]


def test_the_dashboard_shows_a_notice_once_a_holding_crosses(app, client, new_issuer):
    issuer_id = new_issuer(jurisdiction="DE", disclosure_profile="standard")["id"]
    make_login(app, "sec@example.test", "secretary", issuer_id)
    log_in(client, "sec@example.test")
    url = f"/issuers/{issuer_id}/dashboard"
    assert "No notices." in client.get(url).text
    seed_register(app, issuer_id, shares_for_a=100)  # Ada goes from none to all of them
    page = client.get(url).get_data(as_text=True)
    (notice,) = _rows(page, "notices")
    assert "Ada Lovelace (No. 1)" in notice and "rose" in notice and "100.0000" in notice
    assert f'href="/issuers/{issuer_id}/significant-control"' in page


def test_a_member_page_shows_that_members_notices_only(app, client, new_issuer):
    issuer_id, a, b, _ = _company(app, new_issuer)
    make_login(app, "sec@example.test", "secretary", issuer_id)
    log_in(client, "sec@example.test")
    ada = _rows(client.get(f"/issuers/{issuer_id}/members/{a}").text, "notices")
    brunel = _rows(client.get(f"/issuers/{issuer_id}/members/{b}").text, "notices")
    assert len(ada) == 2 and "fell" in ada[0] and "rose" in ada[1]  # 100%, then 30%
    assert not any("70.0000" in row for row in ada)  # Brunel's notice is not Ada's
    (only,) = brunel
    assert "rose" in only and "70.0000" in only
