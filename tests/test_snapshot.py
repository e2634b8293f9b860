"""Register snapshots: content as of a signed size, the formats, parameters and permissions."""

from __future__ import annotations

import csv
import io
import json
import re
from base64 import b64decode
from collections import Counter
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.commands import command
from app.extensions import db
from app.ledger import keyring, log, notes
from app.models.access import PersonalDataAccess
from app.models.log import LogCheckpoint
from app.register import classes, holders, issuance
from app.register.snapshot import holdings, logged_entries, percent, take_snapshot
from tests.support.helpers import (
    HOLDER_B,
    STATED_PURPOSE,
    bearer,
    class_request,
    holder_request,
    issue_request,
    submit,
)
from tests.support.snapshots import ACTOR, Register, build_register, read


@pytest.fixture
def register(app, new_issuer) -> Register:
    return build_register(app, new_issuer()["id"])


def _get(client, register: Register, headers: dict, **params):
    return read(
        client.get(
            f"/api/v1/issuers/{register.issuer_id}/snapshot", query_string=params, headers=headers
        )
    )


def _holdings(document: dict) -> dict[str, list[tuple]]:
    return {
        share_class["code"]: [
            (
                h["holder_id"],
                h["name"],
                h["quantity"],
                h["percentage_of_class"],
                h["percentage_of_votes"],
            )
            for h in share_class["holdings"]
        ]
        for share_class in document["classes"]
    }


def _ada_ids(register: Register) -> list[str]:
    return sorted([register.ids["ada"], register.ids["ada2"]])


# --- content -----------------------------------------------------------------------------------


def test_json_snapshot_after_the_issue_is_exact(client, register, regulator_headers):
    url = f"/api/v1/issuers/{register.issuer_id}/snapshot?tree_size={register.issued_size}"
    response = client.get(url, headers=regulator_headers)
    assert response.is_streamed  # written as it is read, not built in memory first
    read(response)
    assert response.status_code == 200, response.get_json()
    assert response.headers["X-Tree-Size"] == str(register.issued_size)
    document = response.get_json()
    assert document["tree_size"] == register.issued_size
    assert document["holder_count"] == 6
    assert document["total_votes"] == 1_150  # 1,000 ORD x 1 + 75 PREF x 2
    ids = register.ids
    quantities = {ids["ada"]: 500, ids["ada2"]: 100}
    votes = {ids["ada"]: "43.4783", ids["ada2"]: "8.6957"}
    first_ada, second_ada = _ada_ids(register)  # same name: holder_id breaks the tie
    assert _holdings(document) == {
        "ORD": [
            (first_ada, "Ada Lovelace", quantities[first_ada],
             percent(quantities[first_ada], 1000), votes[first_ada]),
            (second_ada, "Ada Lovelace", quantities[second_ada],
             percent(quantities[second_ada], 1000), votes[second_ada]),
            (ids["brunel"], "Brunel Engineering Ltd", 300, "30.0000", "26.0870"),
            (ids["carol"], "Carol Cheng", 92, "9.2000", "8.0000"),
            # Dora has since been erased: no name any more, listed last.
            (ids["dora"], "[erased]", 8, "0.8000", "0.6957"),
        ],
        "PREF": [
            (ids["brunel"], "Brunel Engineering Ltd", 50, "66.6667", "8.6957"),
            (ids["eve"], "Eve Evans", 25, "33.3333", "4.3478"),
        ],
    }  # fmt: skip
    ordinary, preference = document["classes"]
    assert (ordinary["code"], ordinary["issued"], ordinary["holder_count"]) == ("ORD", 1000, 5)
    assert (preference["issued"], preference["votes_per_share"]) == (75, 2)
    assert preference["holder_count"] == 2


