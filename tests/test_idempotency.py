"""Retries that never double a command: `Idempotency-Key` on the API's writes, one-time tokens
on the browser's forms."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.idempotency import store
from app.models.idempotency import IdempotencyRecord
from app.models.register import HoldingVersion
from tests.support.helpers import ORDINARY, Clock, bearer, seed_register
from tests.support.logins import log_in, make_login
from tests.support.register_driver import Driver

KEY = "Idempotency-Key"
REPLAYED = "Idempotency-Replayed"
TIMEOUT = 60


@pytest.fixture
def register(app, new_issuer, make_token):
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=80)
    return {
        "issuer_id": issuer_id,
        "base": f"/api/v1/issuers/{issuer_id}",
        "token": (token := make_token("secretary", issuer_id)),
        "headers": bearer(token),
        "a": a,
        "b": b,
    }


def _transfer(register, quantity=10, reference="STF-IDEM-1") -> dict:
    return {
        "class": "ORD",
        "from_holder_id": register["a"],
        "to_holder_id": register["b"],
        "quantity": quantity,
        "instrument_reference": reference,
    }


def _issuance(register, quantity=5) -> dict:
    return {"allocations": [{"class": "ORD", "holder_id": register["b"], "quantity": quantity}]}


def _post(client, register, path, body, key=None, headers=None):
    sent = {**(headers or register["headers"]), **({KEY: key} if key is not None else {})}
    return client.post(f"{register['base']}/{path}", json=body, headers=sent)


def _size(app, register) -> int:
    """Entries the register's services recorded: the log's size less the substantial-holding
    notices that commands add at their end."""
    return len(Driver(app).kinds_since(register["issuer_id"], 0))


def _held(client, register) -> dict[str, int]:
    rows = client.get(f"{register['base']}/holdings", headers=register["headers"]).get_json()
    return {row["holder_id"]: row["held"] for row in rows["holdings"]}


def _records(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(IdempotencyRecord))


def test_three_identical_transfers_with_one_key_make_one_transfer(app, client, register):
    before = _size(app, register)
    answers = [
        _post(client, register, "transfers", _transfer(register), key="transfer-0001")
        for _ in range(3)
    ]
    assert [answer.status_code for answer in answers] == [201, 201, 201]
    assert answers[0].get_json() == answers[1].get_json() == answers[2].get_json()
    assert answers[0].get_data() == answers[2].get_data()
    assert REPLAYED not in answers[0].headers
    assert [answer.headers.get(REPLAYED) for answer in answers[1:]] == ["true", "true"]
    assert _size(app, register) == before + 1
    assert _held(client, register) == {register["a"]: 70, register["b"]: 10}


def test_a_replay_repeats_the_status_and_the_headers(app, client, register):
    holder = {
        "name": "Grace Hopper",
        "address": "1 Navy Yard, Arlington",
        "identifier": "US-SSN-000-00-0001",
        "country": "US",
        "holder_type": "person",
    }
    first = _post(client, register, "holders", holder, key="holder-1")
    again = _post(client, register, "holders", holder, key="holder-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Content-Type"] == first.headers["Content-Type"]
    listed = client.get(f"{register['base']}/holders", headers=register["headers"]).get_json()
    assert [h["details"]["name"] for h in listed["holders"]].count("Grace Hopper") == 1


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("post", "classes", {**ORDINARY, "code": "PREF", "name": "Preference shares"}, 201),
        ("patch", "classes/ORD", {"authorised": 1_000_000}, 200),
        ("patch", "", {"legal_name": "Acme Widgets (Holdings) Ltd"}, 200),
    ],
)
def test_other_writes_replay_their_first_answer(app, client, register, method, path, body, status):
    """Without the key the second of these would be refused (a duplicate class, an amendment
    that changes nothing); with it, it gets the first answer again."""
    url = f"{register['base']}/{path}".rstrip("/")
    headers = {**register["headers"], KEY: f"{method}-{path}"}
    before = _size(app, register)
    first = client.open(url, method=method.upper(), json=body, headers=headers)
    again = client.open(url, method=method.upper(), json=body, headers=headers)
    assert (first.status_code, again.status_code) == (status, status), first.get_json()
    assert again.get_json() == first.get_json() and again.headers[REPLAYED] == "true"
    assert _size(app, register) == before + 1


def test_the_same_key_with_another_body_is_refused(app, client, register):
    assert _post(client, register, "transfers", _transfer(register), key="k-1").status_code == 201
    before = _size(app, register)
    reused = _post(client, register, "transfers", _transfer(register, quantity=11), key="k-1")
    assert reused.status_code == 422
    assert reused.get_json()["code"] == "idempotency_key_reused"
    assert _size(app, register) == before
    # The kept answer is unharmed: the first body still replays.
    replay = _post(client, register, "transfers", _transfer(register), key="k-1")
    assert replay.status_code == 201 and replay.headers[REPLAYED] == "true"


def test_without_a_key_every_request_runs(app, client, register):
    before = _size(app, register)
    answers = [_post(client, register, "issuances", _issuance(register)) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [201, 201]
    assert _size(app, register) == before + 2
    assert _records(app) == 0


def test_keys_are_per_token(app, client, register, make_token):
    other = bearer(make_token("secretary", register["issuer_id"]))
    mine = _post(client, register, "issuances", _issuance(register), key="shared-key")
    theirs = _post(client, register, "issuances", _issuance(register), "shared-key", other)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert REPLAYED not in theirs.headers
    assert _held(client, register)[register["b"]] == 10


def test_keys_are_per_endpoint(app, client, register):
    body = _issuance(register)
    assert _post(client, register, "issuances", body, key="same").status_code == 201
    other = client.post(
        f"/api/v1/issuers/{register['issuer_id']}/freezes",
        json={"class": "ORD", "holder_id": register["b"], "quantity": 1, "reason": "court order"},
        headers={**register["headers"], KEY: "same"},
    )
    assert other.status_code == 201, other.get_json()
    assert REPLAYED not in other.headers


def test_keys_expire_after_their_ttl(app, client, register, runner):
    clock = Clock(datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    app.config.update(LEDGER_CLOCK=clock, IDEMPOTENCY_KEY_TTL=3600)
    body = _issuance(register)
    assert _post(client, register, "issuances", body, key="hourly").status_code == 201
    clock.now += timedelta(minutes=59)
    assert _post(client, register, "issuances", body, key="hourly").headers[REPLAYED] == "true"
    clock.now += timedelta(minutes=2)
    late = _post(client, register, "issuances", body, key="hourly")
    assert late.status_code == 201 and REPLAYED not in late.headers
    assert _held(client, register)[register["b"]] == 10

    assert _post(client, register, "issuances", body, key="another").status_code == 201
    clock.now += timedelta(hours=2)
    result = runner.invoke(args=["idempotency", "purge"])
    assert result.exit_code == 0, result.output
    assert "purged 2 expired idempotency keys" in result.output
    assert _records(app) == 0


def test_the_default_ttl_is_a_day(app):
    assert app.config["IDEMPOTENCY_KEY_TTL"] == 24 * 60 * 60


@pytest.mark.parametrize("key", ["", "x" * 256, "clé-1", "tab\there", '""'])
def test_a_malformed_key_is_refused_and_writes_nothing(app, client, register, key):
    before = _size(app, register)
    headers = {**register["headers"], KEY: key}
    answer = client.post(
        f"{register['base']}/transfers",
        data=_json_bytes(_transfer(register)),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "invalid_idempotency_key"
    assert _size(app, register) == before


def _json_bytes(body: dict) -> bytes:
    return json.dumps(body).encode()


def test_keys_of_255_characters_and_quoted_keys_are_accepted(client, register):
    assert _post(client, register, "issuances", _issuance(register), "k" * 255).status_code == 201
    quoted = _post(client, register, "issuances", _issuance(register), '"abc-123"')
    bare = _post(client, register, "issuances", _issuance(register), "abc-123")
    assert quoted.status_code == 201 and bare.headers[REPLAYED] == "true"


def test_authentication_comes_before_the_key(app, client, register):
    for key in ("valid-key", "", "x" * 300):
        answer = client.post(
            f"{register['base']}/transfers", json=_transfer(register), headers={KEY: key}
        )
        assert answer.status_code == 401
        assert answer.get_json()["code"] == "unauthorized"


def test_authorisation_comes_before_the_key(app, client, register, new_issuer, make_token):
    stranger = bearer(make_token("secretary", new_issuer()["id"]))
    for key in ("valid-key", ""):
        answer = _post(client, register, "transfers", _transfer(register), key, stranger)
        # The stranger may not see this issuer: the unknown issuer's answer, and no record.
        assert answer.status_code == 404
    assert _records(app) == 0


def test_refusals_keep_no_answer(app, client, register):
    too_many = _transfer(register, quantity=81)
    refused = _post(client, register, "transfers", too_many, key="retry-me")
    assert refused.status_code == 409
    assert _records(app) == 0
    assert (
        _post(
            client,
            register,
            "issuances",
            {"allocations": [{"class": "ORD", "holder_id": register["a"], "quantity": 1}]},
        ).status_code
        == 201
    )
    # The register changed: the same request with the same key now runs.
    again = _post(client, register, "transfers", too_many, key="retry-me")
    assert again.status_code == 201 and REPLAYED not in again.headers


def test_the_answer_is_kept_in_the_commands_transaction(app, client, register, monkeypatch):
    def crash(*_args, **_kwargs):
        raise RuntimeError("the process died before the answer was kept")

    before = _size(app, register)
    monkeypatch.setattr(store, "keep_answer", crash)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    crashed = _post(client, register, "transfers", _transfer(register), key="crash")
    assert crashed.status_code == 500
    assert _size(app, register) == before
    assert _held(client, register) == {register["a"]: 80}
    monkeypatch.undo()
    done = _post(client, register, "transfers", _transfer(register), key="crash")
    assert done.status_code == 201 and REPLAYED not in done.headers
    assert _size(app, register) == before + 1


def test_a_key_whose_request_has_not_finished_answers_409(app, client, register):
    """A record without an answer (its request has the key but has not committed an answer)."""
    path = f"{register['base']}/issuances"
    body = _json_bytes(_issuance(register))
    canonical = hashlib.sha256(f"POST\n{path}\n".encode() + body).hexdigest()
    scope = store.Scope(f"token:{_token_id(app, register['token'])}", "POST", path, "unfinished")
    with app.app_context(), db.write() as session:
        store.claim(session, scope, canonical, datetime.now(UTC), timedelta(hours=1))
    before = _size(app, register)
    headers = {**register["headers"], KEY: "unfinished", "Content-Type": "application/json"}
    answer = client.post(path, data=body, headers=headers)
    assert answer.status_code == 409
    assert answer.get_json()["code"] == "request_in_progress"
    assert _size(app, register) == before


def _token_id(app, secret: str) -> str:
    from app.auth.tokens import authenticate

    with app.app_context():
        return authenticate(db.session, secret, datetime.now(UTC)).id


def test_concurrent_duplicates_never_make_two_transfers(app, register):
    threads = 6
    start = threading.Barrier(threads, timeout=TIMEOUT)

    def attempt(_: int):
        client = app.test_client()
        start.wait()
        return _post(client, register, "transfers", _transfer(register), key="racing")

    before = _size(app, register)
    with ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(attempt, range(threads), timeout=TIMEOUT))
    # The duplicates wait for the first request's commit, then get its answer.
    assert [answer.status_code for answer in answers] == [201] * threads
    assert len({answer.get_data() for answer in answers}) == 1
    assert sum(REPLAYED not in answer.headers for answer in answers) == 1
    assert _size(app, register) == before + 1
    with app.app_context():
        versions = db.session.scalar(
            select(func.count())
            .select_from(HoldingVersion)
            .where(HoldingVersion.issuer_id == register["issuer_id"])
        )
    assert versions == 3  # A's allotment, then A and B after the one transfer


def test_the_openapi_document_offers_the_key_on_every_write(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    writes = [
        (path, method, operation)
        for path, item in paths.items()
        for method, operation in item.items()
        if method in {"post", "put", "patch", "delete"}
    ]
    assert len(writes) >= 20
    for path, method, operation in writes:
        headers = [p for p in operation.get("parameters", []) if p.get("in") == "header"]
        assert [p["name"] for p in headers] == [KEY], (method, path)
        assert {"400", "422"} <= set(operation["responses"]), (method, path)
    reads = [op for item in paths.values() for m, op in item.items() if m == "get"]
    assert not any(p.get("name") == KEY for op in reads for p in op.get("parameters", []))


# --- forms ---------------------------------------------------------------------------------


def _secretary_logged_in(app, client, register) -> None:
    make_login(app, "sec@example.test", "secretary", register["issuer_id"])
    log_in(client, "sec@example.test")


def _form_token(page: bytes) -> str:
    found = re.search(rb'name="form_token" type="hidden" value="([^"]+)"', page)
    assert found, "the transfer form carries no one-time token"
    return found.group(1).decode()


def test_a_form_sent_twice_is_carried_out_once(app, client, register):
    _secretary_logged_in(app, client, register)
    page = client.get(f"/issuers/{register['issuer_id']}")
    form = {
        "class_code": "ORD",
        "from_member": register["a"],  # a holder id is accepted as well as a member number
        "to_member": register["b"],
        "quantity": 30,
        "instrument_reference": "STF-WEB-TWICE",
        "form_token": _form_token(page.data),
    }
    first = client.post(f"/issuers/{register['issuer_id']}", data=form, follow_redirects=True)
    assert b"Transfer registered as log entry" in first.data
    after_first = _size(app, register)
    second = client.post(f"/issuers/{register['issuer_id']}", data=form, follow_redirects=True)
    assert b"This form was already sent" in second.data
    assert b"Transfer registered as log entry" not in second.data
    assert _size(app, register) == after_first
    assert _held(client, register) == {register["a"]: 50, register["b"]: 30}
    # The page offers a fresh token, so the next transfer goes through.
    assert _form_token(first.data) != form["form_token"]


def test_a_refused_form_can_be_corrected_and_sent_with_its_token(app, client, register):
    _secretary_logged_in(app, client, register)
    token = _form_token(client.get(f"/issuers/{register['issuer_id']}").data)
    form = {
        "class_code": "ORD",
        "from_member": register["a"],  # a holder id is accepted as well as a member number
        "to_member": register["b"],
        "instrument_reference": "STF-WEB-FIX",
        "form_token": token,
    }
    refused = client.post(f"/issuers/{register['issuer_id']}", data={**form, "quantity": 81})
    assert b"has 80 ORD available; you asked for 81." in refused.data
    assert _form_token(refused.data) == token
    done = client.post(
        f"/issuers/{register['issuer_id']}", data={**form, "quantity": 20}, follow_redirects=True
    )
    assert b"Transfer registered as log entry" in done.data
