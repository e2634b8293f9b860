"""Reads of personal data by regulators, auditors and operators state a purpose, which the
access log records with the token that read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.extensions import db
from app.register.access_reads import accesses
from tests.support.helpers import bearer, seed_register
from tests.support.logins import log_in, make_login


@pytest.fixture
def company(app, new_issuer):
    issuer_id = new_issuer()["id"]
    a, _ = seed_register(app, issuer_id, shares_for_a=100)
    return issuer_id, a


def _token(client, operator_headers, role: str) -> tuple[int, dict]:
    created = client.post(
        "/api/v1/tokens", json={"role": role, "label": f"{role} reader"}, headers=operator_headers
    ).get_json()
    return created["id"], bearer(created["secret"])


def _personal_reads(client, app, issuer_id: str, holder_id: str) -> list[str]:
    """The API paths that show personal data, one of each kind."""
    from app.commands import command
    from app.register import distributions
    from app.register.requests import DeclareDistribution

    with app.app_context(), command("test", issuer_id) as ctx:
        declared = distributions.declare_distribution(
            ctx,
            DeclareDistribution("ORD", Decimal("0.10"), "GBP", date.today() + timedelta(days=30)),
        )
    base = f"/api/v1/issuers/{issuer_id}"
    return [
        f"{base}/holders",
        f"{base}/holders/{holder_id}",
        f"{base}/snapshot",
        f"{base}/distributions/{declared.distribution_id}",
    ]


def _logged(app, issuer_id: str) -> list:
    with app.app_context():
        return accesses(db.session, issuer_id)


@pytest.mark.parametrize("role", ["regulator", "auditor", "operator"])
def test_an_outsider_states_a_purpose_and_the_log_records_it_with_the_token(
    app, client, operator_headers, company, role
):
    issuer_id, a = company
    token_id, headers = _token(client, operator_headers, role)
    paths = _personal_reads(client, app, issuer_id, a)
    for path in paths:
        refused = client.get(path, headers=headers)
        assert refused.status_code == 400, path
        assert refused.get_json()["code"] == "purpose_required"
    assert _logged(app, issuer_id) == []

    for path in paths:
        by_header = client.get(path, headers={**headers, "X-Purpose": "thematic review 2026/7"})
        assert by_header.status_code == 200, (path, by_header.get_data(as_text=True)[:200])
    separator = "&" if "?" in paths[0] else "?"
    by_parameter = client.get(f"{paths[0]}{separator}purpose=complaint+41", headers=headers)
    assert by_parameter.status_code == 200
    logged = _logged(app, issuer_id)
    assert len(logged) == len(paths) + 1
    assert {access.actor for access in logged} == {f"token:{token_id}"}
    assert sorted({access.purpose for access in logged}) == [
        "complaint 41",
        "thematic review 2026/7",
    ]
    holder_read = next(access for access in logged if access.holder_id == a)
    assert holder_read.purpose == "thematic review 2026/7"


def test_the_issuers_own_secretary_needs_no_purpose_and_sees_the_purposes(
    app, client, make_token, regulator_headers, company
):
    issuer_id, a = company
    secretary = bearer(make_token("secretary", issuer_id))
    assert client.get(f"/api/v1/issuers/{issuer_id}/holders", headers=secretary).status_code == 200
    assert _logged(app, issuer_id) == []
    stated = {**regulator_headers, "X-Purpose": "fit and proper check"}
    assert client.get(f"/api/v1/issuers/{issuer_id}/holders/{a}", headers=stated).status_code == 200
    log = client.get(f"/api/v1/issuers/{issuer_id}/access-log", headers=secretary).get_json()
    (access,) = log["accesses"]
    assert access["purpose"] == "fit and proper check" and access["holder_id"] == a


def test_a_blank_or_overlong_purpose_is_refused(app, client, regulator_headers, company):
    issuer_id, _ = company
    path = f"/api/v1/issuers/{issuer_id}/holders"
    for purpose, code in (("   ", "purpose_required"), ("x" * 501, "invalid_purpose")):
        answer = client.get(path, headers={**regulator_headers, "X-Purpose": purpose})
        assert (answer.status_code, answer.get_json()["code"]) == (400, code)
    assert _logged(app, issuer_id) == []


def test_reads_without_personal_data_need_no_purpose(client, make_token, company):
    issuer_id, _ = company
    regulator = bearer(make_token("regulator"))
    for path in ("classes", "holdings", "log/checkpoint"):
        answer = client.get(f"/api/v1/issuers/{issuer_id}/{path}", headers=regulator)
        assert answer.status_code == 200, path


def test_the_openapi_document_shows_how_to_state_a_purpose(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    holders = spec["paths"]["/api/v1/issuers/{issuer_id}/holders"]
    names = {(p["in"], p["name"]) for p in holders["get"]["parameters"]}
    assert {("header", "X-Purpose"), ("query", "purpose"), ("query", "limit")} <= names
    assert "400" in holders["get"]["responses"]
    assert all(p["name"] != "X-Purpose" for p in holders["post"]["parameters"])


def test_a_regulator_in_the_browser_is_asked_for_the_purpose(app, client, company):
    issuer_id, _ = company
    make_login(app, "reg@example.test", "regulator", display_name="Regulator")
    log_in(client, "reg@example.test")
    asked = client.get(f"/issuers/{issuer_id}")
    assert asked.status_code == 400
    text = asked.get_data(as_text=True)
    assert "Why are you reading this register?" in text and 'name="purpose"' in text
    assert "Ada Lovelace" not in text
    assert _logged(app, issuer_id) == []
    shown = client.get(f"/issuers/{issuer_id}?purpose=annual+inspection")
    assert shown.status_code == 200 and b"Ada Lovelace" in shown.data
    (access,) = _logged(app, issuer_id)
    assert access.purpose == "annual inspection" and access.role == "regulator"