def test_an_old_size_shows_the_old_holdings_after_later_transfers(
    client, register, regulator_headers
):
    ids = register.ids
    old = _get(client, register, regulator_headers, tree_size=register.transferred_size)
    latest = _get(client, register, regulator_headers)
    old_ord = {row[0]: row[2] for row in _holdings(old.get_json())["ORD"]}
    assert old_ord == {
        ids["ada"]: 300,
        ids["ada2"]: 100,
        ids["brunel"]: 300,
        ids["carol"]: 292,
        ids["dora"]: 8,
    }
    document = latest.get_json()
    assert document["tree_size"] == register.latest_size
    assert {row[0]: row[2] for row in _holdings(document)["ORD"]} == {
        ids["ada"]: 308,
        ids["ada2"]: 100,
        ids["brunel"]: 300,
        ids["carol"]: 292,
    }
    assert document["holder_count"] == 5  # Dora is gone; Eve holds PREF only


def test_every_signed_size_matches_the_log_replayed_by_hand(app, register):
    """An independent computation: fold the log's issues and transfers up to each signed
    size and compare with the snapshot's holdings."""
    with app.app_context():
        sizes = db.session.scalars(
            select(LogCheckpoint.tree_size).where(LogCheckpoint.issuer_id == register.issuer_id)
        ).all()
        latest = take_snapshot(db.session, register.issuer_id)
        entries = list(logged_entries(db.session, latest))
        for size in sizes:
            expected = Counter()
            for entry in entries[:size]:
                data = entry.data
                if entry.kind == "shares.issued":
                    expected[data["class"], data["holder_id"]] += int(data["quantity"])
                elif entry.kind == "transfer.settled":
                    expected[data["class"], data["from_holder_id"]] -= int(data["quantity"])
                    expected[data["class"], data["to_holder_id"]] += int(data["quantity"])
            snapshot = take_snapshot(db.session, register.issuer_id, tree_size=size)
            found = {
                (row.class_code, row.holder_id): row.quantity
                for row in holdings(db.session, snapshot)
            }
            held = {key: value for key, value in expected.items() if value}
            assert found == held, size
            assert snapshot.holder_count == len({holder for _, holder in held}), size
            issued = {c.code: c.issued for c in snapshot.classes}
            for code in issued:
                assert issued[code] == sum(v for (c, _), v in expected.items() if c == code)


def test_the_checkpoint_verifies_with_the_published_key(app, client, register, regulator_headers):
    document = _get(client, register, regulator_headers, tree_size=register.transferred_size)
    document = document.get_json()
    with app.app_context():
        opened = notes.open_note(document["checkpoint"], keyring.verifiers(db.session))
        root = log.root_at(db.session, register.issuer_id, register.transferred_size)
    checkpoint = notes.parse_checkpoint(opened.text)
    assert checkpoint.size == register.transferred_size
    assert checkpoint.root == root == b64decode(document["root_hash"])
    assert checkpoint.origin.endswith(f"/issuers/{register.issuer_id}")


def test_as_of_picks_the_last_checkpoint_signed_at_or_before_it(
    app, client, register, regulator_headers
):
    with app.app_context():
        signed = db.session.execute(
            select(LogCheckpoint.tree_size, LogCheckpoint.created_at).where(
                LogCheckpoint.issuer_id == register.issuer_id
            )
        ).all()
    moment = next(at for size, at in signed if size == register.transferred_size)
    expected = max(size for size, at in signed if at <= moment)  # ties: the larger size
    response = _get(client, register, regulator_headers, as_of=moment.isoformat())
    assert response.status_code == 200
    assert response.get_json()["tree_size"] == expected >= register.transferred_size
    future = (moment + timedelta(days=365)).isoformat()
    assert _get(client, register, regulator_headers, as_of=future).get_json()["tree_size"] == (
        register.latest_size
    )
    # No offset means UTC; nothing was signed in 2000.
    early = _get(client, register, regulator_headers, as_of="2000-01-01T00:00:00")
    assert early.status_code == 404
    assert early.get_json()["code"] == "no_checkpoint"


