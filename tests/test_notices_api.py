"""The notices API: the disclosure profile, the notices list, persons with significant
control, and who may use them."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.ledger import log
from app.register import classes, holders, issuance
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    HOLDER_C,
    ORDINARY,
    bearer,
    class_request,
    holder_request,
    investor_token,
    issue,
    submit,
    transfer_request,
)

NON_VOTING = {**ORDINARY, "code": "PREF", "name": "Non-voting preference", "votes_per_share": 0}


@pytest.fixture
def company(app, new_issuer):
    """A German issuer (eu profile): a 60 ORD, b 40 ORD, c 100 non-voting PREF."""
    issuer_id = new_issuer(jurisdiction="DE", disclosure_profile="standard")["id"]
    with app.app_context():
        from app.commands import command

        with command("test", issuer_id) as ctx:
            classes.create_class(ctx, class_request())
            classes.create_class(ctx, class_request(NON_VOTING))
            a, b, c = (
                holders.register_holder(ctx, holder_request(details)).holder_id
                for details in (HOLDER_A, HOLDER_B, HOLDER_C)
            )
        issue(issuer_id, (a, 60), (b, 40))
        issue(issuer_id, (c, 100), class_code="PREF")
    return {"id": issuer_id, "a": a, "b": b, "c": c}


def _size(app, issuer_id: str) -> int:
    with app.app_context():
        return log.signed_size(db.session, issuer_id)


def _path(company: dict, rest: str) -> str:
    return f"/api/v1/issuers/{company['id']}/{rest}"


# --- the profile ---------------------------------------------------------------------------


def test_the_secretary_sets_the_profile_on_the_log(app, client, company, make_token):
    headers = bearer(make_token("secretary", company["id"]))
    shown = client.get(_path(company, "disclosure-profile"), headers=headers).get_json()
    assert shown["profile"] == "eu" and shown["stored"] == "standard"
    assert [t["percent"] for t in shown["thresholds"]] == [5, 10, 15, 20, 25, 30, 50, 75]
    response = client.post(
        _path(company, "disclosure-profile"), json={"profile": "uk"}, headers=headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["profile"] == body["stored"] == "uk"
    assert body["thresholds"][0] == {"percent": 3, "category": "substantial"}
    size = _size(app, company["id"])
    with app.app_context():
        (entry,) = log.read_entries(db.session, company["id"], size - 1, size)
    assert entry.envelope["kind"] == "issuer.amended"
    assert entry.envelope["data"]["changes"] == {"disclosure_profile": "uk"}
    assert body["last_log_index"] == size - 1


@pytest.mark.parametrize("body", [{"profile": "otc"}, {"profile": 5}, {}, {"profile": "us"}])
def test_a_bad_or_unchanged_profile_is_refused_with_nothing_written(
    app, client, company, make_token, body
):
    headers = bearer(make_token("secretary", company["id"]))
    set_us = client.post(
        _path(company, "disclosure-profile"), json={"profile": "us"}, headers=headers
    )
    assert set_us.status_code == 200
    before = _size(app, company["id"])
    response = client.post(_path(company, "disclosure-profile"), json=body, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "invalid_input"
    assert _size(app, company["id"]) == before


def test_only_the_company_sets_the_profile(app, client, company, runner, regulator_headers):
    investor = investor_token(runner, company["id"], company["a"])
    for headers in (investor, regulator_headers):
        # Refused before the body is read: a malformed body gets 403 too.
        response = client.post(
            _path(company, "disclosure-profile"), data="{not json", headers=headers
        )
        assert response.status_code == 403
    assert client.post(_path(company, "disclosure-profile"), json={}).status_code == 401


# --- notices -------------------------------------------------------------------------------


def test_the_company_and_regulators_list_notices_newest_first_by_page(
    app, client, company, make_token, regulator_headers
):
    with app.app_context():
        submit(company["id"], _lodge, transfer_request(company["a"], company["b"], 15))
    secretary = bearer(make_token("secretary", company["id"]))
    everything = client.get(_path(company, "notices"), headers=secretary).get_json()["notices"]
    indexes = [notice["log_index"] for notice in everything]
    assert indexes == sorted(indexes, reverse=True)
    # The transfer's: a 60% to 45%, b 40% to 55% (one command's notices, in holder_id order).
    latest = {notice["holder_id"]: notice for notice in everything[:2]}
    assert {holder: (n["direction"], n["thresholds"]) for holder, n in latest.items()} == {
        company["a"]: ("down", ["50"]),
        company["b"]: ("up", ["50"]),
    }
    assert latest[company["b"]]["before"] == "40.0000"
    assert latest[company["b"]]["after"] == "55.0000"
    pages, url = [], _path(company, "notices?limit=2")
    while url:
        body = client.get(url, headers=regulator_headers).get_json()
        pages.append([notice["log_index"] for notice in body["notices"]])
        url = body["next"]
    assert [index for page in pages for index in page] == indexes
    assert len(pages) == (len(indexes) + 1) // 2
    only_a = client.get(_path(company, f"notices?holder_id={company['a']}"), headers=secretary)
    assert {notice["holder_id"] for notice in only_a.get_json()["notices"]} == {company["a"]}


def _lodge(ctx, request):
    from app.register.transfers import lodge_transfer

    return lodge_transfer(ctx, request)


def test_an_investor_reads_only_its_own_notices(app, client, company, runner):
    headers = investor_token(runner, company["id"], company["b"])
    response = client.get(_path(company, "notices"), headers=headers)
    assert response.status_code == 200
    assert {n["holder_id"] for n in response.get_json()["notices"]} == {company["b"]}
    other = client.get(_path(company, f"notices?holder_id={company['a']}"), headers=headers)
    assert other.status_code == 403


def test_an_investor_of_another_issuer_cannot_list_notices(
    app, client, company, runner, new_issuer
):
    elsewhere = new_issuer()["id"]
    with app.app_context():
        submit(elsewhere, classes.create_class, class_request())
        (holder_id,) = [submit(elsewhere, holders.register_holder, holder_request()).holder_id]
    headers = investor_token(runner, elsewhere, holder_id)
    for rest in ("notices", "significant-control", "disclosure-profile"):
        # An issuer the caller may not see answers as an unknown one would.
        assert client.get(_path(company, rest), headers=headers).status_code == 404
    assert client.get(_path(company, "notices")).status_code == 401


def test_an_unknown_after_is_refused(client, company, make_token):
    headers = bearer(make_token("secretary", company["id"]))
    response = client.get(_path(company, "notices?after=999999"), headers=headers)
    assert response.status_code == 422
    assert response.get_json()["code"] == "unknown_after"


# --- persons with significant control ------------------------------------------------------


def test_significant_control_now_and_as_of_an_old_size(app, client, company, make_token):
    headers = bearer(make_token("secretary", company["id"]))
    old_size = _size(app, company["id"])
    with app.app_context():
        submit(company["id"], _lodge, transfer_request(company["a"], company["b"], 45))
    now = client.get(_path(company, "significant-control"), headers=headers).get_json()
    then = client.get(
        _path(company, f"significant-control?tree_size={old_size}"), headers=headers
    ).get_json()
    assert then["tree_size"] == old_size and now["tree_size"] == _size(app, company["id"])
    assert (then["total_shares"], then["total_votes"]) == (200, 100)

    def who(body):
        return {p["holder_id"]: (p["by_shares"], p["by_votes"]) for p in body["persons"]}

    # Then: a 60 votes (30% of shares), b 40 votes (20% of shares), c half the shares, no votes.
    assert who(then) == {
        company["a"]: (True, True),
        company["b"]: (False, True),
        company["c"]: (True, False),
    }
    # Now a has 15 (7.5% of shares, 15% of votes) and b 85.
    assert who(now) == {company["b"]: (True, True), company["c"]: (True, False)}
    person_b = next(p for p in now["persons"] if p["holder_id"] == company["b"])
    assert (person_b["name"], person_b["percent_of_votes"]) == (HOLDER_B["name"], "85.0000")
    assert person_b["percent_of_shares"] == "42.5000"


def test_significant_control_refuses_a_size_without_a_checkpoint(app, client, company, make_token):
    headers = bearer(make_token("secretary", company["id"]))
    with app.app_context():
        # One command, three entries: sizes inside it were never signed.
        submit(company["id"], issuance.issue_shares, _two_allocations(company))
    size = _size(app, company["id"])
    response = client.get(
        _path(company, f"significant-control?tree_size={size - 1}"), headers=headers
    )
    assert response.status_code == 404
    assert response.get_json()["code"] == "no_checkpoint"
    beyond = client.get(
        _path(company, f"significant-control?tree_size={size + 5}"), headers=headers
    )
    assert beyond.status_code == 400
    zero = client.get(_path(company, "significant-control?tree_size=0"), headers=headers)
    assert zero.status_code == 400


def _two_allocations(company):
    from app.register.requests import IssueShares
    from tests.support.helpers import allocation

    return IssueShares((allocation(company["a"], 1), allocation(company["b"], 1)))


def test_a_regulators_read_of_significant_control_is_in_the_access_log(
    app, client, company, regulator_headers, make_token
):
    response = client.get(_path(company, "significant-control"), headers=regulator_headers)
    assert response.status_code == 200
    with app.app_context():
        from app.register.access_reads import accesses

        logged = accesses(db.session, company["id"], None, limit=5)
    assert any("significant-control" in access.resource for access in logged)
