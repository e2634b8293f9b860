"""Documents through the API: downloads checked against their hash (a stored file changed
behind the service's back fails loudly), and where a document was disclosed, with the proof
of inclusion a verifier checks against the published key."""

from __future__ import annotations

import json
import logging
from base64 import b64decode

import pytest
from sqlalchemy import text

from app import append_only
from app.extensions import db
from app.ledger import merkle, notes
from tests.support.disclosures import (
    PDF,
    api_amend,
    api_published,
    api_withdraw,
    sha,
    use_filesystem_store,
)
from tests.support.helpers import bearer


@pytest.fixture
def issuer_id(new_issuer) -> str:
    return new_issuer()["id"]


@pytest.fixture
def secretary(make_token, issuer_id) -> dict[str, str]:
    return bearer(make_token("secretary", issuer_id))


def test_a_tampered_stored_document_fails_the_download_loudly(
    app, client, issuer_id, secretary, caplog
):
    created = api_published(client, issuer_id, secretary)
    digest = sha(PDF.content)
    with app.app_context(), db.engine.begin() as connection:
        for statement in append_only.drop_statements(connection.dialect.name, "documents"):
            connection.execute(text(statement))
        connection.execute(
            text("UPDATE documents SET content = :forged WHERE sha256 = :sha"),
            {"forged": b"%PDF-1.7 a rosier report", "sha": digest},
        )

    with caplog.at_level(logging.ERROR):
        response = client.get(f"/api/v1/documents/{digest}")
    assert response.status_code == 500
    assert response.get_json()["code"] == "document_corrupt"
    assert digest in response.get_json()["message"]
    assert any("document_corrupt" in record.getMessage() for record in caplog.records)
    # The version itself still reads: its body is intact.
    detail = client.get(f"/api/v1/issuers/{issuer_id}/disclosures/{created['disclosure_id']}")
    assert detail.status_code == 200


def test_a_file_overwritten_in_the_document_directory_fails_the_download(
    app, client, issuer_id, secretary, tmp_path
):
    use_filesystem_store(app, tmp_path / "documents")
    api_published(client, issuer_id, secretary)
    digest = sha(PDF.content)
    (tmp_path / "documents" / digest[:2] / digest).write_bytes(b"%PDF-1.7 replaced")

    response = client.get(f"/api/v1/documents/{digest}")
    assert (response.status_code, response.get_json()["code"]) == (500, "document_corrupt")


def test_where_a_document_was_disclosed_lists_every_status_with_a_proof(
    app, client, issuer_id, secretary, new_issuer, make_token
):
    first = api_published(client, issuer_id, secretary)
    second = api_amend(client, issuer_id, first["disclosure_id"], secretary).get_json()
    other_issuer = new_issuer(legal_name="Other Holdings plc")["id"]
    elsewhere = api_published(
        client, other_issuer, bearer(make_token("secretary", other_issuer)), title="Copy"
    )
    digest = sha(PDF.content)

    def carriers() -> list[tuple[str, str, str]]:
        response = client.get(f"/api/v1/documents/{digest}/disclosures")
        assert response.status_code == 200, response.get_json()
        return response.get_json()["disclosures"]

    found = carriers()
    assert sorted((c["disclosure_id"], c["status"]) for c in found) == sorted(
        [
            (first["disclosure_id"], "superseded"),
            (second["disclosure_id"], "current"),
            (elsewhere["disclosure_id"], "current"),
        ]
    )
    assert {c["issuer_name"] for c in found} == {"Acme Widgets Ltd", "Other Holdings plc"}
    for carrier in found:
        check_inclusion(client, carrier, digest)

    api_withdraw(client, issuer_id, second["disclosure_id"], secretary)
    statuses = {c["disclosure_id"]: c["status"] for c in carriers()}
    assert statuses[first["disclosure_id"]] == statuses[second["disclosure_id"]] == "withdrawn"
    assert statuses[elsewhere["disclosure_id"]] == "current"

    nowhere = client.get(f"/api/v1/documents/{sha(b'never disclosed')}/disclosures")
    assert (nowhere.status_code, nowhere.get_json()["code"]) == (404, "not_disclosed")


def check_inclusion(client, carrier: dict, digest: str) -> None:
    """What a verifier does with the answer: the leaf names the hash, the proof leads from
    the leaf to the root of a checkpoint signed by the published key."""
    inclusion = carrier["inclusion"]
    leaf = b64decode(inclusion["leaf"])
    assert digest in {a["sha256"] for a in json.loads(leaf)["data"]["attachments"]}
    vkeys = [key["vkey"] for key in client.get("/api/v1/log/keys").get_json()["keys"]]
    opened = notes.open_note(inclusion["checkpoint"], [notes.parse_vkey(k) for k in vkeys])
    checkpoint = notes.parse_checkpoint(opened.text)
    assert checkpoint.size == inclusion["tree_size"]
    merkle.verify_inclusion(
        merkle.leaf_hash(leaf),
        inclusion["index"],
        inclusion["tree_size"],
        [b64decode(node) for node in inclusion["proof"]],
        checkpoint.root,
    )
