"""The disclosures API over real HTTP (the Flask test client): multipart publishing and
amending, withdrawal, refusals that write nothing, who sees members' items, downloads checked
against their hash, and where a document was disclosed, with a proof anyone can check."""

from __future__ import annotations

import hashlib
import io
import logging
from base64 import b64decode

import pytest
from sqlalchemy import func, select, text

from app import append_only
from app.extensions import db
from app.ledger import merkle, notes
from app.ledger.log import signed_size
from app.models.disclosures import Document
from app.register import holders
from app.register.requests import CeaseHolder
from tests.support.disclosures import CSV, PDF, form_of, publish_request
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    add_holders,
    bearer,
    investor_token,
    submit,
)


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def issuer_id(new_issuer) -> str:
    return new_issuer()["id"]


@pytest.fixture
def secretary(make_token, issuer_id) -> dict[str, str]:
    return bearer(make_token("secretary", issuer_id))


def publish(client, issuer_id, headers, **changes):
    return client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=form_of(publish_request(**changes)),
        headers=headers,
        content_type="multipart/form-data",
    )


def published(client, issuer_id, headers, **changes) -> dict:
    response = publish(client, issuer_id, headers, **changes)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def amend(client, issuer_id, disclosure_id, headers, **form):
    return client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures/{disclosure_id}/amendments",
        data=form_of(publish_request(title="Annual report 2026 (corrected)"), **form),
        headers=headers,
        content_type="multipart/form-data",
    )


def withdraw(client, issuer_id, disclosure_id, headers, reason="published in error"):
    return client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures/{disclosure_id}/withdrawal",
        json={"reason": reason},
        headers=headers,
    )


def log_size(app, issuer_id) -> int:
    with app.app_context():
        return signed_size(db.session, issuer_id)


def document_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Document))


def test_a_secretary_publishes_with_files_and_anyone_reads_it(app, client, issuer_id, secretary):
    created = publish(client, issuer_id, secretary, attachments=(PDF, CSV))

    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert created.headers["Location"].endswith(f"/disclosures/{body['disclosure_id']}")
    assert (body["status"], body["version"], body["audience"]) == ("current", 1, "public")
    assert body["body"] == "The directors present their report for the year."
    assert body["log_index"] == log_size(app, issuer_id) - 1
    assert [(a["filename"], a["sha256"], a["size"]) for a in body["attachments"]] == [
        ("report.pdf", sha(PDF.content), len(PDF.content)),
        ("figures.csv", sha(CSV.content), len(CSV.content)),
    ]
    anonymous = client.get(f"/api/v1/issuers/{issuer_id}/disclosures/{body['disclosure_id']}")
    assert anonymous.status_code == 200
    assert anonymous.get_json() == body
    listed = client.get(f"/api/v1/issuers/{issuer_id}/disclosures").get_json()
    assert [item["disclosure_id"] for item in listed["disclosures"]] == [body["disclosure_id"]]

    download = client.get(body["attachments"][0]["url"])
    assert download.status_code == 200
    assert download.data == PDF.content
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == "attachment; filename=report.pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["ETag"] == f'"{sha(PDF.content)}"'
    body_download = client.get(body["body_url"])
    assert body_download.data.decode() == body["body"]
    assert body_download.mimetype == "text/plain"


def test_the_same_file_uploaded_again_stores_nothing_new(app, client, issuer_id, secretary):
    published(client, issuer_id, secretary, attachments=(PDF,))
    rows = document_rows(app)
    again = published(client, issuer_id, secretary, title="Report, filed again")

    assert document_rows(app) == rows
    assert again["attachments"][0]["sha256"] == sha(PDF.content)


def test_only_the_issuers_secretary_may_publish(
    app, client, issuer_id, make_token, new_issuer, runner
):
    (holder_id,) = add_holders_in(app, issuer_id, HOLDER_A)
    other_secretary = bearer(make_token("secretary", new_issuer()["id"]))
    size = log_size(app, issuer_id)
    cases = [
        ({}, 401),
        (bearer("not-a-token"), 401),
        (other_secretary, 403),
        (bearer(make_token("regulator")), 403),
        (investor_token(runner, issuer_id, holder_id), 403),
    ]
    for headers, status in cases:
        response = publish(client, issuer_id, headers)
        assert response.status_code == status, (headers, response.get_json())
    assert log_size(app, issuer_id) == size
    assert document_rows(app) == 0


