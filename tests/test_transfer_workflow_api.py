"""The transfer workflow over the API: paths, codes, permissions before bodies, OpenAPI."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.transfers.deadlines import add_months
from tests.support.helpers import b64d, bearer, instruction_body, investor_token, seed_register


@pytest.fixture
def desk(app, client, new_issuer, make_token):
    """An issuer with A holding 100 ORD and B none, and its secretary's headers."""
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    headers = bearer(make_token("secretary", issuer_id))
    return issuer_id, a, b, headers


def _holding(client, issuer_id, holder_id, headers) -> dict:
    response = client.get(
        f"/api/v1/issuers/{issuer_id}/holdings?holder_id={holder_id}", headers=headers
    )
    return response.get_json()["holdings"][0]


def test_the_whole_path_over_the_api(client, desk):
    issuer_id, a, b, headers = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    body = instruction_body(a, b, consideration="2.50", currency="GBP")
    created = client.post(prefix, json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    instruction = created.get_json()
    tid = instruction["instruction_id"]
    assert (instruction["state"], instruction["reserved"]) == ("instructed", 30)
    assert (instruction["consideration"], instruction["currency"]) == ("2.50", "GBP")
    assert _holding(client, issuer_id, a, headers)["available"] == 70
    for action in ("accept", "approve", "settle"):
        response = client.post(f"{prefix}/{tid}/{action}", headers=headers)
        assert response.status_code == 200, (action, response.get_json())
    detail = client.get(f"{prefix}/{tid}", headers=headers).get_json()
    assert detail["state"] == "settled" and detail["reserved"] == 0
    assert [step["state"] for step in detail["transitions"]] == [
        "instructed",
        "accepted",
        "approved",
        "settled",
    ]
    end = detail["last_log_index"] + 1
    log = client.get(f"/api/v1/issuers/{issuer_id}/log/entries?start=0&end={end}", headers=headers)
    kinds = {
        row["index"]: json.loads(b64d(row["leaf"]))["kind"] for row in log.get_json()["entries"]
    }
    for step in detail["transitions"]:
        assert kinds[step["log_index"]] == f"transfer.{step['state']}"
    assert _holding(client, issuer_id, b, headers)["held"] == 30


def test_illegal_steps_get_409_with_a_code_and_write_nothing(client, desk):
    issuer_id, a, b, headers = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    tid = client.post(prefix, json=instruction_body(a, b), headers=headers).get_json()[
        "instruction_id"
    ]
    response = client.post(f"{prefix}/{tid}/approve", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (409, "wrong_state")
    assert client.post(f"{prefix}/{tid}/cancel", headers=headers).status_code == 200
    response = client.post(f"{prefix}/{tid}/accept", headers=headers)
    assert (response.status_code, response.get_json()["code"]) == (409, "not_pending")
    second = client.post(prefix, json=instruction_body(a, b, quantity=101), headers=headers)
    assert (second.status_code, second.get_json()["code"]) == (409, "insufficient_available")
    history = client.get(f"{prefix}/{tid}", headers=headers).get_json()["transitions"]
    assert [step["state"] for step in history] == ["instructed", "cancelled"]
    unknown = client.post(f"{prefix}/no-such-instruction/accept", headers=headers)
    assert (unknown.status_code, unknown.get_json()["code"]) == (404, "not_found")


def test_bad_bodies_get_422(client, desk):
    issuer_id, a, b, headers = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    unacknowledged = client.post(
        prefix, json=instruction_body(a, b, risk_acknowledged=False), headers=headers
    )
    assert unacknowledged.status_code == 422
    assert unacknowledged.get_json()["code"] == "risk_not_acknowledged"
    for bad in (
        instruction_body(a, b, quantity=1.5),
        instruction_body(a, b, consideration="3"),
        instruction_body(a, a),
    ):
        response = client.post(prefix, json=bad, headers=headers)
        assert response.status_code == 422, (bad, response.get_json())
    tid = client.post(prefix, json=instruction_body(a, b), headers=headers).get_json()[
        "instruction_id"
    ]
    response = client.post(f"{prefix}/{tid}/reject", json={"reasons": []}, headers=headers)
    assert response.status_code == 422
    reasons = [{"code": "kyc_required", "text": "transferee not verified"}]
    response = client.post(f"{prefix}/{tid}/reject", json={"reasons": reasons}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["transitions"][-1]["reasons"] == reasons
    assert _holding(client, issuer_id, a, headers)["available"] == 100


def test_permission_is_checked_before_the_body(client, desk, make_token, new_issuer):
    issuer_id, a, b, _ = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    assert client.post(prefix, json={"nonsense": 1}).status_code == 401
    stranger = bearer(make_token("secretary", new_issuer()["id"]))
    # Another issuer's secretary may not see this one: it answers as an unknown issuer.
    assert client.post(prefix, json={"nonsense": 1}, headers=stranger).status_code == 404
    regulator = bearer(make_token("regulator"))
    assert client.post(prefix, json=instruction_body(a, b), headers=regulator).status_code == 403
    assert client.get(prefix, headers=regulator).status_code == 200
    response = client.post("/api/v1/issuers/unknown/instructions", json={}, headers=stranger)
    assert response.status_code == 404


def test_the_list_filters_and_pages_in_order_of_receipt(client, desk):
    issuer_id, a, b, headers = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    ids = [
        client.post(prefix, json=instruction_body(a, b, quantity=10), headers=headers).get_json()[
            "instruction_id"
        ]
        for _ in range(3)
    ]
    client.post(f"{prefix}/{ids[1]}/decline", headers=headers)
    first = client.get(f"{prefix}?limit=2", headers=headers).get_json()
    assert [row["instruction_id"] for row in first["instructions"]] == ids[:2]
    rest = client.get(f"{prefix}?limit=2&after={first['next_after']}", headers=headers).get_json()
    assert [row["instruction_id"] for row in rest["instructions"]] == ids[2:]
    assert rest["next_after"] is None
    pending = client.get(f"{prefix}?state=instructed&holder_id={b}", headers=headers).get_json()
    assert [row["instruction_id"] for row in pending["instructions"]] == [ids[0], ids[2]]
    assert client.get(f"{prefix}?state=lost", headers=headers).status_code == 422


def test_class_settings_turn_approval_off(client, desk):
    issuer_id, a, b, headers = desk
    settings = f"/api/v1/issuers/{issuer_id}/classes/ORD/transfer-settings"
    assert client.get(settings, headers=headers).get_json() == {
        "class": "ORD",
        "approval_required": True,
        "acceptance_days": 14,
        "pre_emption": False,
        "pre_emption_days": 30,
    }
    changed = client.put(
        settings, json={"approval_required": False, "acceptance_days": 7}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    assert (
        client.put(
            settings, json={"approval_required": False, "acceptance_days": 0}, headers=headers
        ).status_code
        == 422
    )
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    tid = client.post(prefix, json=instruction_body(a, b), headers=headers).get_json()[
        "instruction_id"
    ]
    client.post(f"{prefix}/{tid}/accept", headers=headers)
    settled = client.post(f"{prefix}/{tid}/settle", headers=headers)
    assert settled.get_json()["state"] == "settled"


def test_the_openapi_document_describes_the_workflow(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    base = "/api/v1/issuers/{issuer_id}/instructions"
    assert {"get", "post"} <= paths[base].keys()
    for action in ("accept", "decline", "approve", "reject", "cancel", "settle"):
        assert "post" in paths[f"{base}/{{instruction_id}}/{action}"]


# --- investors' own tokens -----------------------------------------------------------------


def test_investors_instruct_their_own_shares_and_answer_as_transferee(app, client, runner, desk):
    issuer_id, a, b, headers = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    ada, brunel = investor_token(runner, issuer_id, a), investor_token(runner, issuer_id, b)
    created = client.post(prefix, json=instruction_body(a, b), headers=ada)
    assert created.status_code == 201, created.get_json()
    tid = created.get_json()["instruction_id"]
    theirs = client.post(prefix, json=instruction_body(b, a, quantity=1), headers=ada)
    assert (theirs.status_code, theirs.get_json()["code"]) == (409, "not_your_instruction")
    wrong_side = client.post(f"{prefix}/{tid}/accept", headers=ada)
    assert (wrong_side.status_code, wrong_side.get_json()["code"]) == (409, "not_your_instruction")
    assert client.post(f"{prefix}/{tid}/accept", headers=brunel).status_code == 200
    for action in ("approve", "settle", "reject"):
        response = client.post(f"{prefix}/{tid}/{action}", json={"x": 1}, headers=brunel)
        assert response.status_code == 403, action
    settings = f"/api/v1/issuers/{issuer_id}/classes/ORD/transfer-settings"
    assert client.put(settings, json={}, headers=ada).status_code == 403
    assert client.post(f"{prefix}/{tid}/cancel", headers=brunel).status_code == 409
    assert client.post(f"{prefix}/{tid}/approve", headers=headers).status_code == 200
    assert client.post(f"{prefix}/{tid}/cancel", headers=ada).get_json()["state"] == "cancelled"


def test_investors_see_only_the_instructions_they_are_party_to(app, client, runner, desk):
    issuer_id, a, b, headers = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    from tests.support.helpers import HOLDER_C, add_holders

    with app.app_context():
        (c,) = add_holders(issuer_id, HOLDER_C)
    tid = client.post(prefix, json=instruction_body(a, b), headers=headers).get_json()[
        "instruction_id"
    ]
    charles = investor_token(runner, issuer_id, c)
    assert client.get(f"{prefix}/{tid}", headers=charles).status_code == 403
    assert client.get(prefix, headers=charles).get_json()["instructions"] == []
    brunel = investor_token(runner, issuer_id, b)
    assert client.get(f"{prefix}/{tid}", headers=brunel).status_code == 200
    listed = client.get(f"{prefix}?holder_id={c}", headers=brunel).get_json()["instructions"]
    assert [row["instruction_id"] for row in listed] == [tid]
    nobody = investor_token(runner, issuer_id, None)
    assert client.get(prefix, headers=nobody).status_code == 403
    assert client.post(prefix, json=instruction_body(a, b), headers=nobody).status_code == 403


def test_only_an_investor_token_acts_for_a_holder(runner, desk):
    issuer_id, a, _, _ = desk
    args = ["tokens", "create", "--role", "secretary", "--label", "x", "--issuer", issuer_id]
    result = runner.invoke(args=[*args, "--holder", a])
    assert result.exit_code != 0
    assert "only an investor token acts for a holder" in result.output


def test_the_overdue_list_shows_what_is_past_a_deadline(app, client, desk):
    issuer_id, a, b, headers = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    lodged = datetime.now(UTC)
    app.config["LEDGER_CLOCK"] = lambda: lodged
    late, on_time = (
        client.post(prefix, json=instruction_body(a, b, quantity=10), headers=headers).get_json()
        for _ in range(2)
    )
    client.post(f"{prefix}/{on_time['instruction_id']}/accept", headers=headers)

    def overdue_at(moment: datetime) -> list[str]:
        app.config["LEDGER_CLOCK"] = lambda: moment
        listed = client.get(f"{prefix}?overdue=true", headers=headers).get_json()
        return [row["instruction_id"] for row in listed["instructions"]]

    assert overdue_at(lodged + timedelta(days=14)) == []
    assert overdue_at(lodged + timedelta(days=15)) == [late["instruction_id"]]
    everything = [late["instruction_id"], on_time["instruction_id"]]
    decision_due = add_months(lodged, 2)
    assert overdue_at(decision_due) == [late["instruction_id"]]
    assert overdue_at(decision_due + timedelta(microseconds=1)) == everything


def test_an_investor_retrying_with_one_idempotency_key_instructs_once(app, client, runner, desk):
    issuer_id, a, b, headers = desk
    prefix = f"/api/v1/issuers/{issuer_id}/instructions"
    ada = {**investor_token(runner, issuer_id, a), "Idempotency-Key": "ada-sells-30"}
    answers = [client.post(prefix, json=instruction_body(a, b), headers=ada) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert len({answer.get_json()["instruction_id"] for answer in answers}) == 1
    assert [answer.headers.get("Idempotency-Replayed") for answer in answers] == [
        None,
        "true",
        "true",
    ]
    listed = client.get(prefix, headers=headers).get_json()["instructions"]
    assert len(listed) == 1
    assert _holding(client, issuer_id, a, headers)["reserved"] == 30
