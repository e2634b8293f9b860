"""The Atom 1.0 and JSON Feed 1.1 renderings of an issuer's disclosures, read back by
`feedparser` (as a feed reader would) and checked for the elements each format requires."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from xml.etree import ElementTree

import feedparser

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