def add_holders_in(app, issuer_id, *details):
    with app.app_context():
        return add_holders(issuer_id, *details)


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"category": "gossip"}, 422, "invalid_input"),
        ({"title": ""}, 422, "invalid_input"),
        ({"audience": "everyone"}, 422, "invalid_input"),
        ({"effective_date": "31/03/2026"}, 422, "invalid_input"),
        ({"body": "bell \x07"}, 422, "invalid_input"),
        (
            {"attachments": [(io.BytesIO(b"<script>alert(1)</script>"), "x.html", "text/html")]},
            415,
            "unsupported_media_type",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    app, client, issuer_id, secretary, form, status, code
):
    size = log_size(app, issuer_id)
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=form_of(publish_request(), **form),
        headers=secretary,
        content_type="multipart/form-data",
    )
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert response.get_json()["message"]
    assert log_size(app, issuer_id) == size
    assert document_rows(app) == 0


def test_a_file_over_the_limit_is_refused_with_413(app, client, issuer_id, secretary):
    app.config["MAX_ATTACHMENT_BYTES"] = 1000
    app.extensions.pop("document_store", None)
    size = log_size(app, issuer_id)
    big = (io.BytesIO(b"%" * 1001), "big.pdf", "application/pdf")

    response = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=form_of(publish_request(), attachments=[big]),
        headers=secretary,
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == "attachment_too_large"
    assert "big.pdf" in response.get_json()["message"]
    # A request larger than all the files together may be is refused before it is read.
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=form_of(publish_request(), attachments=[(io.BytesIO(b"%" * 2**21), "huge.pdf")]),
        headers=secretary,
        content_type="multipart/form-data",
    )
    assert (response.status_code, response.get_json()["code"]) == (413, "attachment_too_large")
    assert response.get_json()["message"].startswith("the upload is too large")
    many = [(io.BytesIO(b"%"), f"{n}.pdf", "application/pdf") for n in range(21)]
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=form_of(publish_request(), attachments=many),
        headers=secretary,
        content_type="multipart/form-data",
    )
    assert (response.status_code, response.get_json()["code"]) == (422, "invalid_input")
    assert log_size(app, issuer_id) == size
    assert document_rows(app) == 0


def test_a_json_body_is_not_a_publication(client, issuer_id, secretary):
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures", json={"title": "x"}, headers=secretary
    )
    assert (response.status_code, response.get_json()["code"]) == (415, "unsupported_media_type")


def test_amend_then_withdraw_and_the_refusals_of_stale_versions(app, client, issuer_id, secretary):
    first = published(client, issuer_id, secretary)
    response = amend(
        client,
        issuer_id,
        first["disclosure_id"],
        secretary,
        attachments=[],
        kept_attachments=[sha(PDF.content)],
    )
    assert response.status_code == 201, response.get_json()
    second = response.get_json()
    assert (second["version"], second["supersedes"]) == (2, first["disclosure_id"])
    assert second["attachments"][0]["sha256"] == sha(PDF.content)
    assert [v["disclosure_id"] for v in second["versions"]] == [
        first["disclosure_id"],
        second["disclosure_id"],
    ]
    old = client.get(f"/api/v1/issuers/{issuer_id}/disclosures/{first['disclosure_id']}")
    assert (old.get_json()["status"], old.get_json()["superseded_by"]) == (
        "superseded",
        second["disclosure_id"],
    )

    size = log_size(app, issuer_id)
    stale = amend(client, issuer_id, first["disclosure_id"], secretary)
    assert (stale.status_code, stale.get_json()["code"]) == (409, "superseded")
    assert stale.get_json()["details"]["current"] == second["disclosure_id"]
    stale = withdraw(client, issuer_id, first["disclosure_id"], secretary)
    assert (stale.status_code, stale.get_json()["code"]) == (409, "superseded")
    unknown = amend(client, issuer_id, "f" * 32, secretary)
    assert (unknown.status_code, unknown.get_json()["code"]) == (404, "not_found")
    assert log_size(app, issuer_id) == size

    withdrawn = withdraw(client, issuer_id, second["disclosure_id"], secretary, "filed in error")
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert (withdrawn.get_json()["status"], withdrawn.get_json()["withdrawn_reason"]) == (
        "withdrawn",
        "filed in error",
    )
    size = log_size(app, issuer_id)
    again = withdraw(client, issuer_id, second["disclosure_id"], secretary)
    assert (again.status_code, again.get_json()["code"]) == (409, "withdrawn")
    late = amend(client, issuer_id, second["disclosure_id"], secretary)
    assert (late.status_code, late.get_json()["code"]) == (409, "withdrawn")
    blank = withdraw(client, issuer_id, second["disclosure_id"], secretary, reason=" ")
    assert blank.status_code == 422
    assert log_size(app, issuer_id) == size
    listed = client.get(f"/api/v1/issuers/{issuer_id}/disclosures").get_json()["disclosures"]
    assert [(item["disclosure_id"], item["status"]) for item in listed] == [
        (second["disclosure_id"], "withdrawn")
    ]


