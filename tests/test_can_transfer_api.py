"""Transfer rules over the API and in the browser: GET/PUT class rules, KYC, the
`can-transfer` dry run, 409 with every reason at instruction and on lodged transfers,
permissions before bodies, bad bodies, and the OpenAPI document."""

from __future__ import annotations

import re

import pytest

from tests.support.actions import last_entry
from tests.support.helpers import bearer, instruction_body, investor_token, seed_register
from tests.support.logins import log_in, make_login


@pytest.fixture
def desk(app, new_issuer, make_token):
    """A holds 100 ORD, B none; the secretary's headers."""
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    return issuer_id, a, b, bearer(make_token("secretary", issuer_id))


def _put_rules(client, issuer_id, headers, **rules):
    return client.put(f"/api/v1/issuers/{issuer_id}/classes/ORD/rules", json=rules, headers=headers)


def _can(client, issuer_id, headers, body):
    return client.post(f"/api/v1/issuers/{issuer_id}/can-transfer", json=body, headers=headers)


def test_rules_are_put_and_read_with_their_history(client, desk):
    issuer_id, _a, _b, headers = desk
    path = f"/api/v1/issuers/{issuer_id}/classes/ORD/rules"
    empty = client.get(path, headers=headers).get_json()
    assert (empty["version"], empty["history"], empty["rules"]["trading_halted"]) == (0, [], False)
    first = _put_rules(client, issuer_id, headers, minimum_lot=10, lockup_until="2030-01-01")
    assert first.status_code == 200, first.get_json()
    assert (first.get_json()["version"], first.get_json()["breaches"]) == (1, [])
    second = _put_rules(client, issuer_id, headers, max_vote_percentage="12.5")
    assert second.get_json()["version"] == 2
    read = client.get(path, headers=headers).get_json()
    assert read["rules"]["max_vote_percentage"] == "12.5"
    assert read["rules"]["minimum_lot"] is None  # a version replaces the whole set
    assert [(v["version"], v["rules"]["minimum_lot"]) for v in read["history"]] == [
        (1, 10),
        (2, None),
    ]
    assert read["history"][0]["rules"]["lockup_until"] == "2030-01-01"
    assert read["history"][1]["log_index"] == second.get_json()["log_index"]


def test_a_rule_change_reports_the_holders_in_breach(client, desk):
    issuer_id, a, _b, headers = desk
    response = _put_rules(client, issuer_id, headers, kyc_required=True, blocked_countries=["GB"])
    assert response.status_code == 200
    breaches = {(row["holder_id"], row["rule"]) for row in response.get_json()["breaches"]}
    assert breaches == {(a, "kyc_required"), (a, "blocked_countries")}


def test_can_transfer_lists_every_failing_rule_and_instruct_refuses_with_the_same(
    app, client, desk
):
    issuer_id, a, b, headers = desk
    allowed = _can(client, issuer_id, headers, instruction_body(a, b))
    assert allowed.status_code == 200 and allowed.get_json() == {"allowed": True, "reasons": []}
    _put_rules(client, issuer_id, headers, trading_halted=True, minimum_lot=50, kyc_required=True)
    before = last_entry(app, issuer_id)
    verdict = _can(client, issuer_id, headers, instruction_body(a, b, 200)).get_json()
    assert verdict["allowed"] is False
    assert [(r["code"], r["erc1066"], r["rule_version"]) for r in verdict["reasons"]] == [
        ("insufficient_available", "0x52", 1),
        ("trading_halted", "0x54", 1),
        ("kyc_required", "0x57", 1),
    ]
    verdict = _can(client, issuer_id, headers, instruction_body(a, b, 20)).get_json()
    assert [r["rule"] for r in verdict["reasons"]] == [
        "trading_halted",
        "kyc_required",
        "minimum_lot",
    ]
    assert last_entry(app, issuer_id) == before  # a dry run records nothing
    refused = client.post(
        f"/api/v1/issuers/{issuer_id}/instructions",
        json=instruction_body(a, b, 20),
        headers=headers,
    )
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "trading_halted"
    assert refused.get_json()["reasons"] == verdict["reasons"]
    assert last_entry(app, issuer_id) == before


