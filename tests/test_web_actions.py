"""Corporate actions in the browser: previewed splits, refusals by the field, confirmations."""

from __future__ import annotations

import re

from app.extensions import db
from app.ledger import log
from tests.test_web_issuance import _secretary, _size


def _post(client, issuer_id, name, **fields):
    return client.post(f"/issuers/{issuer_id}/actions/{name}", data=fields, follow_redirects=True)


def test_a_split_is_previewed_holder_by_holder_then_confirmed(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)  # Ada holds 100 ORD
    before = _size(app, issuer_id)
    form = {"class_code": "ORD", "ratio": "2:1", "fraction_policy": "round_half_up"}
    page = _post(client, issuer_id, "split", **form).get_data(as_text=True)
    assert "Preview: nothing is recorded until you confirm" in page
    assert re.search(
        r"<td>Ada Lovelace \(No. 1\)</td><td class=\"num\">100</td><td class=\"num\">200</td>", page
    )
    assert _size(app, issuer_id) == before
    done = _post(client, issuer_id, "split", **form, confirmed="yes").get_data(as_text=True)
    assert f"Class split: log entry {before:,}." in done
    assert "Sam Secretary split the ORD shares (2:1)." in done
    assert _size(app, issuer_id) == before + 1


def test_refusals_are_next_to_their_field_and_write_nothing(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    before = _size(app, issuer_id)
    too_many = _post(
        client, issuer_id, "cancel", class_code="ORD", member="1", quantity="101", reason="AGM"
    ).get_data(as_text=True)
    assert re.search(
        r'id="quantity-errors">\s*<li>holder \S+ has 100 ORD shares available', too_many
    )
    bad_ratio = _post(
        client, issuer_id, "split", class_code="ORD", ratio="1:2", fraction_policy="round_half_up"
    ).get_data(as_text=True)
    assert re.search(r'id="ratio-errors">\s*<li>a split increases the number of shares', bad_ratio)
    nobody = _post(
        client, issuer_id, "freeze", class_code="ORD", member="99", quantity="1", reason="order"
    ).get_data(as_text=True)
    assert "No member is “99”" in nobody
    assert _size(app, issuer_id) == before


def test_a_pledge_is_registered_then_released_by_picking_it(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    pledged = _post(
        client,
        issuer_id,
        "pledge",
        class_code="ORD",
        member="Ada Lovelace (No. 1)",
        quantity="40",
        pledgee="Northern Bank plc, facility 7",
    ).get_data(as_text=True)
    assert "registered a pledge of 40 ORD of Ada Lovelace (No. 1) to Northern Bank plc" in pledged
    page = client.get(f"/issuers/{issuer_id}/actions/release").get_data(as_text=True)
    pledge_id = re.search(r'<option value="([^"]+)">40 ORD of Ada Lovelace \(No. 1\)', page).group(
        1
    )
    released = _post(client, issuer_id, "release", pledge_id=pledge_id).get_data(as_text=True)
    assert "Pledge released" in released and "released a pledge" in released


def test_unknown_actions_and_outsiders_are_refused(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    assert client.get(f"/issuers/{issuer_id}/actions/liquidate").status_code == 404
    client.post("/logout")
    assert client.get(f"/issuers/{issuer_id}/actions/cancel").status_code in (302, 401)
    with app.app_context():
        assert log.signed_size(db.session, issuer_id) > 0