def test_percentages_are_exact_and_round_half_up():
    with localcontext() as context:
        context.prec = 60
        for part, whole in [(1, 3), (2, 3), (1, 128), (3, 7), (10**15 + 1, 3 * 10**15), (5, 5)]:
            exact = (Decimal(part) * 100 / Decimal(whole)).quantize(
                Decimal("0.0001"), ROUND_HALF_UP
            )
            assert percent(part, whole) == str(exact)
    assert percent(1, 128) == "0.7813"  # 0.78125: half up, not half even
    assert percent(0, 0) == "0.0000"


# --- other formats ---------------------------------------------------------------------------


def test_csv_has_a_header_and_one_row_per_holding(client, register, regulator_headers):
    response = _get(
        client, register, regulator_headers, tree_size=register.issued_size, format="csv"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    document = _get(client, register, regulator_headers, tree_size=register.issued_size)
    expected = [
        (code, *holding)
        for code, holdings in _holdings(document.get_json()).items()
        for holding in holdings
    ]
    assert [
        (
            r["class_code"],
            r["holder_id"],
            r["name"],
            int(r["quantity"]),
            r["percentage_of_class"],
            r["percentage_of_votes"],
        )
        for r in rows
    ] == expected
    brunel = next(r for r in rows if r["holder_id"] == register.ids["brunel"])
    assert (brunel["address"], brunel["country"]) == (HOLDER_B["address"], "GB")


def test_html_is_a_printable_register_with_the_note(client, register, regulator_headers):
    response = _get(
        client, register, regulator_headers, tree_size=register.issued_size, format="html"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    json_note = _get(client, register, regulator_headers, tree_size=register.issued_size)
    assert json_note.get_json()["checkpoint"] in page
    for expected in (
        "Register of members",
        "Acme Widgets Ltd",
        "Ada Lovelace",
        "Carol Cheng",
        "Brunel Engineering Ltd",
        "1 Temple Meads, Bristol",
        "[erased]",
        "How to verify it",
        "43.4783",
    ):
        assert expected in page, expected
    # Its print styles are this service's own stylesheet (no inline style, no CDN).
    head = page.split("<body>")[0]
    (stylesheet,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', head)
    assert stylesheet == "http://localhost/assets/printable.css"
    assert head.replace("http-equiv", "").count("http") == 1
    assert "@media print" in client.get(stylesheet).get_data(as_text=True)
    assert "Dora Dee" not in page


def test_html_escapes_names(app, client, new_issuer, regulator_headers):
    issuer_id = new_issuer()["id"]
    with app.app_context(), command(ACTOR, issuer_id) as ctx:
        classes.create_class(ctx, class_request())
        details = {**HOLDER_B, "name": "<script>x</script> & Co"}
        holder = holders.register_holder(ctx, holder_request(details))
        issuance.issue_shares(ctx, issue_request((holder.holder_id, 1)))
    response = read(
        client.get(f"/api/v1/issuers/{issuer_id}/snapshot?format=html", headers=regulator_headers)
    )
    page = response.get_data(as_text=True)
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt; &amp; Co" in page
    document = read(client.get(f"/api/v1/issuers/{issuer_id}/snapshot", headers=regulator_headers))
    assert document.get_json()["classes"][0]["holdings"][0]["name"] == "<script>x</script> & Co"
    assert document.get_json()["holder_count"] == 1


def test_an_empty_register_has_its_classes_and_no_rows(app, client, new_issuer, regulator_headers):
    issuer_id = new_issuer()["id"]
    with app.app_context():
        submit(issuer_id, classes.create_class, class_request())
    url = f"/api/v1/issuers/{issuer_id}/snapshot"
    document = read(client.get(url, headers=regulator_headers)).get_json()
    assert document["holder_count"] == 0 and document["total_votes"] == 0
    assert [(c["code"], c["issued"], c["holdings"]) for c in document["classes"]] == [
        ("ORD", 0, [])
    ]
    text = read(client.get(url + "?format=csv", headers=regulator_headers)).get_data(as_text=True)
    assert text.splitlines() == [
        "class_code,holder_id,name,address,country,quantity,percentage_of_class,percentage_of_votes"
    ]
    # At size 1 (the issuer's registration) the class did not exist yet.
    first = read(client.get(url + "?tree_size=1", headers=regulator_headers)).get_json()
    assert first["classes"] == [] and first["tree_size"] == 1


# --- parameters and permissions --------------------------------------------------------------


def _access_count(app, issuer_id: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).where(PersonalDataAccess.issuer_id == issuer_id)
        )


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"tree_size": 3, "as_of": "2030-01-01T00:00:00Z"}, 400, "invalid_parameters"),
        ({"tree_size": 0}, 400, "invalid_parameters"),
        ({"tree_size": "many"}, 400, "invalid_parameters"),
        ({"as_of": "yesterday"}, 400, "invalid_parameters"),
        ({"format": "xml"}, 400, "invalid_parameters"),
        ({"tree_size": 10_000}, 400, "out_of_range"),
        ({"tree_size": "mid-batch"}, 404, "no_checkpoint"),
    ],
)
def test_bad_parameters_are_refused_and_read_nothing(
    app, client, register, regulator_headers, params, status, code
):
    if params.get("tree_size") == "mid-batch":
        params = {"tree_size": register.issued_size - 2}  # inside the batch of allocations
    before = _access_count(app, register.issuer_id)
    response = _get(client, register, regulator_headers, **params)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert _access_count(app, register.issuer_id) == before
    with app.app_context():
        assert log.signed_size(db.session, register.issuer_id) == register.latest_size


