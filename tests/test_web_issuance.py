"""Issuing shares in the browser: one allotment by form, a batch from CSV checked first."""

from __future__ import annotations

import io
import re

from app.extensions import db
from app.ledger import log
from tests.support.helpers import seed_register
from tests.support.logins import log_in, make_login

HEADER = "holder_key,name,address,identifier,country,holder_type,class_code,quantity\n"
GOOD = (
    "1,Ivy Jones,1 Mill Lane,ID-IVY,GB,person,ORD,2500\n"
    "2,Alfie Brown,2 Mill Lane,ID-ALF,GB,person,ORD,1500\n"
)


def _size(app, issuer_id):
    with app.app_context():
        return log.signed_size(db.session, issuer_id)


def _secretary(app, client, new_issuer):
    issuer_id = new_issuer()["id"]
    seed_register(app, issuer_id, shares_for_a=100)
    make_login(app, "sec@example.test", "secretary", issuer_id, display_name="Sam Secretary")
    log_in(client, "sec@example.test")
    return issuer_id


def test_one_allotment_by_form_confirms_with_its_log_entry(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    form = {"class_code": "ORD", "member": "Brunel (No. 2)", "quantity": "12000"}
    done = client.post(f"/issuers/{issuer_id}/issue", data=form, follow_redirects=True)
    page = done.get_data(as_text=True)
    index = _size(app, issuer_id) - 1
    assert f"Issued 12,000 shares: log entry {index:,}." in page
    assert "Sam Secretary issued 12,000 ORD to Brunel Engineering Ltd (No. 2)." in page
    assert "Inclusion proof" in page and "Signed checkpoint" in page


def test_refused_allotments_say_why_next_to_the_field_and_write_nothing(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    before = _size(app, issuer_id)
    cases = [
        ({"member": "nobody"}, 'id="member-errors"', "No member is “nobody”"),
        ({"quantity": "1.5"}, 'id="quantity-errors"', "Not a valid integer value."),
        (
            {"price_per_share": "2"},
            'id="currency-errors"',
            "give the currency with the price per share",
        ),
    ]
    for change, where, words in cases:
        form = {"class_code": "ORD", "member": "1", "quantity": "10", **change}
        page = client.post(f"/issuers/{issuer_id}/issue", data=form).get_data(as_text=True)
        assert where in page and words in page, change
    assert _size(app, issuer_id) == before


def _upload(client, issuer_id, text):
    data = {"file": (io.BytesIO(text.encode()), "members.csv")}
    return client.post(
        f"/issuers/{issuer_id}/issue/csv", data=data, content_type="multipart/form-data"
    ).get_data(as_text=True)


def test_a_csv_with_a_bad_line_is_reported_by_line_then_the_fixed_file_is_imported(
    app, client, new_issuer
):
    issuer_id = _secretary(app, client, new_issuer)
    before = _size(app, issuer_id)
    bad = _upload(client, issuer_id, HEADER + GOOD + "3,Zed,3 Mill Lane,ID-Z,XX,person,ORD,7\n")
    assert "The file has 1 problem: nothing was written" in bad
    assert "<td>line 4</td>" in bad and "Import these members" not in bad
    assert _size(app, issuer_id) == before
    good = _upload(client, issuer_id, HEADER + GOOD)
    assert "It would register 2 members and record 2 allotments" in good
    upload = re.search(r'name="upload" type="hidden" value="([0-9a-f]{64})"', good).group(1)
    assert _size(app, issuer_id) == before  # the check wrote nothing
    done = client.post(
        f"/issuers/{issuer_id}/issue/csv/confirm", data={"upload": upload}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Imported the members and their shares: log entry" in done
    assert _size(app, issuer_id) == before + 4
    again = client.post(
        f"/issuers/{issuer_id}/issue/csv/confirm", data={"upload": upload}, follow_redirects=True
    ).get_data(as_text=True)
    assert "That upload is no longer here" in again
    assert _size(app, issuer_id) == before + 4


def test_only_the_issuers_secretary_may_issue(app, client, new_issuer):
    issuer_id = new_issuer()["id"]
    make_login(app, "reg@example.test", "regulator")
    log_in(client, "reg@example.test")
    assert client.get(f"/issuers/{issuer_id}/issue").status_code == 403
    assert client.post(f"/issuers/{issuer_id}/issue/csv").status_code == 403
