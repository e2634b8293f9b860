"""The disclosures API over real HTTP (the Flask test client): multipart publishing and
amending, withdrawal, refusals that write nothing, who sees members' items, retries."""

from __future__ import annotations

import io

import pytest

from app.register import holders
from app.register.requests import CeaseHolder
from tests.support.disclosures import (
    CSV,
    PDF,
    api_amend,
    api_publish,
    api_published,
    api_withdraw,
    document_rows,
    form_of,
    log_size,
    publish_request,
    reload_store,
    sha,
)
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    add_holders,
    bearer,
    investor_token,
    submit,
)


@pytest.fixture
def issuer_id(new_issuer) -> str:
    return new_issuer()["id"]


@pytest.fixture
def secretary(make_token, issuer_id) -> dict[str, str]:
    return bearer(make_token("secretary", issuer_id))


def test_a_secretary_publishes_with_files_and_anyone_reads_it(app, client, issuer_id, secretary):
    created = api_publish(client, issuer_id, secretary, attachments=(PDF, CSV))

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
    assert "immutable" in download.headers["Cache-Control"]
    unchanged = client.get(
        body["attachments"][0]["url"], headers={"If-None-Match": download.headers["ETag"]}
    )
    assert unchanged.status_code == 304
    body_download = client.get(body["body_url"])
    assert body_download.data.decode() == body["body"]
    assert body_download.mimetype == "text/plain"


def test_the_same_file_uploaded_again_stores_nothing_new(app, client, issuer_id, secretary):
    api_published(client, issuer_id, secretary, attachments=(PDF,))
    rows = document_rows(app)
    again = api_published(client, issuer_id, secretary, title="Report, filed again")

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
        (other_secretary, 404),  # an issuer it may not see answers like an unknown one
        (bearer(make_token("regulator")), 403),
        (investor_token(runner, issuer_id, holder_id), 403),
    ]
    for headers, status in cases:
        response = api_publish(client, issuer_id, headers)
        assert response.status_code == status, (headers, response.get_json())
    # Refused before the body is read: an oversized or malformed upload gets the same answer.
    oversized = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=form_of(publish_request(), attachments=[(io.BytesIO(b"%" * 2**21), "huge.pdf")]),
        headers=other_secretary,
        content_type="multipart/form-data",
    )
    assert oversized.status_code == 404
    malformed = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=b"--no-such-boundary",
        content_type="multipart/form-data; boundary=x",
    )
    assert malformed.status_code == 401
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
        ({"title": "nul \x00 inside"}, 422, "invalid_input"),
        ({"body": "nul \x00 inside"}, 422, "invalid_input"),
        (
            {"attachments": [(b"<script>alert(1)</script>", "x.html", "text/html")]},
            415,
            "unsupported_media_type",
        ),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    app, client, issuer_id, secretary, form, status, code
):
    size = log_size(app, issuer_id)
    if "attachments" in form:  # each run sends its own file (the client closes what it sent)
        form = {"attachments": [(io.BytesIO(data), *rest) for data, *rest in form["attachments"]]}
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
    reload_store(app)
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


def test_a_body_over_its_limit_is_refused_with_413(app, client, issuer_id, secretary):
    size = log_size(app, issuer_id)
    response = api_publish(client, issuer_id, secretary, body="x" * 1_200_000)
    assert (response.status_code, response.get_json()["code"]) == (413, "body_too_large")
    assert log_size(app, issuer_id) == size


def test_a_json_or_malformed_body_is_not_a_publication(client, issuer_id, secretary):
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures", json={"title": "x"}, headers=secretary
    )
    assert (response.status_code, response.get_json()["code"]) == (415, "unsupported_media_type")
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/disclosures",
        data=b"--no-such-boundary",
        headers=secretary,
        content_type="multipart/form-data; boundary=x",
    )
    assert (response.status_code, response.get_json()["code"]) == (422, "invalid_input")


def test_amend_then_withdraw_and_the_refusals_of_stale_versions(app, client, issuer_id, secretary):
    first = api_published(client, issuer_id, secretary)
    response = api_amend(
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
    stale = api_amend(client, issuer_id, first["disclosure_id"], secretary)
    assert (stale.status_code, stale.get_json()["code"]) == (409, "superseded")
    assert stale.get_json()["details"]["current"] == second["disclosure_id"]
    stale = api_withdraw(client, issuer_id, first["disclosure_id"], secretary)
    assert (stale.status_code, stale.get_json()["code"]) == (409, "superseded")
    unknown = api_amend(client, issuer_id, "f" * 32, secretary)
    assert (unknown.status_code, unknown.get_json()["code"]) == (404, "not_found")
    assert log_size(app, issuer_id) == size

    withdrawn = api_withdraw(
        client, issuer_id, second["disclosure_id"], secretary, "filed in error"
    )
    assert withdrawn.status_code == 200, withdrawn.get_json()
    assert (withdrawn.get_json()["status"], withdrawn.get_json()["withdrawn_reason"]) == (
        "withdrawn",
        "filed in error",
    )
    size = log_size(app, issuer_id)
    again = api_withdraw(client, issuer_id, second["disclosure_id"], secretary)
    assert (again.status_code, again.get_json()["code"]) == (409, "withdrawn")
    late = api_amend(client, issuer_id, second["disclosure_id"], secretary)
    assert (late.status_code, late.get_json()["code"]) == (409, "withdrawn")
    blank = api_withdraw(client, issuer_id, second["disclosure_id"], secretary, reason=" ")
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
    public = api_published(client, issuer_id, secretary)
    notice = (io.BytesIO(b"agenda for members"), "agenda.txt", "text/plain")
    members = api_published(
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


def test_a_retried_publication_with_an_idempotency_key_writes_once(
    app, client, issuer_id, secretary
):
    headers = {**secretary, "Idempotency-Key": "publish-annual-report-2026"}
    first = api_publish(client, issuer_id, headers)
    size = log_size(app, issuer_id)
    retry = api_publish(client, issuer_id, headers)

    assert first.status_code == retry.status_code == 201
    assert retry.headers["Idempotency-Replayed"] == "true"
    assert retry.get_json() == first.get_json()
    assert log_size(app, issuer_id) == size
    changed = api_publish(client, issuer_id, headers, title="Another report")
    assert (changed.status_code, changed.get_json()["code"]) == (422, "idempotency_key_reused")


def test_unknown_issuers_versions_and_pages_are_refused(client, issuer_id, secretary):
    api_published(client, issuer_id, secretary)
    path = f"/api/v1/issuers/{issuer_id}/disclosures"
    assert client.get("/api/v1/issuers/no-such-issuer/disclosures").status_code == 404
    missing = client.get(f"{path}/{'0' * 32}")
    assert (missing.status_code, missing.get_json()["code"]) == (404, "not_found")
    stray = client.get(path, query_string={"after": "0" * 32})
    assert (stray.status_code, stray.get_json()["code"]) == (422, "unknown_after")
    unknown_file = client.get(f"/api/v1/documents/{sha(b'nothing')}")
    assert unknown_file.status_code == 404