def test_who_may_take_a_snapshot(app, client, register, make_token, new_issuer):
    other_issuer = new_issuer()["id"]
    allowed = {
        "regulator": make_token("regulator"),
        "auditor": make_token("auditor"),
        "operator": make_token("operator"),
        "secretary": make_token("secretary", register.issuer_id),
    }
    for role, secret in allowed.items():
        stated = {**bearer(secret), **STATED_PURPOSE}
        assert _get(client, register, stated).status_code == 200, role
    stranger = bearer(make_token("secretary", other_issuer))
    refused = _get(client, register, stranger)
    assert (refused.status_code, refused.get_json()["code"]) == (404, "not_found")
    assert _get(client, register, {}).status_code == 401
    missing = client.get("/api/v1/issuers/no-such-issuer/snapshot", headers=stranger)
    assert missing.status_code == 404


def test_outsiders_reads_go_to_the_access_log(app, client, register, make_token):
    before = _access_count(app, register.issuer_id)
    _get(client, register, bearer(make_token("secretary", register.issuer_id)))
    assert _access_count(app, register.issuer_id) == before  # the issuer's own secretary
    _get(client, register, bearer(make_token("regulator")), format="csv", purpose="inspection")
    assert _access_count(app, register.issuer_id) == before + 1
    with app.app_context():
        access = db.session.scalars(
            select(PersonalDataAccess)
            .where(PersonalDataAccess.issuer_id == register.issuer_id)
            .order_by(PersonalDataAccess.accessed_at.desc())
        ).first()
    assert (access.role, access.holder_id) == ("regulator", None)
    assert "snapshot" in access.resource and "format=csv" in access.resource
    assert access.purpose == "inspection"


def test_the_openapi_document_describes_every_format(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/issuers/{issuer_id}/snapshot"]["get"]
    assert set(operation["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
        "text/html",
        "application/zip",
    }
    assert {p["name"] for p in operation["parameters"] if p["in"] == "query"} == {
        "tree_size",
        "as_of",
        "format",
        "purpose",
    }
    json.dumps(spec)  # serialisable


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE personal_data_access SET role = 'operator' WHERE issuer_id = :i",
        "DELETE FROM personal_data_access WHERE issuer_id = :i",
    ],
)
def test_the_access_log_is_append_only(app, client, register, make_token, statement):
    """Its rows are evidence of who read personal data: nobody rewrites or removes them."""
    _get(client, register, {**bearer(make_token("regulator")), **STATED_PURPOSE})
    before = _access_count(app, register.issuer_id)
    assert before >= 1
    with app.app_context(), pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text(statement), {"i": register.issuer_id})
    assert _access_count(app, register.issuer_id) == before
