"""The log API, against the contract in DESIGN.md."""

from __future__ import annotations

import pytest

from app.ledger import merkle, notes
from tests.support.helpers import b64d, bearer


@pytest.fixture
def issuer(new_issuer, client, operator_headers):
    """An issuer whose log has 6 entries (registration and five amendments)."""
    created = new_issuer()
    for n in range(5):
        response = client.patch(
            f"/api/v1/issuers/{created['id']}",
            json={"legal_name": f"Acme Widgets {n} Ltd"},
            headers=operator_headers,
        )
        assert response.status_code == 200
    return created


def _leaf_hashes(client, issuer_id, headers, size):
    response = client.get(
        f"/api/v1/issuers/{issuer_id}/log/entries?start=0&end={size}", headers=headers
    )
    assert response.status_code == 200
    entries = response.get_json()["entries"]
    assert [entry["index"] for entry in entries] == list(range(size))
    for entry in entries:
        assert merkle.leaf_hash(b64d(entry["leaf"])) == b64d(entry["leaf_hash"])
    return [b64d(entry["leaf_hash"]) for entry in entries]


def _verifiers(client):
    response = client.get("/api/v1/log/keys")
    assert response.status_code == 200
    return [notes.parse_vkey(key["vkey"]) for key in response.get_json()["keys"]]


def test_keys_are_public_and_complete(client, issuer):
    keys = client.get("/api/v1/log/keys").get_json()["keys"]
    assert len(keys) == 1
    assert set(keys[0]) == {"key_id", "name", "algorithm", "vkey", "status", "created_at"}
    assert keys[0]["algorithm"] == "ed25519" and keys[0]["status"] == "active"
    assert notes.parse_vkey(keys[0]["vkey"]).key_id.hex() == keys[0]["key_id"]


def test_a_regulator_verifies_checkpoint_entries_and_proofs(client, issuer, regulator_headers):
    base = f"/api/v1/issuers/{issuer['id']}/log"
    response = client.get(f"{base}/checkpoint", headers=regulator_headers)
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    opened = notes.open_note(response.get_data(as_text=True), _verifiers(client))
    checkpoint = notes.parse_checkpoint(opened.text)
    assert checkpoint.size == 6
    assert checkpoint.origin.endswith(f"/issuers/{issuer['id']}")

    hashes = _leaf_hashes(client, issuer["id"], regulator_headers, 6)
    assert merkle.root_from_leaf_hashes(hashes) == checkpoint.root

    for index in range(6):
        proof = client.get(
            f"{base}/proof/inclusion?index={index}&tree_size=6", headers=regulator_headers
        ).get_json()
        assert proof["index"] == index and proof["tree_size"] == 6
        assert b64d(proof["leaf_hash"]) == hashes[index]
        merkle.verify_inclusion(
            hashes[index], index, 6, [b64d(p) for p in proof["proof"]], checkpoint.root
        )

    older = client.get(f"{base}/checkpoint?tree_size=3", headers=regulator_headers)
    old_root = notes.parse_checkpoint(
        notes.open_note(older.get_data(as_text=True), _verifiers(client)).text
    ).root
    consistency = client.get(
        f"{base}/proof/consistency?first=3&second=6", headers=regulator_headers
    ).get_json()
    assert (consistency["first"], consistency["second"]) == (3, 6)
    merkle.verify_consistency(
        3, 6, [b64d(p) for p in consistency["proof"]], old_root, checkpoint.root
    )


