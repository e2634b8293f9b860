"""Pre-emption over the API: the class setting, the offer, take-up and waiver by investors'
tokens or the secretary on their behalf, permissions before bodies, codes, OpenAPI."""

from __future__ import annotations

import pytest

from tests.support.helpers import (
    HOLDER_A,
    add_holders,
    bearer,
    investor_token,
    seed_offerees,
)


@pytest.fixture
def desk(app, client, new_issuer, make_token):
    """A holds 100 ORD, B 50, C 30, E 20; N holds none; the class has pre-emption on."""
    issuer_id = new_issuer()["id"]
    a, b, c, e, n = seed_offerees(app, issuer_id)
    headers = bearer(make_token("secretary", issuer_id))
    settings = f"/api/v1/issuers/{issuer_id}/classes/ORD/transfer-settings"
    body = {"approval_required": True, "acceptance_days": 14, "pre_emption": True}
    changed = client.put(settings, json={**body, "pre_emption_days": 21}, headers=headers)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["pre_emption_days"] == 21
    return {"id": issuer_id, "a": a, "b": b, "c": c, "e": e, "n": n, "headers": headers}


def _sold(client, desk, quantity: int = 30) -> tuple[str, str]:
    prefix = f"/api/v1/issuers/{desk['id']}/instructions"
    body = {
        "class": "ORD",
        "from_holder_id": desk["a"],
        "to_holder_id": desk["n"],
        "quantity": quantity,
        "risk_acknowledged": True,
    }
    tid = client.post(prefix, json=body, headers=desk["headers"]).get_json()["instruction_id"]
    accepted = client.post(f"{prefix}/{tid}/accept", headers=desk["headers"])
    assert accepted.status_code == 200, accepted.get_json()
    return prefix, tid


def test_settings_without_the_new_fields_mean_no_pre_emption(client, desk):
    settings = f"/api/v1/issuers/{desk['id']}/classes/ORD/transfer-settings"
    old_client = {"approval_required": True, "acceptance_days": 14}
    changed = client.put(settings, json=old_client, headers=desk["headers"]).get_json()
    assert changed["pre_emption"] is False
    for bad in ({"pre_emption_days": "5"}, {"pre_emption_days": 0}, {"pre_emption": "maybe"}):
        response = client.put(settings, json={**old_client, **bad}, headers=desk["headers"])
        assert response.status_code == 422, bad
    assert client.get(settings, headers=desk["headers"]).get_json()["pre_emption"] is False


def test_offerees_answer_with_their_tokens_or_through_the_secretary(client, runner, desk):
    prefix, tid = _sold(client, desk)
    offers = f"{prefix}/{tid}/offers"
    brunel, emmy, newcomer = (investor_token(runner, desk["id"], desk[key]) for key in "ben")
    offer = client.get(offers, headers=newcomer).get_json()
    assert offer["state"] == "open" and offer["quantity"] == 30
    assert {row["holder_id"]: row["entitlement"] for row in offer["offerees"]} == {
        desk["b"]: 15,
        desk["c"]: 9,
        desk["e"]: 6,
    }
    assert offer["rule"].startswith("largest_remainder")
    blocked = client.post(f"{prefix}/{tid}/approve", headers=desk["headers"])
    assert (blocked.status_code, blocked.get_json()["code"]) == (409, "pre_emption_pending")
    too_many = client.post(f"{offers}/{desk['b']}/take", json={"quantity": 16}, headers=brunel)
    assert (too_many.status_code, too_many.get_json()["code"]) == (409, "exceeds_entitlement")
    for bad in ("5", 5.0, True, 0, None):
        response = client.post(f"{offers}/{desk['b']}/take", json={"quantity": bad}, headers=brunel)
        assert response.status_code == 422, bad
    # Someone else's offer: refused before the body is read.
    theirs = client.post(f"{offers}/{desk['c']}/take", json={"x": 1}, headers=brunel)
    assert theirs.status_code == 403
    taken = client.post(f"{offers}/{desk['b']}/take", json={"quantity": 10}, headers=brunel)
    assert taken.status_code == 200, taken.get_json()
    on_behalf = client.post(
        f"{offers}/{desk['c']}/take", json={"quantity": 9}, headers=desk["headers"]
    )
    assert on_behalf.status_code == 200, on_behalf.get_json()
    closed = client.post(f"{offers}/{desk['e']}/waive", headers=emmy).get_json()
    assert closed["state"] == "closed" and closed["taken_up"] == 19
    again = client.post(f"{offers}/{desk['e']}/waive", headers=emmy)
    assert (again.status_code, again.get_json()["code"]) == (409, "offer_closed")
    nobody = client.post(f"{offers}/{desk['a']}/waive", headers=desk["headers"])
    assert nobody.status_code == 409
    rest = client.get(f"{prefix}/{tid}", headers=desk["headers"]).get_json()
    assert (rest["state"], rest["quantity"], rest["reserved"]) == ("accepted", 11, 11)
    for action in ("approve", "settle"):
        assert client.post(f"{prefix}/{tid}/{action}", headers=desk["headers"]).status_code == 200
    holdings = client.get(f"/api/v1/issuers/{desk['id']}/holdings", headers=desk["headers"])
    held = {row["holder_id"]: row["held"] for row in holdings.get_json()["holdings"]}
    assert [held[desk[key]] for key in "abcen"] == [70, 60, 39, 20, 11]


def test_only_parties_see_an_offer_and_an_instruction_without_one_has_none(
    client, runner, desk, app
):
    prefix, tid = _sold(client, desk)
    with app.app_context():
        (outsider,) = add_holders(desk["id"], {**HOLDER_A, "name": "Outsider", "identifier": "X"})
    token = investor_token(runner, desk["id"], outsider)
    assert client.get(f"{prefix}/{tid}/offers", headers=token).status_code == 403
    waived = client.post(f"{prefix}/{tid}/offers/{outsider}/waive", headers=desk["headers"])
    assert (waived.status_code, waived.get_json()["code"]) == (409, "not_an_offeree")
    member = client.post(
        prefix,
        json={
            "class": "ORD",
            "from_holder_id": desk["a"],
            "to_holder_id": desk["b"],
            "quantity": 1,
            "risk_acknowledged": True,
        },
        headers=desk["headers"],
    ).get_json()["instruction_id"]
    client.post(f"{prefix}/{member}/accept", headers=desk["headers"])
    missing = client.get(f"{prefix}/{member}/offers", headers=desk["headers"])
    assert (missing.status_code, missing.get_json()["code"]) == (404, "not_found")


def test_the_openapi_document_describes_the_offers(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    base = "/api/v1/issuers/{issuer_id}/instructions/{instruction_id}/offers"
    assert "get" in paths[base]
    for action in ("take", "waive"):
        assert "post" in paths[f"{base}/{{holder_id}}/{action}"]
