"""Registering and amending issuers through the API."""

from __future__ import annotations

import base64
import json

from tests.support.helpers import bearer, issuer_fields

VALID_LEI = "5493001KJTIIGC8Y1R12"  # Bloomberg's LEI, whose check digits are right


def _log_entries(client, issuer_id, headers):
    response = client.get(f"/api/v1/issuers/{issuer_id}/log/checkpoint", headers=headers)
    size = int(response.get_data(as_text=True).splitlines()[1])
    entries = client.get(
        f"/api/v1/issuers/{issuer_id}/log/entries?start=0&end={size}", headers=headers
    ).get_json()["entries"]
    return [json.loads(base64.b64decode(entry["leaf"])) for entry in entries]


def test_registering_an_issuer_opens_its_log(client, operator_headers):
    fields = issuer_fields(legal_name="  Cafe\u0301 Holdings plc ", lei=VALID_LEI)
    response = client.post("/api/v1/issuers", json=fields, headers=operator_headers)
    assert response.status_code == 201
    issuer = response.get_json()
    assert issuer["legal_name"] == "Café Holdings plc"  # trimmed and NFC-normalised
    assert issuer["disclosure_profile"] == fields["disclosure_profile"]
    (entry,) = _log_entries(client, issuer["id"], operator_headers)
    assert entry["kind"] == "issuer.registered"
    assert entry["index"] == 0
    assert entry["actor"].startswith("token:")
    assert entry["data"]["legal_name"] == "Café Holdings plc"
    assert entry["data"]["lei"] == VALID_LEI


def test_amending_logs_only_what_changed(client, operator_headers, new_issuer, make_token):
    issuer = new_issuer()
    secretary = bearer(make_token("secretary", issuer["id"]))
    response = client.patch(
        f"/api/v1/issuers/{issuer['id']}",
        json={"disclosure_profile": "otc", "jurisdiction": issuer["jurisdiction"]},
        headers=secretary,
    )
    assert response.status_code == 200
    assert response.get_json()["disclosure_profile"] == "otc"
    assert response.get_json()["last_log_index"] == 1
    entries = _log_entries(client, issuer["id"], operator_headers)
    assert entries[1]["kind"] == "issuer.amended"
    assert entries[1]["data"]["changes"] == {"disclosure_profile": "otc"}


def test_invalid_input_gets_422_with_field_messages_and_changes_nothing(client, operator_headers):
    before = client.get("/api/v1/issuers", headers=operator_headers).get_json()["issuers"]
    for bad, field in [
        (issuer_fields(jurisdiction="Britain"), "jurisdiction"),
        (issuer_fields(legal_name=""), "legal_name"),
        (issuer_fields(legal_name="Bad\u0007Name"), "legal_name"),
        (issuer_fields(lei="SHORT"), "lei"),
        (issuer_fields(disclosure_profile="secret"), "disclosure_profile"),
        ({"legal_name": "No Number Ltd", "jurisdiction": "GB"}, "registration_number"),
    ]:
        response = client.post("/api/v1/issuers", json=bad, headers=operator_headers)
        assert response.status_code == 422, bad
        body = response.get_json()
        assert body["code"] == "invalid_input"
        assert field in body["errors"], body
    wrong_check_digits = issuer_fields(lei=VALID_LEI[:-2] + "13")
    response = client.post("/api/v1/issuers", json=wrong_check_digits, headers=operator_headers)
    assert response.status_code == 422
    assert response.get_json() == {
        "code": "invalid_input",
        "message": "the LEI's check digits are wrong (ISO 17442)",
        "errors": {"lei": ["the LEI's check digits are wrong (ISO 17442)"]},
    }
    after = client.get("/api/v1/issuers", headers=operator_headers).get_json()["issuers"]
    assert after == before


def test_duplicate_registration_is_409(client, operator_headers, new_issuer):
    issuer = new_issuer(registration_number="DUP-1")
    response = client.post(
        "/api/v1/issuers",
        json=issuer_fields(registration_number="DUP-1", jurisdiction=issuer["jurisdiction"]),
        headers=operator_headers,
    )
    assert response.status_code == 409
    assert response.get_json()["code"] == "duplicate"


def test_an_empty_or_no_op_amendment_is_refused(client, operator_headers, new_issuer):
    issuer = new_issuer()
    path = f"/api/v1/issuers/{issuer['id']}"
    assert client.patch(path, json={}, headers=operator_headers).status_code == 422
    same = client.patch(path, json={"legal_name": issuer["legal_name"]}, headers=operator_headers)
    assert same.status_code == 422
    assert "changes nothing" in same.get_json()["message"]


def test_only_operators_register_and_only_own_secretaries_amend(client, new_issuer, make_token):
    issuer, other = new_issuer(), new_issuer()
    for role in ("regulator", "auditor"):
        response = client.post(
            "/api/v1/issuers", json=issuer_fields(), headers=bearer(make_token(role))
        )
        assert response.status_code == 403
    foreign = bearer(make_token("secretary", other["id"]))
    response = client.patch(
        f"/api/v1/issuers/{issuer['id']}", json={"legal_name": "Hijack Ltd"}, headers=foreign
    )
    # Another issuer's secretary may not even see this issuer: the unknown issuer's answer.
    assert response.status_code == 404


def test_issuer_list_shows_what_the_caller_may_see(client, new_issuer, make_token):
    first, second = new_issuer(), new_issuer()
    regulator = client.get("/api/v1/issuers", headers=bearer(make_token("regulator")))
    assert {i["id"] for i in regulator.get_json()["issuers"]} == {first["id"], second["id"]}
    secretary = client.get("/api/v1/issuers", headers=bearer(make_token("secretary", second["id"])))
    assert [i["id"] for i in secretary.get_json()["issuers"]] == [second["id"]]


def test_an_issuer_shows_its_log_size_and_when_it_was_last_signed(
    client, operator_headers, new_issuer, make_token
):
    """`last_log_index` is where the issuer's own record last changed; a reader wants to know
    how long the log is and when it was last signed."""
    issuer = new_issuer()
    secretary = bearer(make_token("secretary", issuer["id"]))
    base = f"/api/v1/issuers/{issuer['id']}"
    for code in ("ORD", "PREF"):
        created = client.post(
            f"{base}/classes",
            json={"code": code, "name": f"{code} shares", "currency": "GBP"},
            headers=secretary,
        )
        assert created.status_code == 201, created.get_json()
    listed = client.get("/api/v1/issuers", headers=operator_headers).get_json()["issuers"]
    (shown,) = [i for i in listed if i["id"] == issuer["id"]]
    one = client.get(base, headers=secretary).get_json()
    checkpoint = client.get(f"{base}/log/checkpoint", headers=secretary).get_data(as_text=True)
    assert int(checkpoint.splitlines()[1]) == 3
    for body in (shown, one):
        assert body["last_log_index"] == 0
        assert body["log"]["tree_size"] == 3
        assert body["log"]["signed_at"] is not None