def test_entries_are_paged_at_1000(app, client, regulator_headers):
    from app.commands import command
    from app.extensions import db

    with app.app_context(), command("test") as ctx:
        session, ledger = ctx.session, ctx.ledger
        issuer_id = "00000000-0000-4000-8000-0000000000aa"
        ledger.create_log(session, issuer_id)
        for n in range(1005):
            ledger.append(session, issuer_id, "test.event", "test", {"n": str(n)})
        from app.models.issuer import Issuer

        session.add(
            Issuer(
                id=issuer_id,
                legal_name="Paged Ltd",
                registration_number="P1",
                jurisdiction="GB",
                disclosure_profile="standard",
                registered_at=ledger.clock(),
                last_log_index=0,
            )
        )
    assert db is not None
    response = client.get(
        f"/api/v1/issuers/{issuer_id}/log/entries?start=3&end=1005", headers=regulator_headers
    )
    entries = response.get_json()["entries"]
    assert len(entries) == 1000
    assert entries[0]["index"] == 3 and entries[-1]["index"] == 1002


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("proof/inclusion?index=6&tree_size=6", "index"),
        ("proof/inclusion?index=0&tree_size=7", None),
        ("proof/inclusion?index=-1&tree_size=6", "index"),
        ("proof/inclusion?index=x&tree_size=6", "index"),
        ("proof/inclusion?tree_size=6", "index"),
        ("proof/consistency?first=5&second=3", "first"),
        ("proof/consistency?first=2&second=9", None),
        ("proof/consistency?first=0&second=3", "first"),
        ("entries?start=0&end=7", None),
        ("entries?start=4&end=4", "end"),
        ("entries?start=-2&end=4", "start"),
        ("checkpoint?tree_size=abc", "tree_size"),
        ("checkpoint?tree_size=99", None),
    ],
)
def test_bad_parameters_get_400_with_a_code_and_a_message(
    client, issuer, regulator_headers, path, field
):
    response = client.get(f"/api/v1/issuers/{issuer['id']}/log/{path}", headers=regulator_headers)
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] in {"invalid_parameters", "out_of_range"}
    assert body["message"]
    if field:
        assert field in body["errors"]


def test_a_size_without_a_checkpoint_is_404(client, app, regulator_headers, new_issuer):
    from app.commands import command

    issuer = new_issuer()
    with app.app_context(), command("test") as ctx:
        session, ledger = ctx.session, ctx.ledger
        for _ in range(3):
            ledger.append(session, issuer["id"], "test.event", "test", {})
    response = client.get(
        f"/api/v1/issuers/{issuer['id']}/log/checkpoint?tree_size=2", headers=regulator_headers
    )
    assert response.status_code == 404
    assert response.get_json()["code"] == "no_checkpoint"


def test_unknown_issuer_is_404(client, regulator_headers):
    response = client.get(
        "/api/v1/issuers/no-such-issuer/log/checkpoint", headers=regulator_headers
    )
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_log_reads_need_a_token_of_a_role_that_may_read(client, issuer, new_issuer, make_token):
    path = f"/api/v1/issuers/{issuer['id']}/log/checkpoint"
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer("slt_forged")).status_code == 401
    for role in ("operator", "regulator", "auditor"):
        assert client.get(path, headers=bearer(make_token(role))).status_code == 200
    own = bearer(make_token("secretary", issuer["id"]))
    assert client.get(path, headers=own).status_code == 200
    other = bearer(make_token("secretary", new_issuer()["id"]))
    response = client.get(path, headers=other)
    unknown = client.get("/api/v1/issuers/no-such-issuer/log/checkpoint", headers=other)
    # An issuer the caller may not see answers exactly as one that does not exist.
    assert response.status_code == unknown.status_code == 404
    assert response.get_json()["code"] == "not_found"


def test_a_client_can_check_its_checkpoint_is_still_in_the_log(client, issuer, regulator_headers):
    """After a fork, a client's old checkpoint of size M must be compared with the log's root
    at M: the proof answers both roots, and for M == N an empty proof with that root."""
    base = f"/api/v1/issuers/{issuer['id']}/log"
    roots = {}
    for size in (3, 6):
        note = client.get(f"{base}/checkpoint?tree_size={size}", headers=regulator_headers)
        opened = notes.open_note(note.get_data(as_text=True), _verifiers(client))
        roots[size] = notes.parse_checkpoint(opened.text).root
    same = client.get(f"{base}/proof/consistency?first=6&second=6", headers=regulator_headers)
    assert same.status_code == 200, same.get_json()
    body = same.get_json()
    assert body["proof"] == []
    assert b64d(body["first_root"]) == b64d(body["second_root"]) == roots[6]
    grown = client.get(
        f"{base}/proof/consistency?first=3&second=6", headers=regulator_headers
    ).get_json()
    assert (b64d(grown["first_root"]), b64d(grown["second_root"])) == (roots[3], roots[6])


def test_a_checkpoint_beyond_the_log_says_the_log_was_rolled_back(
    client, issuer, regulator_headers
):
    base = f"/api/v1/issuers/{issuer['id']}/log"
    response = client.get(f"{base}/proof/consistency?first=9&second=6", headers=regulator_headers)
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["code"] == "log_rolled_back"
    assert "the log is shorter than a checkpoint you hold" in body["message"]
    assert "9" in body["message"] and "6" in body["message"]