def test_lodged_transfers_get_409_with_reasons_and_forced_ones_pass(client, desk):
    issuer_id, a, b, headers = desk
    _put_rules(client, issuer_id, headers, trading_halted=True)
    lodged = client.post(
        f"/api/v1/issuers/{issuer_id}/transfers",
        json={
            "class": "ORD",
            "from_holder_id": a,
            "to_holder_id": b,
            "quantity": 30,
            "instrument_reference": "form 1",
        },
        headers=headers,
    )
    assert lodged.status_code == 409, lodged.get_json()
    assert [r["code"] for r in lodged.get_json()["reasons"]] == ["trading_halted"]
    forced = client.post(
        f"/api/v1/issuers/{issuer_id}/forced-transfers",
        json={
            "class": "ORD",
            "from_holder_id": a,
            "to_holder_id": b,
            "quantity": 30,
            "legal_reference": "court order 7",
        },
        headers=headers,
    )
    assert forced.status_code in (200, 201), forced.get_json()


def test_kyc_is_set_over_the_api_and_logged(app, client, desk):
    issuer_id, a, b, headers = desk
    _put_rules(client, issuer_id, headers, kyc_required=True)
    path = f"/api/v1/issuers/{issuer_id}/holders/{b}/kyc"
    response = client.put(path, json={"verified": True}, headers=headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["kyc_verified"] is True
    assert last_entry(app, issuer_id)["kind"] == "holder.kyc_changed"
    assert _can(client, issuer_id, headers, instruction_body(a, b)).get_json()["allowed"] is True
    again = client.put(path, json={"verified": True}, headers=headers)
    assert (again.status_code, again.get_json()["code"]) == (422, "invalid_input")
    assert client.put(path, json={"verified": "maybe"}, headers=headers).status_code == 422


@pytest.mark.parametrize(
    "rules",
    [
        {"allowed_countries": ["XX"]},
        {"blocked_countries": ["gb"]},
        {"allowed_countries": ["GB"], "blocked_countries": ["GB"]},
        {"max_vote_percentage": "101"},
        {"max_holders": 0},
        {"minimum_lot": 1.5},
        {"lockup_until": "soon"},
        {"trading_halted": "perhaps"},
        {"max_holder": 3},
    ],
)
def test_bad_rules_get_422_and_write_nothing(app, client, desk, rules):
    issuer_id, _a, _b, headers = desk
    before = last_entry(app, issuer_id)
    response = _put_rules(client, issuer_id, headers, **rules)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["code"] == "invalid_input"
    assert last_entry(app, issuer_id) == before


def test_bad_can_transfer_bodies_get_422(client, desk):
    issuer_id, a, b, headers = desk
    for body in (
        {**instruction_body(a, b), "quantity": 0},
        {**instruction_body(a, b), "class": None},
        {},
    ):
        assert _can(client, issuer_id, headers, body).status_code == 422
    assert _can(client, issuer_id, headers, instruction_body(a, a)).status_code == 422


def test_permission_comes_before_the_body(client, runner, desk, make_token, new_issuer):
    issuer_id, a, b, _headers = desk
    ada = investor_token(runner, issuer_id, a)
    rules = f"/api/v1/issuers/{issuer_id}/classes/ORD/rules"
    assert client.get(rules, headers=ada).status_code == 200  # members read the rules
    assert client.put(rules, json={"max_holders": 0}, headers=ada).status_code == 403
    kyc = f"/api/v1/issuers/{issuer_id}/holders/{b}/kyc"
    assert client.put(kyc, json={}, headers=ada).status_code == 403
    assert client.put(rules, json={"max_holders": 0}).status_code == 401
    stranger = bearer(make_token("secretary", new_issuer()["id"]))
    # Another issuer's secretary may not see this issuer: 404, as for an unknown one.
    assert client.put(rules, json={"max_holders": 0}, headers=stranger).status_code == 404
    assert _can(client, issuer_id, stranger, {}).status_code == 404
    regulator = bearer(make_token("regulator"))
    assert client.get(rules, headers=regulator).status_code == 200
    assert _can(client, issuer_id, regulator, {}).status_code == 403


def test_an_investor_asks_about_its_own_shares_only(client, runner, desk):
    issuer_id, a, b, _headers = desk
    ada, brunel = investor_token(runner, issuer_id, a), investor_token(runner, issuer_id, b)
    assert _can(client, issuer_id, ada, instruction_body(a, b)).get_json()["allowed"] is True
    other = _can(client, issuer_id, brunel, instruction_body(a, b))
    assert (other.status_code, other.get_json()["code"]) == (409, "not_your_instruction")


def test_shares_issued_over_the_api_with_a_lock_up(app, client, desk):
    issuer_id, a, b, headers = desk
    allocation = {"class": "ORD", "holder_id": a, "quantity": 50, "locked_until": "2099-01-01"}
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/issuances",
        json={"allocations": [allocation]},
        headers=headers,
    )
    assert response.status_code in (200, 201), response.get_json()
    assert last_entry(app, issuer_id)["data"]["locked_until"] == "2099-01-01"
    verdict = _can(client, issuer_id, headers, instruction_body(a, b, 101)).get_json()
    assert [(r["code"], r["rule"]) for r in verdict["reasons"]] == [
        ("locked_up", "issuance_lockup")
    ]


