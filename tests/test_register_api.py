"""Classes, holders, issuance and lodged transfers through the API."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.ledger import log
from app.register.holders import commitment
from app.register.replay import replay_and_compare
from tests.support.helpers import HOLDER_A, HOLDER_B, ORDINARY, STATED_PURPOSE, bearer


@pytest.fixture
def register(client, new_issuer, make_token):
    """An issuer with an ORD class (authorised 1,000) and two holders; returns ids and headers."""
    issuer = new_issuer()
    headers = bearer(make_token("secretary", issuer["id"]))
    base = f"/api/v1/issuers/{issuer['id']}"
    response = client.post(
        f"{base}/classes", json={**ORDINARY, "authorised": 1000}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    ids = []
    for details in (HOLDER_A, HOLDER_B):
        response = client.post(f"{base}/holders", json=details, headers=headers)
        assert response.status_code == 201, response.get_json()
        ids.append(response.get_json()["holder_id"])
    return {"issuer_id": issuer["id"], "base": base, "headers": headers, "a": ids[0], "b": ids[1]}


def _size(app, issuer_id: str) -> int:
    with app.app_context():
        return log.signed_size(db.session, issuer_id)


def _holdings(client, register) -> dict[str, tuple[int, int]]:
    response = client.get(f"{register['base']}/holdings", headers=register["headers"])
    return {h["holder_id"]: (h["held"], h["available"]) for h in response.get_json()["holdings"]}


def _issue(client, register, *allocations):
    return client.post(
        f"{register['base']}/issuances",
        json={"allocations": [{"class": "ORD", **a} for a in allocations]},
        headers=register["headers"],
    )


def test_batch_issuance_writes_one_entry_per_allocation(app, client, register):
    before = _size(app, register["issuer_id"])
    response = _issue(
        client,
        register,
        {"holder_id": register["a"], "quantity": 600, "price_per_share": "1.25", "currency": "GBP"},
        {"holder_id": register["b"], "quantity": 400},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"log_indexes": [before, before + 1], "tree_size": before + 2}
    assert _holdings(client, register) == {register["a"]: (600, 600), register["b"]: (400, 400)}
    share_class = client.get(f"{register['base']}/classes/ORD", headers=register["headers"])
    assert share_class.get_json()["issued"] == 1000
    with app.app_context():
        assert replay_and_compare(db.session, register["issuer_id"]).entries == before + 2


def test_issuance_beyond_the_authorised_number_is_refused_whole(app, client, register):
    before = _size(app, register["issuer_id"])
    response = _issue(
        client,
        register,
        {"holder_id": register["a"], "quantity": 600},
        {"holder_id": register["b"], "quantity": 401},
    )
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "authorised_exceeded"
    assert body["details"]["authorised"] == 1000 and body["details"]["requested"] == 1001
    assert _size(app, register["issuer_id"]) == before
    assert _holdings(client, register) == {}


@pytest.mark.parametrize("quantity", [1.5, "5", 5.0, True])
def test_a_quantity_that_is_not_a_whole_number_is_refused_not_rounded(
    app, client, register, quantity
):
    before = _size(app, register["issuer_id"])
    response = _issue(client, register, {"holder_id": register["a"], "quantity": quantity})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == "invalid_input"
    assert "quantity" in str(body["errors"])
    assert _size(app, register["issuer_id"]) == before
    assert _holdings(client, register) == {}


@pytest.mark.parametrize(("field", "value"), [("authorised", 1.5), ("votes_per_share", "2")])
def test_class_numbers_must_be_whole_numbers(client, register, field, value):
    response = client.post(
        f"{register['base']}/classes",
        json={**ORDINARY, "code": "PREF", field: value},
        headers=register["headers"],
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    classes = client.get(f"{register['base']}/classes", headers=register["headers"]).get_json()
    assert [c["code"] for c in classes["classes"]] == ["ORD"]


def test_issuance_to_an_unknown_holder_is_404_and_changes_nothing(app, client, register):
    before = _size(app, register["issuer_id"])
    response = _issue(
        client,
        register,
        {"holder_id": register["a"], "quantity": 5},
        {"holder_id": "nobody", "quantity": 5},
    )
    assert response.status_code == 404
    assert _size(app, register["issuer_id"]) == before


def test_transfer_moves_shares_and_keeps_the_class_total(app, client, register):
    _issue(client, register, {"holder_id": register["a"], "quantity": 100})
    response = client.post(
        f"{register['base']}/transfers",
        json={
            "class": "ORD",
            "from_holder_id": register["a"],
            "to_holder_id": register["b"],
            "quantity": 30,
            "instrument_reference": "STF-2026-001",
            "consideration": "45.00",
            "currency": "GBP",
        },
        headers=register["headers"],
    )
    assert response.status_code == 201, response.get_json()
    assert _holdings(client, register) == {register["a"]: (70, 70), register["b"]: (30, 30)}
    share_class = client.get(f"{register['base']}/classes/ORD", headers=register["headers"])
    assert share_class.get_json()["issued"] == 100
    with app.app_context():
        replay_and_compare(db.session, register["issuer_id"])


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"quantity": 101}, 409, "insufficient_available"),
        ({"quantity": 0}, 422, "invalid_input"),
        ({"to_holder_id": "SELF"}, 422, "invalid_input"),
        ({"class": "PREF"}, 404, "not_found"),
        ({"instrument_reference": ""}, 422, "invalid_input"),
        ({"consideration": "5"}, 422, "invalid_input"),
        ({"quantity": 1.5}, 422, "invalid_input"),
        ({"quantity": "10"}, 422, "invalid_input"),
        ({"quantity": 10.0}, 422, "invalid_input"),
    ],
)
def test_bad_transfers_are_refused_and_change_nothing(app, client, register, change, status, code):
    _issue(client, register, {"holder_id": register["a"], "quantity": 100})
    before = _size(app, register["issuer_id"])
    transfer = {
        "class": "ORD",
        "from_holder_id": register["a"],
        "to_holder_id": register["b"],
        "quantity": 10,
        "instrument_reference": "STF-1",
        **change,
    }
    if transfer["to_holder_id"] == "SELF":
        transfer["to_holder_id"] = register["a"]
    response = client.post(
        f"{register['base']}/transfers", json=transfer, headers=register["headers"]
    )
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert _size(app, register["issuer_id"]) == before
    assert _holdings(client, register) == {register["a"]: (100, 100)}


def test_holder_details_stay_off_the_log_but_the_commitment_matches(app, client, register):
    holder = client.get(
        f"{register['base']}/holders/{register['a']}", headers=register["headers"]
    ).get_json()
    assert holder["details"]["name"] == HOLDER_A["name"]
    with app.app_context():
        size = log.signed_size(db.session, register["issuer_id"])
        leaves = b"".join(
            e.leaf for e in log.read_entries(db.session, register["issuer_id"], 0, size)
        )
        from app.models.register import HolderDetails

        row = db.session.get(HolderDetails, (register["issuer_id"], register["a"]))
        salt = row.salt
    assert HOLDER_A["name"].encode() not in leaves
    assert HOLDER_A["identifier"].encode() not in leaves
    assert holder["commitment"].encode() in leaves
    assert commitment(salt, HOLDER_A) == holder["commitment"]


def test_amending_details_writes_a_new_commitment(client, register):
    path = f"{register['base']}/holders/{register['a']}"
    before = client.get(path, headers=register["headers"]).get_json()
    response = client.patch(path, json={"address": "1 New Street"}, headers=register["headers"])
    assert response.status_code == 200
    after = response.get_json()
    assert after["details"]["address"] == "1 New Street"
    assert after["commitment"] != before["commitment"]
    assert after["last_log_index"] > before["last_log_index"]


def test_a_holder_ceases_only_when_holding_nothing(app, client, register):
    _issue(client, register, {"holder_id": register["a"], "quantity": 10})
    path = f"{register['base']}/holders/{register['a']}/cease"
    refused = client.post(path, json={}, headers=register["headers"])
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "holder_still_holds"
    ceased = client.post(
        f"{register['base']}/holders/{register['b']}/cease",
        json={"ceased_on": "2030-01-01"},
        headers=register["headers"],
    )
    assert ceased.status_code == 200
    assert ceased.get_json()["ceased_on"] == "2030-01-01"
    response = _issue(client, register, {"holder_id": register["b"], "quantity": 1})
    assert response.status_code == 409
    assert response.get_json()["code"] == "holder_ceased"


def test_erasing_a_ceased_holder_keeps_the_log_verifiable(app, client, register, runner):
    client.post(
        f"{register['base']}/holders/{register['b']}/cease", json={}, headers=register["headers"]
    )
    result = runner.invoke(
        args=["holders", "erase", "--issuer", register["issuer_id"], register["b"]]
    )
    assert result.exit_code == 0, result.output
    holder = client.get(
        f"{register['base']}/holders/{register['b']}", headers=register["headers"]
    ).get_json()
    assert holder["details"] is None and holder["erased"] is True
    refused = runner.invoke(
        args=["holders", "erase", "--issuer", register["issuer_id"], register["a"]]
    )
    assert refused.exit_code != 0
    assert "ceased" in refused.output
    verify = runner.invoke(args=["log", "verify"])
    assert verify.exit_code == 0, verify.output


def test_class_amendment_and_authorised_floor(client, register):
    _issue(client, register, {"holder_id": register["a"], "quantity": 500})
    path = f"{register['base']}/classes/ORD"
    low = client.patch(path, json={"authorised": 499}, headers=register["headers"])
    assert low.status_code == 409
    assert low.get_json()["code"] == "authorised_below_issued"
    ok = client.patch(
        path, json={"authorised": 5000, "name": "Ordinary"}, headers=register["headers"]
    )
    assert ok.status_code == 200
    assert ok.get_json()["authorised"] == 5000 and ok.get_json()["name"] == "Ordinary"
    duplicate = client.post(
        f"{register['base']}/classes", json=ORDINARY, headers=register["headers"]
    )
    assert duplicate.status_code == 409


def test_writes_need_the_issuers_secretary_or_the_operator(
    client, register, make_token, new_issuer
):
    other = bearer(make_token("secretary", new_issuer()["id"]))
    # Another issuer's secretary may not see this issuer (404, as if unknown); a regulator
    # sees it but may not change it (403).
    for headers, status in ((other, 404), (bearer(make_token("regulator")), 403), ({}, 401)):
        response = client.post(f"{register['base']}/holders", json=HOLDER_A, headers=headers)
        assert response.status_code == status
    stated = {**bearer(make_token("regulator")), **STATED_PURPOSE}
    regulator = client.get(f"{register['base']}/holders", headers=stated)
    assert regulator.status_code == 200
    assert len(regulator.get_json()["holders"]) == 2


def test_holder_listing_pages(client, register):
    first = client.get(
        f"{register['base']}/holders?limit=1", headers=register["headers"]
    ).get_json()
    assert len(first["holders"]) == 1 and first["next_after"]
    second = client.get(
        f"{register['base']}/holders?limit=1&after={first['next_after']}",
        headers=register["headers"],
    ).get_json()
    assert len(second["holders"]) == 1 and second["next_after"] is None
    assert {first["holders"][0]["holder_id"], second["holders"][0]["holder_id"]} == {
        register["a"],
        register["b"],
    }


def test_outsiders_reads_of_personal_data_are_disclosed_to_the_issuer(client, register, make_token):
    regulator = {**bearer(make_token("regulator")), **STATED_PURPOSE}
    assert client.get(f"{register['base']}/holders", headers=regulator).status_code == 200
    path = f"{register['base']}/holders/{register['a']}"
    assert client.get(path, headers=regulator).status_code == 200
    assert client.get(path, headers=register["headers"]).status_code == 200  # the issuer itself
    log_page = client.get(f"{register['base']}/access-log", headers=register["headers"])
    accesses = log_page.get_json()["accesses"]
    assert [(a["role"], a["holder_id"]) for a in accesses] == [
        ("regulator", register["a"]),
        ("regulator", None),
    ]
    assert accesses[0]["resource"] == path
    assert accesses[0]["actor"].startswith("token:")
    assert accesses[0]["purpose"] == STATED_PURPOSE["X-Purpose"]
    assert client.get(f"{register['base']}/access-log", headers=regulator).status_code == 403


def test_nul_characters_are_refused_at_the_door(client, register):
    for response in (
        client.get(f"{register['base']}/holders?after=a%00b", headers=register["headers"]),
        client.get(f"{register['base']}/holders/a%00b", headers=register["headers"]),
        client.post(
            f"{register['base']}/transfers",
            data='{"class": "ORD", "from_holder_id": "a\\u0000"}',
            content_type="application/json",
            headers=register["headers"],
        ),
    ):
        assert response.status_code == 400
        assert response.get_json()["code"] == "invalid_parameters"


def test_small_prices_go_on_the_log_without_an_exponent(app, client, register):
    response = _issue(
        client,
        register,
        {
            "holder_id": register["a"],
            "quantity": 1,
            "price_per_share": "0.0000001",
            "currency": "GBP",
        },
    )
    assert response.status_code == 201
    (index,) = response.get_json()["log_indexes"]
    with app.app_context():
        (entry,) = log.read_entries(db.session, register["issuer_id"], index, index + 1)
    assert entry.envelope["data"]["price_per_share"] == "0.0000001"
