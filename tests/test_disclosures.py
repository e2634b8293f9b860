"""Disclosures through the services: publish, amend, withdraw, their refusals (each leaving
the log as it was), the content-addressed store, and the queries the pages build on."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.commands import command
from app.disclosures import queries, services
from app.disclosures.documents import current_store, read_document
from app.disclosures.errors import AttachmentTooLarge, DocumentCorrupt, UnsupportedMediaType
from app.disclosures.requests import UploadedFile, WithdrawDisclosure
from app.extensions import db
from app.ledger.log import read_entries
from app.models.disclosures import Document
from app.register.errors import InvalidInput, NotFound, Refused
from app.register.replay import replay_and_compare
from tests.support.disclosures import (
    CSV,
    PDF,
    amend_disclosure,
    amend_request,
    document_rows,
    log_size,
    publish_disclosure,
    publish_request,
    reload_store,
    sha,
    use_filesystem_store,
    withdraw_disclosure,
)
from tests.support.helpers import ACTOR, Clock


@pytest.fixture
def issuer_id(new_issuer) -> str:
    return new_issuer()["id"]


def entry(app, issuer_id: str, index: int) -> dict:
    with app.app_context():
        (leaf,) = read_entries(db.session, issuer_id, index, index + 1)
        return leaf.envelope


def test_publishing_records_the_hashes_of_the_body_and_every_file(app, issuer_id):
    recorded = publish_disclosure(
        app, issuer_id, attachments=(PDF, CSV), effective_date=date(2026, 3, 31)
    )

    envelope = entry(app, issuer_id, recorded.log_index)
    assert envelope["kind"] == "disclosure.published"
    assert envelope["data"] == {
        "disclosure_id": recorded.disclosure_id,
        "series_id": recorded.disclosure_id,
        "category": "annual_report",
        "title": "Annual report 2026",
        "language": "en",
        "effective_date": "2026-03-31",
        "audience": "public",
        "body_format": "text",
        "body_sha256": sha(b"The directors present their report for the year."),
        "attachments": [
            {
                "sha256": sha(PDF.content),
                "filename": "report.pdf",
                "media_type": "application/pdf",
                "size": len(PDF.content),
            },
            {
                "sha256": sha(CSV.content),
                "filename": "figures.csv",
                "media_type": "text/csv",
                "size": len(CSV.content),
            },
        ],
    }
    assert recorded.status == "current"
    assert recorded.version == 1
    with app.app_context():
        detail = queries.get_disclosure(
            db.session, issuer_id, recorded.disclosure_id, include_members=False
        )
        assert detail.body == "The directors present their report for the year."
        assert [a.sha256 for a in detail.attachments] == [sha(PDF.content), sha(CSV.content)]
        assert read_document(db.session, current_store(), sha(PDF.content)) == PDF.content


def test_identical_files_are_stored_once(app, issuer_id):
    first = publish_disclosure(app, issuer_id, attachments=(PDF,))
    rows = document_rows(app)
    renamed = UploadedFile("copy of report.pdf", "application/pdf", PDF.content)
    second = publish_disclosure(
        app, issuer_id, title="Same report again", attachments=(renamed, PDF)
    )

    assert first.new_documents == 2  # the body and the PDF
    assert second.new_documents == 0
    assert document_rows(app) == rows
    assert [a.filename for a in second.attachments] == ["copy of report.pdf", "report.pdf"]


def test_the_filesystem_store_keeps_each_file_once_under_its_hash(app, issuer_id, tmp_path):
    use_filesystem_store(app, tmp_path / "docs")
    publish_disclosure(app, issuer_id, attachments=(PDF,))
    publish_disclosure(app, issuer_id, title="Again", attachments=(PDF,))

    digest = sha(PDF.content)
    assert (tmp_path / "docs" / digest[:2] / digest).read_bytes() == PDF.content
    assert len(list((tmp_path / "docs").rglob("*"))) == 4  # two folders, two files
    with app.app_context():
        assert db.session.get(Document, (issuer_id, digest)).content is None


def test_amending_supersedes_the_version_and_links_both_ways(app, issuer_id):
    first = publish_disclosure(app, issuer_id)
    second = amend_disclosure(
        app,
        issuer_id,
        first.disclosure_id,
        kept_attachments=(sha(PDF.content),),
        attachments=(CSV,),
    )

    envelope = entry(app, issuer_id, second.log_index)
    assert envelope["kind"] == "disclosure.amended"
    assert envelope["data"]["supersedes"] == first.disclosure_id
    assert envelope["data"]["series_id"] == first.disclosure_id
    assert [a["filename"] for a in envelope["data"]["attachments"]] == ["report.pdf", "figures.csv"]
    with app.app_context():
        old = queries.get_disclosure(
            db.session, issuer_id, first.disclosure_id, include_members=False
        )
        new = queries.get_disclosure(
            db.session, issuer_id, second.disclosure_id, include_members=False
        )
        page = queries.disclosures_page(db.session, issuer_id, include_members=False)
    assert (old.status, old.superseded_by) == ("superseded", second.disclosure_id)
    assert (new.status, new.supersedes, new.version) == ("current", first.disclosure_id, 2)
    assert [v.disclosure_id for v in new.versions] == [first.disclosure_id, second.disclosure_id]
    assert [item.disclosure_id for item in page.items] == [second.disclosure_id]


def test_withdrawing_keeps_every_version_listed_as_withdrawn(app, issuer_id):
    first = publish_disclosure(app, issuer_id)
    second = amend_disclosure(app, issuer_id, first.disclosure_id)
    withdrawn = withdraw_disclosure(app, issuer_id, second.disclosure_id, "issued in error")

    assert entry(app, issuer_id, withdrawn.log_index)["data"] == {
        "disclosure_id": second.disclosure_id,
        "series_id": first.disclosure_id,
        "reason": "issued in error",
    }
    with app.app_context():
        page = queries.disclosures_page(db.session, issuer_id, include_members=False)
        old = queries.get_disclosure(
            db.session, issuer_id, first.disclosure_id, include_members=False
        )
    (item,) = page.items
    assert (item.disclosure_id, item.status, item.withdrawn_reason) == (
        second.disclosure_id,
        "withdrawn",
        "issued in error",
    )
    assert item.withdrawn_index == withdrawn.log_index
    assert old.status == "withdrawn"


def test_the_tables_replay_from_the_log(app, issuer_id):
    first = publish_disclosure(app, issuer_id, attachments=(PDF, CSV))
    second = amend_disclosure(app, issuer_id, first.disclosure_id)
    publish_disclosure(app, issuer_id, title="Members' notice", audience="members")
    withdraw_disclosure(app, issuer_id, second.disclosure_id)

    with app.app_context():
        report = replay_and_compare(db.session, issuer_id)
    assert report.rows_compared > 5


def refused(app, issuer_id: str, service, request, error: type) -> Exception:
    """Run a command that must be refused; the log and the store must be unchanged."""
    size, rows = log_size(app, issuer_id), document_rows(app)
    with pytest.raises(error) as caught, app.app_context(), command(ACTOR, issuer_id) as ctx:
        service(ctx, request)
    assert log_size(app, issuer_id) == size
    assert document_rows(app) == rows
    return caught.value


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"audience": "everyone"}, "audience"),
        ({"body_format": "html"}, "body_format"),
        ({"title": "  "}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": "two\nlines"}, "title"),
        ({"body": " \n "}, "body"),
        ({"body": "bell \x07"}, "body"),
        ({"language": "english please"}, "language"),
    ],
)
def test_bad_fields_are_refused(app, issuer_id, changes, field):
    error = refused(app, issuer_id, services.publish, publish_request(**changes), InvalidInput)
    assert error.details["field"] == field


def test_a_file_over_the_limit_is_refused(app, issuer_id):
    app.config["MAX_ATTACHMENT_BYTES"] = 1000
    reload_store(app)
    big = UploadedFile("big.pdf", "application/pdf", b"%" * 1001)
    error = refused(
        app,
        issuer_id,
        services.publish,
        publish_request(attachments=(CSV, big)),
        AttachmentTooLarge,
    )
    assert error.code == "attachment_too_large"
    assert "big.pdf" in error.message


def test_a_refused_type_is_refused(app, issuer_id):
    page = UploadedFile("page.html", "text/html", b"<script>alert(1)</script>")
    error = refused(
        app,
        issuer_id,
        services.publish,
        publish_request(attachments=(page,)),
        UnsupportedMediaType,
    )
    assert error.details["media_type"] == "text/html"


def test_an_unnamed_type_is_guessed_from_the_file_name(app, issuer_id):
    unnamed = UploadedFile("scan.png", "application/octet-stream", b"\x89PNG\r\n")
    recorded = publish_disclosure(app, issuer_id, attachments=(unnamed,))
    assert recorded.attachments[0].media_type == "image/png"


def test_only_the_current_version_can_be_amended_or_withdrawn(app, issuer_id):
    first = publish_disclosure(app, issuer_id)
    second = amend_disclosure(app, issuer_id, first.disclosure_id)

    error = refused(app, issuer_id, services.amend, amend_request(first.disclosure_id), Refused)
    assert (error.code, error.details["current"]) == ("superseded", second.disclosure_id)
    withdrawal = WithdrawDisclosure(first.disclosure_id, "stale")
    assert refused(app, issuer_id, services.withdraw, withdrawal, Refused).code == "superseded"

    withdraw_disclosure(app, issuer_id, second.disclosure_id)
    error = refused(app, issuer_id, services.amend, amend_request(second.disclosure_id), Refused)
    assert error.code == "withdrawn"
    withdrawal = WithdrawDisclosure(second.disclosure_id, "again")
    assert refused(app, issuer_id, services.withdraw, withdrawal, Refused).code == "withdrawn"


def test_unknown_versions_and_unknown_kept_files_are_refused(app, issuer_id):
    first = publish_disclosure(app, issuer_id)
    refused(app, issuer_id, services.amend, amend_request("0" * 32), NotFound)
    refused(app, issuer_id, services.withdraw, WithdrawDisclosure("0" * 32, "no"), NotFound)
    request = amend_request(first.disclosure_id, kept_attachments=(sha(b"never attached"),))
    error = refused(app, issuer_id, services.amend, request, InvalidInput)
    assert error.details["field"] == "kept_attachments"


def test_members_items_are_left_out_unless_included(app, issuer_id):
    public = publish_disclosure(app, issuer_id)
    members = publish_disclosure(
        app, issuer_id, title="Notice to members", body="For members only.", audience="members"
    )

    with app.app_context():
        session = db.session
        seen = queries.disclosures_page(session, issuer_id, include_members=False).items
        everything = queries.disclosures_page(session, issuer_id, include_members=True).items
        with pytest.raises(NotFound):
            queries.get_disclosure(session, issuer_id, members.disclosure_id, include_members=False)
        body_sha = members.body_sha256
        assert queries.disclosures_carrying(session, body_sha) == []
        assert [c.audience for c in queries.document_carriers(session, body_sha)] == ["members"]
    assert [item.disclosure_id for item in seen] == [public.disclosure_id]
    assert [item.disclosure_id for item in everything] == [
        members.disclosure_id,
        public.disclosure_id,
    ]


def test_the_list_pages_newest_first(app, issuer_id):
    published = [publish_disclosure(app, issuer_id, title=f"Item {n}") for n in range(5)]
    with app.app_context():
        first = queries.disclosures_page(db.session, issuer_id, include_members=False, limit=2)
        second = queries.disclosures_page(
            db.session, issuer_id, include_members=False, limit=2, after=first.next_after
        )
    newest = [item.disclosure_id for item in reversed(published)]
    assert [item.disclosure_id for item in first.items + second.items] == newest[:4]


def test_a_document_changed_behind_the_store_is_caught_when_read(app, issuer_id, tmp_path):
    use_filesystem_store(app, tmp_path / "docs")
    recorded = publish_disclosure(app, issuer_id)
    digest = sha(PDF.content)
    (tmp_path / "docs" / digest[:2] / digest).write_bytes(b"%PDF-1.7 a different report")

    with app.app_context(), pytest.raises(DocumentCorrupt) as caught:
        read_document(db.session, current_store(), digest)
    assert digest in str(caught.value)
    # The body is checked too, whenever a version is read.
    (tmp_path / "docs" / recorded.body_sha256[:2] / recorded.body_sha256).unlink()
    with app.app_context(), pytest.raises(DocumentCorrupt):
        queries.get_disclosure(db.session, issuer_id, recorded.disclosure_id, include_members=False)


def test_the_body_is_hashed_as_stored_and_the_date_defaults_to_the_day_recorded(app, issuer_id):
    app.config["LEDGER_CLOCK"] = Clock(datetime(2026, 6, 30, 9, 0, tzinfo=UTC))
    recorded = publish_disclosure(
        app,
        issuer_id,
        body="# Results\r\n\r\nRevenue *rose*.\r\n",
        body_format="markdown",
        language="en-GB",
    )

    data = entry(app, issuer_id, recorded.log_index)["data"]
    assert data["effective_date"] == "2026-06-30"
    assert (data["body_format"], data["language"]) == ("markdown", "en-GB")
    assert data["body_sha256"] == sha(b"# Results\n\nRevenue *rose*.\n")
    with app.app_context():
        detail = queries.get_disclosure(
            db.session, issuer_id, recorded.disclosure_id, include_members=False
        )
        (carrier,) = queries.disclosures_carrying(db.session, data["body_sha256"])
    assert detail.body == "# Results\n\nRevenue *rose*.\n"
    assert (carrier.carried_as, carrier.media_type) == ("body", "text/markdown; charset=utf-8")


def test_documents_kept_in_the_database_still_read_once_the_store_is_the_filesystem(
    app, issuer_id, tmp_path
):
    recorded = publish_disclosure(app, issuer_id)
    use_filesystem_store(app, tmp_path / "docs")

    with app.app_context():
        assert read_document(db.session, current_store(), sha(PDF.content)) == PDF.content
        detail = queries.get_disclosure(
            db.session, issuer_id, recorded.disclosure_id, include_members=False
        )
    assert detail.body == "The directors present their report for the year."