def test_the_openapi_document_has_the_new_operations(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    prefix = "/api/v1/issuers/{issuer_id}"
    assert set(paths[f"{prefix}/classes/{{class_code}}/rules"]) >= {"get", "put"}
    assert "post" in paths[f"{prefix}/can-transfer"]
    assert "put" in paths[f"{prefix}/holders/{{holder_id}}/kyc"]


# --- in the browser ------------------------------------------------------------------------


def _log_in_investor(app, client, issuer_id: str, holder_id: str) -> None:
    make_login(app, "inv@example.test", "investor", issuer_id, holder_id)
    log_in(client, "inv@example.test")


def test_the_browser_asks_for_the_logged_in_investor(app, client, desk):
    issuer_id, a, b, headers = desk
    _put_rules(client, issuer_id, headers, minimum_lot=50)
    _log_in_investor(app, client, issuer_id, a)
    body = {"class": "ORD", "to_holder_id": b, "quantity": 20}
    response = client.post("/me/can-transfer", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)
    api = _can(client, issuer_id, headers, instruction_body(a, b, 20)).get_json()
    assert response.get_json() == api and api["allowed"] is False
    someone_else = client.post("/me/can-transfer", json={**body, "from_holder_id": b})
    assert (someone_else.status_code, someone_else.get_json()["code"]) == (
        409,
        "not_your_instruction",
    )
    bad = client.post("/me/can-transfer", json={**body, "quantity": -1})
    assert (bad.status_code, bad.get_json()["code"]) == (422, "invalid_input")
    assert client.post("/me/can-transfer", data="quantity=1").status_code == 400


def test_the_browser_route_needs_the_csrf_token_header(app, client, desk):
    issuer_id, a, b, _headers = desk
    _log_in_investor(app, client, issuer_id, a)
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/me/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    body = {"class": "ORD", "to_holder_id": b, "quantity": 20}
    assert client.post("/me/can-transfer", json=body).status_code == 400
    response = client.post("/me/can-transfer", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json()["allowed"] is True


def test_only_a_logged_in_investor_may_ask(client):
    response = client.post("/me/can-transfer", json={})
    assert response.status_code in (302, 401)


def test_can_transfer_to_a_new_transferee_is_refused_in_words(client, desk):
    """A transferee who is not a member yet is registered (and checked) with the instruction
    itself; the dry run says so rather than failing on a holder it cannot find."""
    issuer_id, a, _, headers = desk
    body = {**instruction_body(a, "x"), "to_holder_id": None}
    body.pop("to_holder_id")
    body["new_transferee"] = {
        "name": "Nell Newcomer",
        "address": "1 High Street, York YO1",
        "identifier": "NEW-1",
        "country": "GB",
        "holder_type": "person",
    }
    answer = _can(client, issuer_id, headers, body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["code"] == "invalid_input"
    assert "new transferee" in answer.get_json()["message"]
