"""The Atom 1.0 and JSON Feed 1.1 renderings of an issuer's disclosures, read back by
`feedparser` (as a feed reader would) and checked for the elements each format requires."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import feedparser
import pytest

from app.web.disclosure_feeds import (
    ATOM_NAMESPACE,
    JSON_FEED_VERSION,
    Feed,
    FeedEntry,
    atom_feed,
    issuer_feed_id,
    json_feed,
    series_entry_id,
)
from tests.support.disclosures import amend_disclosure, publish_disclosure, withdraw_disclosure
from tests.support.helpers import Clock, bearer

A = f"{{{ATOM_NAMESPACE}}}"
SERIES = uuid.uuid4().hex
FEED = Feed(
    id=issuer_feed_id("shareledger.localhost", "issuer-1", datetime(2026, 3, 1, tzinfo=UTC)),
    title="Acme Widgets Ltd: disclosures",
    author="Acme Widgets Ltd",
    self_url="https://example.test/issuers/issuer-1/disclosures.atom",
    home_url="https://example.test/issuers/issuer-1/disclosures",
    updated=datetime(2026, 3, 1, tzinfo=UTC),
)


def _entry(**changes) -> FeedEntry:
    fields = {
        "id": series_entry_id(SERIES),
        "title": "Annual report 2025 & accounts",
        "url": "https://example.test/issuers/issuer-1/disclosures/abc",
        "published": datetime(2026, 4, 1, 9, 30, tzinfo=UTC),
        "updated": datetime(2026, 4, 2, 10, 0, tzinfo=UTC),
        "summary": "The directors' report <and> the accounts.",
        "content_html": "<p>The report &lt;and&gt; <strong>the accounts</strong>.</p>",
        "category": "annual_report",
        "language": "en",
    }
    return FeedEntry(**{**fields, **changes})


def test_atom_feed_has_every_element_rfc_4287_requires():
    document = atom_feed(FEED, [_entry()])
    root = ElementTree.fromstring(document)
    assert root.tag == f"{A}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{A}{required}").text
    assert root.find(f"{A}author/{A}name").text == "Acme Widgets Ltd"
    self_link = root.find(f"{A}link[@rel='self']")
    assert self_link.get("href") == FEED.self_url
    (entry,) = root.findall(f"{A}entry")
    for required in ("id", "title", "updated", "summary"):
        assert entry.find(f"{A}{required}").text
    assert entry.find(f"{A}link[@rel='alternate']").get("href").endswith("/disclosures/abc")
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_feedparser_reads_the_atom_feed_back_unchanged():
    parsed = feedparser.parse(atom_feed(FEED, [_entry()]))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.id == FEED.id
    assert parsed.feed.id.startswith("tag:shareledger.localhost,2026-03-01:")
    assert parsed.feed.title == FEED.title
    assert parsed.feed.updated == "2026-04-02T10:00:00Z"
    assert parsed.feed.author == "Acme Widgets Ltd"
    (entry,) = parsed.entries
    assert entry.id == f"urn:uuid:{uuid.UUID(SERIES)}"
    assert entry.title == "Annual report 2025 & accounts"
    assert entry.link == "https://example.test/issuers/issuer-1/disclosures/abc"
    assert entry.published == "2026-04-01T09:30:00Z"
    assert entry.updated == "2026-04-02T10:00:00Z"
    assert entry.tags[0].term == "annual_report"
    # The HTML arrives as HTML (escaped once in the XML, not twice).
    assert "<strong>the accounts</strong>" in entry.content[0].value
    assert entry.content[0].type == "text/html"


def test_an_entry_keeps_its_id_when_the_series_is_amended():
    first = feedparser.parse(atom_feed(FEED, [_entry()]))
    amended = _entry(
        title="Annual report 2025 (corrected)",
        url="https://example.test/issuers/issuer-1/disclosures/def",
        updated=datetime(2026, 5, 1, tzinfo=UTC),
    )
    second = feedparser.parse(atom_feed(FEED, [amended]))
    assert first.entries[0].id == second.entries[0].id
    assert second.entries[0].updated == "2026-05-01T00:00:00Z"
    assert second.feed.updated == "2026-05-01T00:00:00Z"


def test_an_empty_atom_feed_is_still_valid():
    parsed = feedparser.parse(atom_feed(FEED, []))
    assert not parsed.bozo
    assert parsed.entries == []
    assert parsed.feed.updated == "2026-03-01T00:00:00Z"


def test_json_feed_has_the_fields_of_version_1_1():
    document = json_feed(FEED, [_entry()])
    # It is plain JSON: it survives a round trip through text.
    document = json.loads(json.dumps(document))
    assert document["version"] == JSON_FEED_VERSION
    assert document["title"] == FEED.title
    assert document["home_page_url"] == FEED.home_url
    assert document["feed_url"] == FEED.self_url
    (item,) = document["items"]
    assert item["id"] == f"urn:uuid:{uuid.UUID(SERIES)}"
    assert item["url"].endswith("/disclosures/abc")
    assert item["title"] == "Annual report 2025 & accounts"
    assert "<strong>the accounts</strong>" in item["content_html"]
    assert item["date_published"] == "2026-04-01T09:30:00Z"
    assert item["date_modified"] == "2026-04-02T10:00:00Z"
    assert item["tags"] == ["annual_report"]


# --- the feeds the app serves ----------------------------------------------------------------


@pytest.fixture
def issuer_id(app, new_issuer) -> str:
    # A clock the test moves on, so an amendment is later than what it amends.
    app.config["LEDGER_CLOCK"] = Clock(datetime(2026, 6, 1, 9, 0, tzinfo=UTC))
    return new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]


def _later(app, **delta) -> None:
    app.config["LEDGER_CLOCK"].now += timedelta(**delta)


def _atom(client, issuer_id):
    response = client.get(f"/issuers/{issuer_id}/disclosures.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _json(client, issuer_id) -> dict:
    response = client.get(f"/issuers/{issuer_id}/disclosures.json")
    assert response.status_code == 200
    assert response.mimetype == "application/feed+json"
    return json.loads(response.data)


def test_the_atom_feed_lists_the_public_items_with_every_required_element(app, client, issuer_id):
    first = publish_disclosure(app, issuer_id, title="Annual report 2025")
    _later(app, hours=1)
    second = publish_disclosure(
        app, issuer_id, title="Notice of AGM", body="The **AGM** is on 5 May.",
        body_format="markdown", category="shareholder_meeting_notice",
    )  # fmt: skip
    parsed = _atom(client, issuer_id)
    assert parsed.feed.id.startswith("tag:shareledger.localhost,")
    assert parsed.feed.id.endswith(f":issuers/{issuer_id}/disclosures")
    assert parsed.feed.title == "Harbour Lights Brewing Ltd: disclosures"
    assert parsed.feed.author == "Harbour Lights Brewing Ltd"
    assert parsed.feed.updated == "2026-06-01T10:00:00Z"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["self"] == f"http://localhost/issuers/{issuer_id}/disclosures.atom"
    assert links["alternate"] == f"http://localhost/issuers/{issuer_id}/disclosures"
    by_id = {entry.id: entry for entry in parsed.entries}
    assert set(by_id) == {series_entry_id(first.series_id), series_entry_id(second.series_id)}
    notice = by_id[series_entry_id(second.series_id)]
    assert notice.title == "Notice of AGM"
    assert notice.link == f"http://localhost/issuers/{issuer_id}/disclosures/{second.disclosure_id}"
    assert notice.updated == notice.published == "2026-06-01T10:00:00Z"
    assert notice.summary == "The AGM is on 5 May."
    assert "<strong>AGM</strong>" in notice.content[0].value
    assert notice.tags[0].term == "shareholder_meeting_notice"


def test_an_amendment_keeps_the_entry_id_and_updates_it(app, client, issuer_id):
    first = publish_disclosure(app, issuer_id, title="Annual report 2025")
    before = _atom(client, issuer_id).entries
    _later(app, days=2)
    amended = amend_disclosure(app, issuer_id, first.disclosure_id, title="Annual report (fixed)")
    after = _atom(client, issuer_id).entries
    assert len(before) == len(after) == 1
    assert before[0].id == after[0].id == series_entry_id(first.series_id)
    assert after[0].title == "Annual report (fixed)"
    assert after[0].link.endswith(f"/disclosures/{amended.disclosure_id}")
    assert after[0].published == before[0].published == "2026-06-01T09:00:00Z"
    assert after[0].updated == "2026-06-03T09:00:00Z"
    item = _json(client, issuer_id)["items"][0]
    assert item["id"] == after[0].id
    assert item["date_published"] == "2026-06-01T09:00:00Z"
    assert item["date_modified"] == "2026-06-03T09:00:00Z"


def test_a_withdrawal_updates_the_entry_and_says_why(app, client, issuer_id):
    first = publish_disclosure(app, issuer_id, title="Profit warning")
    _later(app, hours=3)
    withdraw_disclosure(app, issuer_id, first.disclosure_id, "figures were wrong")
    (entry,) = _atom(client, issuer_id).entries
    assert entry.id == series_entry_id(first.series_id)
    assert entry.title == "Withdrawn: Profit warning"
    assert entry.summary.startswith("Withdrawn: figures were wrong")
    assert entry.updated == "2026-06-01T12:00:00Z"


def test_members_items_appear_in_no_feed_whoever_asks(app, client, issuer_id, make_token):
    publish_disclosure(app, issuer_id, title="Public results")
    publish_disclosure(app, issuer_id, title="Board minutes", audience="members")
    headers = bearer(make_token("operator"))
    atom = client.get(f"/issuers/{issuer_id}/disclosures.atom", headers=headers)
    assert b"Board minutes" not in atom.data and b"Public results" in atom.data
    titles = [item["title"] for item in _json(client, issuer_id)["items"]]
    assert titles == ["Public results"]


def test_the_json_feed_matches_the_disclosures(app, client, issuer_id):
    first = publish_disclosure(app, issuer_id, title="Annual report 2025")
    _later(app, minutes=5)
    second = publish_disclosure(app, issuer_id, title="Material event", category="material_event")
    document = _json(client, issuer_id)
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["title"] == "Harbour Lights Brewing Ltd: disclosures"
    assert document["home_page_url"] == f"http://localhost/issuers/{issuer_id}/disclosures"
    assert document["feed_url"] == f"http://localhost/issuers/{issuer_id}/disclosures.json"
    found = {
        (item["id"], item["title"], item["url"], item["date_published"])
        for item in document["items"]
    }
    expected = {
        (series_entry_id(recorded.series_id), title, f"http://localhost/issuers/{issuer_id}"
         f"/disclosures/{recorded.disclosure_id}", when)
        for recorded, title, when in (
            (first, "Annual report 2025", "2026-06-01T09:00:00Z"),
            (second, "Material event", "2026-06-01T09:05:00Z"),
        )
    }  # fmt: skip
    assert found == expected
    assert all(item["content_html"].startswith("<p>") for item in document["items"])


def test_an_unknown_issuer_has_no_feed(client):
    assert client.get("/issuers/nobody/disclosures.atom").status_code == 404
    assert client.get("/issuers/nobody/disclosures.json").status_code == 404


def test_a_reader_that_has_the_feed_gets_a_304_until_the_log_grows(app, client, issuer_id):
    publish_disclosure(app, issuer_id, title="Annual report 2025")
    for path in (
        f"/issuers/{issuer_id}/disclosures.atom",
        f"/issuers/{issuer_id}/disclosures.json",
    ):
        first = client.get(path)
        etag = first.headers["ETag"]
        unchanged = client.get(path, headers={"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.data == b""
    publish_disclosure(app, issuer_id, title="Notice of AGM")
    changed = client.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Notice of AGM" in changed.data
    assert changed.headers["ETag"] != etag
