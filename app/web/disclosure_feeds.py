"""An issuer's public disclosures as an Atom 1.0 feed (RFC 4287) and a JSON Feed 1.1.

One feed entry per disclosure *series*: an amendment updates the entry (same id, newer
`updated`) rather than adding one, so a feed reader shows the current version and does not
list an amended item twice; a withdrawal updates it too, saying so. The entry id is the
`urn:uuid:` of the series id, which every version shares. The renderers take plain data, so
they know nothing of the database or of Flask."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree

ATOM_NAMESPACE = "http://www.w3.org/2005/Atom"
ATOM_MEDIA_TYPE = "application/atom+xml"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
JSON_FEED_MEDIA_TYPE = "application/feed+json"


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    author: str
    self_url: str  # the feed's own address
    home_url: str  # the HTML list of the same disclosures
    updated: datetime  # used when there is no entry to take it from
    language: str | None = None


@dataclass(frozen=True)
class FeedEntry:
    id: str
    title: str
    url: str
    published: datetime  # the series' first publication
    updated: datetime  # its latest change: amendment or withdrawal
    summary: str  # plain text
    content_html: str  # safe HTML
    category: str
    language: str | None = None


def series_entry_id(series_id: str) -> str:
    """The id of a disclosure's feed entry: the same for every version of it."""
    return uuid.UUID(hex=series_id).urn


def issuer_feed_id(log_origin: str, issuer_id: str, registered: datetime) -> str:
    """A tag: URI (RFC 4151) under the log's origin name, dated when the issuer was registered,
    so it stays the same wherever the service is hosted."""
    authority = log_origin.split("/", 1)[0]
    return f"tag:{authority},{registered:%Y-%m-%d}:issuers/{issuer_id}/disclosures"


def rfc3339(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def feed_updated(feed: Feed, entries: list[FeedEntry]) -> datetime:
    return max((entry.updated for entry in entries), default=feed.updated)


def atom_feed(feed: Feed, entries: list[FeedEntry]) -> bytes:
    """The feed as Atom 1.0 XML, UTF-8 with its declaration."""
    ElementTree.register_namespace("", ATOM_NAMESPACE)

    def child(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes):
        element = ElementTree.SubElement(parent, f"{{{ATOM_NAMESPACE}}}{tag}", attributes)
        element.text = text
        return element

    root = ElementTree.Element(f"{{{ATOM_NAMESPACE}}}feed")
    if feed.language:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", feed.language)
    child(root, "id", feed.id)
    child(root, "title", feed.title)
    child(root, "updated", rfc3339(feed_updated(feed, entries)))
    child(child(root, "author"), "name", feed.author)
    child(root, "link", rel="self", type=ATOM_MEDIA_TYPE, href=feed.self_url)
    child(root, "link", rel="alternate", type="text/html", href=feed.home_url)
    child(root, "generator", "ShareLedger")
    for entry in entries:
        item = child(root, "entry")
        if entry.language:
            item.set("{http://www.w3.org/XML/1998/namespace}lang", entry.language)
        child(item, "id", entry.id)
        child(item, "title", entry.title)
        child(item, "published", rfc3339(entry.published))
        child(item, "updated", rfc3339(entry.updated))
        child(item, "link", rel="alternate", type="text/html", href=entry.url)
        child(item, "category", term=entry.category)
        child(item, "summary", entry.summary)
        # The HTML is text here: ElementTree escapes it, as Atom's type="html" expects.
        child(item, "content", entry.content_html, type="html")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def json_feed(feed: Feed, entries: list[FeedEntry]) -> dict:
    """The feed as a JSON Feed 1.1 object."""
    document: dict = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "authors": [{"name": feed.author}],
        "items": [
            {
                "id": entry.id,
                "url": entry.url,
                "title": entry.title,
                "content_html": entry.content_html,
                "summary": entry.summary,
                "date_published": rfc3339(entry.published),
                "date_modified": rfc3339(entry.updated),
                "tags": [entry.category],
                **({"language": entry.language} if entry.language else {}),
            }
            for entry in entries
        ],
    }
    if feed.language:
        document["language"] = feed.language
    return document
