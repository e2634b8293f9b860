"""The register in the browser as it stood on a date or at a log size, and its downloads."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from app.extensions import db
from app.ledger import log
from app.register import transfers
from tests.support.helpers import Clock, seed_register, submit, transfer_request
from tests.support.logins import log_in, make_login


def _register_over_two_days(app, new_issuer):
    clock = Clock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    app.config["LEDGER_CLOCK"] = clock
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=1_000)
    with app.app_context():
        first_size = log.signed_size(db.session, issuer_id)
    clock.now = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    with app.app_context():
        submit(issuer_id, transfers.lodge_transfer, transfer_request(a, b, 400))
    make_login(app, "sec@example.test", "secretary", issuer_id)
    return issuer_id, first_size


def test_the_register_as_it_stood_on_a_day_is_read_only(app, client, new_issuer):
    issuer_id, first_size = _register_over_two_days(app, new_issuer)
    log_in(client, "sec@example.test")
    latest = client.get(f"/issuers/{issuer_id}").get_data(as_text=True)
    assert ">600<" in latest and "Register an executed transfer" in latest
    for asked in ({"as_of": "2026-03-03"}, {"tree_size": first_size}):
        page = client.get(f"/issuers/{issuer_id}", query_string=asked).get_data(as_text=True)
        assert ">1,000<" in page and ">600<" not in page
        assert f"as it stood at log size {first_size:,}" in page
        assert "Register an executed transfer" not in page


def test_a_day_before_the_register_is_refused_next_to_the_date(app, client, new_issuer):
    issuer_id, _ = _register_over_two_days(app, new_issuer)
    log_in(client, "sec@example.test")
    page = client.get(f"/issuers/{issuer_id}?as_of=2020-01-01").get_data(as_text=True)
    assert 'id="as-of-errors"><li>Nothing was signed on or before 2020-01-01.' in page
    assert client.get(f"/issuers/{issuer_id}?as_of=yesterday").status_code == 400


def test_snapshot_downloads_at_the_size_shown(app, client, new_issuer):
    issuer_id, first_size = _register_over_two_days(app, new_issuer)
    log_in(client, "sec@example.test")
    answer = client.get(f"/issuers/{issuer_id}/snapshot.csv?tree_size={first_size}")
    assert answer.status_code == 200 and answer.headers["X-Tree-Size"] == str(first_size)
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert sorted(row["quantity"] for row in rows) == ["1000"]
    ocf = client.get(f"/issuers/{issuer_id}/snapshot.ocf")
    assert ocf.status_code == 200 and ocf.data[:2] == b"PK"
    assert client.get(f"/issuers/{issuer_id}/snapshot.exe").status_code == 404