def test_members_items_are_invisible_to_anonymous_readers(
    app, client, issuer_id, secretary, make_token, runner
):
    member, former = add_holders_in(app, issuer_id, HOLDER_A, HOLDER_B)
    public = published(client, issuer_id, secretary)
    notice = (io.BytesIO(b"agenda for members"), "agenda.txt", "text/plain")
    members = published(
        client,
        issuer_id,
        secretary,
        title="Notice of the general meeting",
        body="Members only: the agenda is attached.",
        audience="members",
        category="shareholder_meeting_notice",
        attachments=(),
    )
    members = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures/{members['disclosure_id']}/amendments",
        data=form_of(
            publish_request(body="Members only: the agenda.", audience="members"),
            attachments=[notice],
        ),
        headers=secretary,
        content_type="multipart/form-data",
    ).get_json()
    agenda_url = members["attachments"][0]["url"]
    path = f"/api/v1/issuers/{issuer_id}/disclosures"

    def listed(headers) -> list[str]:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.get_json()
        return [item["disclosure_id"] for item in response.get_json()["disclosures"]]

    everything = [members["disclosure_id"], public["disclosure_id"]]
    assert listed({}) == [public["disclosure_id"]]
    assert client.get(f"{path}/{members['disclosure_id']}").status_code == 404
    assert client.get(agenda_url).status_code == 404
    assert client.get(f"{agenda_url}/disclosures").get_json()["code"] == "not_disclosed"
    assert client.get(path, headers=bearer("forged")).status_code == 401

    investor = investor_token(runner, issuer_id, member)
    for allowed in (investor, secretary, bearer(make_token("regulator"))):
        assert listed(allowed) == everything
        assert client.get(f"{path}/{members['disclosure_id']}", headers=allowed).status_code == 200
        download = client.get(agenda_url, headers=allowed)
        assert (download.status_code, download.data) == (200, b"agenda for members")
        assert "private" in download.headers["Cache-Control"]
    # A member who ceased, and an investor token that acts for nobody, are outsiders.
    with app.app_context():
        submit(issuer_id, holders.cease_holder, CeaseHolder(former))
    outsiders = [investor_token(runner, issuer_id, former), investor_token(runner, issuer_id, None)]
    for outsider in outsiders:
        assert listed(outsider) == [public["disclosure_id"]]
        assert client.get(agenda_url, headers=outsider).status_code == 404


def test_a_tampered_stored_document_fails_the_download_loudly(
    app, client, issuer_id, secretary, caplog
):
    created = published(client, issuer_id, secretary)
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
    app.config.update(DOCUMENT_STORE="filesystem", DOCUMENT_DIR=str(tmp_path / "documents"))
    app.extensions.pop("document_store", None)
    published(client, issuer_id, secretary)
    digest = sha(PDF.content)
    (tmp_path / "documents" / digest[:2] / digest).write_bytes(b"%PDF-1.7 replaced")

    response = client.get(f"/api/v1/documents/{digest}")
    assert (response.status_code, response.get_json()["code"]) == (500, "document_corrupt")


def test_where_a_document_was_disclosed_lists_every_status_with_a_proof(
    app, client, issuer_id, secretary, new_issuer, make_token
):
    first = published(client, issuer_id, secretary)
    second = amend(client, issuer_id, first["disclosure_id"], secretary).get_json()
    other_issuer = new_issuer(legal_name="Other Holdings plc")["id"]
    elsewhere = published(
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

    withdraw(client, issuer_id, second["disclosure_id"], secretary)
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
    assert digest in {a["sha256"] for a in _leaf_data(leaf)["attachments"]}
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


def _leaf_data(leaf: bytes) -> dict:
    import json

    return json.loads(leaf)["data"]


def test_a_retried_publication_with_an_idempotency_key_writes_once(
    app, client, issuer_id, secretary
):
    headers = {**secretary, "Idempotency-Key": "publish-annual-report-2026"}
    first = publish(client, issuer_id, headers)
    size = log_size(app, issuer_id)
    retry = publish(client, issuer_id, headers)

    assert first.status_code == retry.status_code == 201
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    assert log_size(app, issuer_id) == size
    changed = publish(client, issuer_id, headers, title="Another report")
    assert (changed.status_code, changed.get_json()["code"]) == (422, "idempotency_key_reused")
