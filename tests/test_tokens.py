"""API tokens: scoped to one issuer for every role, expiring, revocable, listed without their
secrets, from the CLI and through the operator's API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.ledger.log import utc_now
from tests.support.helpers import Clock, bearer

TOKENS = "/api/v1/tokens"


def _cli_token(runner, *options: str) -> tuple[int, str]:
    """(id, secret) of a token made with `flask tokens create`."""
    result = runner.invoke(args=["tokens", "create", "--label", "cli test", *options])
    assert result.exit_code == 0, result.output
    first, secret = result.output.strip().splitlines()[-2:]
    return int(first.split()[1]), secret


def _classes(client, issuer_id: str, headers: dict):
    return client.get(f"/api/v1/issuers/{issuer_id}/classes", headers=headers)


@pytest.mark.parametrize("role", ["regulator", "auditor", "operator"])
def test_a_token_created_with_an_issuer_reaches_that_issuer_only(client, runner, new_issuer, role):
    mine, other = new_issuer(), new_issuer()
    _, secret = _cli_token(runner, "--role", role, "--issuer", mine["id"])
    headers = bearer(secret)
    assert _classes(client, mine["id"], headers).status_code == 200
    refused = _classes(client, other["id"], headers)
    unknown = _classes(client, "no-such-issuer", headers)
    assert refused.status_code == unknown.status_code == 404
    assert refused.get_json()["code"] == unknown.get_json()["code"] == "not_found"
    listed = client.get("/api/v1/issuers", headers=headers).get_json()["issuers"]
    assert [issuer["id"] for issuer in listed] == [mine["id"]]


def test_a_scoped_operator_changes_only_its_issuer_and_manages_no_tokens(
    client, runner, new_issuer
):
    mine, other = new_issuer(), new_issuer()
    _, secret = _cli_token(runner, "--role", "operator", "--issuer", mine["id"])
    headers = bearer(secret)
    rename = {"legal_name": "Renamed Ltd"}
    renamed = client.patch(f"/api/v1/issuers/{mine['id']}", json=rename, headers=headers)
    assert renamed.status_code == 200
    response = client.patch(f"/api/v1/issuers/{other['id']}", json=rename, headers=headers)
    assert response.status_code == 404
    # It may not mint a token wider than itself.
    body = {"role": "operator", "label": "wider"}
    assert client.post(TOKENS, json=body, headers=headers).status_code == 403
    assert client.get(TOKENS, headers=headers).status_code == 403


def test_a_token_for_an_unknown_issuer_is_refused(runner):
    result = runner.invoke(
        args=["tokens", "create", "--role", "regulator", "--label", "x", "--issuer", "nope"]
    )
    assert result.exit_code != 0
    assert "no issuer nope" in result.output


def test_revoked_and_expired_tokens_answer_401_with_their_code(app, client, runner, new_issuer):
    issuer_id = new_issuer()["id"]
    revoked_id, revoked = _cli_token(runner, "--role", "regulator")
    _, expiring = _cli_token(runner, "--role", "regulator", "--expires-in", "30d")
    assert _classes(client, issuer_id, bearer(revoked)).status_code == 200
    assert _classes(client, issuer_id, bearer(expiring)).status_code == 200

    result = runner.invoke(args=["tokens", "revoke", str(revoked_id)])
    assert result.exit_code == 0, result.output
    answer = _classes(client, issuer_id, bearer(revoked))
    assert (answer.status_code, answer.get_json()["code"]) == (401, "token_revoked")

    app.config["LEDGER_CLOCK"] = Clock(utc_now() + timedelta(days=30, minutes=1))
    answer = _classes(client, issuer_id, bearer(expiring))
    assert (answer.status_code, answer.get_json()["code"]) == (401, "token_expired")
    # A secret nobody issued is simply not a credential.
    forged = _classes(client, issuer_id, bearer("slt_" + "x" * 43))
    assert (forged.status_code, forged.get_json()["code"]) == (401, "unauthorized")


def test_an_expiry_must_be_a_duration(runner):
    result = runner.invoke(
        args=["tokens", "create", "--role", "auditor", "--label", "x", "--expires-in", "soon"]
    )
    assert result.exit_code != 0
    assert "not a duration" in result.output


def test_tokens_list_shows_scope_dates_and_state_but_never_the_secret(client, runner, new_issuer):
    issuer_id = new_issuer()["id"]
    scoped_id, scoped = _cli_token(runner, "--role", "regulator", "--issuer", issuer_id)
    revoked_id, revoked = _cli_token(runner, "--role", "auditor", "--expires-in", "12h")
    assert _classes(client, issuer_id, bearer(scoped)).status_code == 200
    runner.invoke(args=["tokens", "revoke", str(revoked_id)])

    listing = runner.invoke(args=["tokens", "list"])
    assert listing.exit_code == 0, listing.output
    lines = {line.split()[0]: line for line in listing.output.splitlines()}
    assert lines["ID"].split() == [
        *("ID", "LABEL", "ROLE", "SCOPE", "CREATED", "EXPIRES", "LAST", "USED", "STATE")
    ]
    scoped_line, revoked_line = lines[str(scoped_id)], lines[str(revoked_id)]
    assert f"issuer {issuer_id}" in scoped_line and scoped_line.endswith("active")
    assert scoped_line.count(" UTC") == 2  # created and last used; no expiry
    assert "all issuers" in revoked_line and revoked_line.endswith("revoked")
    assert scoped not in listing.output and revoked not in listing.output


def test_the_operator_creates_lists_and_revokes_tokens_through_the_api(
    client, operator_headers, new_issuer
):
    issuer_id = new_issuer()["id"]
    body = {"role": "auditor", "label": "external audit", "issuer_id": issuer_id}
    created = client.post(TOKENS, json={**body, "expires_in": "2w"}, headers=operator_headers)
    assert created.status_code == 201, created.get_json()
    token = created.get_json()
    assert token["secret"].startswith("slt_") and token["state"] == "active"
    assert token["issuer_id"] == issuer_id and token["expires_at"] is not None
    auditor = bearer(token["secret"])
    assert _classes(client, issuer_id, auditor).status_code == 200

    listed = client.get(TOKENS, headers=operator_headers).get_json()["tokens"]
    mine = next(row for row in listed if row["id"] == token["id"])
    assert mine["label"] == "external audit" and mine["last_used_at"] is not None
    assert all("secret" not in row and "token_hash" not in row for row in listed)

    revoked = client.post(f"{TOKENS}/{token['id']}/revocation", headers=operator_headers)
    assert revoked.status_code == 200
    assert revoked.get_json()["state"] == "revoked"
    assert _classes(client, issuer_id, auditor).get_json()["code"] == "token_revoked"
    again = client.post(f"{TOKENS}/{token['id']}/revocation", headers=operator_headers)
    assert again.get_json()["revoked_at"] == revoked.get_json()["revoked_at"]
    for unknown in ("999999", str(2**63)):
        missing = client.post(f"{TOKENS}/{unknown}/revocation", headers=operator_headers)
        assert (missing.status_code, missing.get_json()["code"]) == (404, "not_found")


def test_only_an_operator_manages_tokens_and_bad_bodies_are_refused(
    client, make_token, operator_headers, new_issuer
):
    for role in ("regulator", "auditor"):
        headers = bearer(make_token(role))
        assert client.get(TOKENS, headers=headers).status_code == 403
        assert client.post(TOKENS, json={"role": "operator"}, headers=headers).status_code == 403
    assert client.get(TOKENS).status_code == 401
    assert client.post(TOKENS, json={"nonsense": 1}).status_code == 401
    cases = [
        {"role": "king", "label": "x"},
        {"role": "auditor", "label": "x", "expires_in": "forever"},
        {"role": "auditor", "label": "x", "expires_in": "0d"},
        {"role": "secretary", "label": "x"},
        {"role": "auditor", "label": "x", "issuer_id": "no-such-issuer"},
        {"role": "auditor", "label": ""},
    ]
    for body in cases:
        answer = client.post(TOKENS, json=body, headers=operator_headers)
        assert answer.status_code in (404, 422), (body, answer.get_json())
        assert answer.get_json()["code"] in ("invalid_input", "not_found"), body
    listed = client.get(TOKENS, headers=operator_headers).get_json()["tokens"]
    assert [row["label"] for row in listed if row["label"] == "x"] == []


def test_a_token_answer_is_never_kept_for_a_retry(client, operator_headers):
    headers = {**operator_headers, "Idempotency-Key": "make-one"}
    body = {"role": "auditor", "label": "retried"}
    first = client.post(TOKENS, json=body, headers=headers).get_json()
    second = client.post(TOKENS, json=body, headers=headers).get_json()
    # No stored copy of the secret: a retry makes a second token instead of replaying.
    assert first["secret"] != second["secret"]


def test_each_token_is_throttled_on_its_own(app, client, make_token, new_issuer):
    issuer_id = new_issuer()["id"]
    app.config["API_RATE_LIMIT"] = "3 per minute"
    busy, calm = bearer(make_token("regulator")), bearer(make_token("regulator"))
    answers = [_classes(client, issuer_id, busy) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].get_json()["code"] == "rate_limited"
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert _classes(client, issuer_id, calm).status_code == 200


def test_guessing_tokens_is_throttled_per_address(app, client, make_token, new_issuer):
    issuer_id = new_issuer()["id"]
    app.config["BAD_TOKENS_PER_ADDRESS"] = "2 per minute"
    guesses = [_classes(client, issuer_id, bearer(f"slt_guess{n}")) for n in range(3)]
    assert [answer.status_code for answer in guesses] == [401, 401, 429]
    assert guesses[-1].get_json()["code"] == "rate_limited" and guesses[-1].headers["Retry-After"]
    # A real token from the same address still works.
    assert _classes(client, issuer_id, bearer(make_token("auditor"))).status_code == 200
