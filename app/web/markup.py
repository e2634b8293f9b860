"""A disclosure's body as safe HTML: plain text kept as typed, Markdown rendered without any
raw HTML, and the result sanitised once more so that nothing but a small set of formatting
tags and plain web links reaches a page or a feed.

Two layers on purpose: markdown-it with `html` off escapes any HTML a secretary types, and nh3
(an allow-list sanitiser) removes whatever a future Markdown option or plugin might let
through. Images are not allowed: a remote image would tell a third party who read the
disclosure, and the page's CSP would block it anyway: an image becomes a link to it."""

from __future__ import annotations

from functools import lru_cache, wraps

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

BODY_FORMATS = ("text", "markdown")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def _image_as_link(renderer, tokens, index, options, env) -> str:
    token = tokens[index]
    alt = renderer.renderInlineAsText(token.children or [], options, env) or "image"
    return f'<a href="{escape(token.attrGet("src") or "")}">{escape(alt)}</a>'


_markdown.add_render_rule("image", _image_as_link)

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
        "h6", "hr", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th",
        "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitise(html: str) -> str:
    """Only ALLOWED_TAGS with their allowed attributes; links to http(s) and mailto only, each
    marked so that it passes no referrer and no ranking credit."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def _plain_text(body: str) -> str:
    """Paragraphs at blank lines, line breaks kept, everything else escaped."""
    paragraphs = [part.strip("\n") for part in body.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        "<p>" + "<br>\n".join(escape(line) for line in part.split("\n")) + "</p>\n"
        for part in paragraphs
        if part.strip()
    )


# Rendering is a pure function of the text, and a feed renders the same bodies on every poll:
# results for texts up to a size are kept (at most CACHED_BODIES of each function's).
CACHEABLE_BODY_CHARACTERS = 64 * 1024
CACHED_BODIES = 256


def _cached_when_small(limit: int):
    """Memoise a function of a text and a few small arguments for texts of at most `limit`
    characters (so the cache's memory stays bounded)."""

    def decorate(function):
        cached = lru_cache(maxsize=CACHED_BODIES)(function)

        @wraps(function)
        def call(text: str, *args, **kwargs):
            return (cached if len(text) <= limit else function)(text, *args, **kwargs)

        return call

    return decorate


@_cached_when_small(CACHEABLE_BODY_CHARACTERS)
def render_body(body: str, body_format: str) -> Markup:
    """The body as HTML safe to put in a page or a feed's content."""
    if body_format == "markdown":
        html = _markdown.render(body)
    elif body_format == "text":
        html = _plain_text(body)
    else:
        raise ValueError(f"unknown body format {body_format!r}; expected one of {BODY_FORMATS}")
    return Markup(sanitise(html))  # sanitised just above


@_cached_when_small(2 * CACHEABLE_BODY_CHARACTERS)
def summary_text(html: str, limit: int = 280) -> str:
    """A plain-text opening of a rendered body (`render_body`) for feed summaries: its text
    without tags, cut at a word boundary."""
    text = nh3.clean(html, tags=set())
    text = " ".join(text.split())
    # nh3 leaves entities escaped; a summary is text, so they are turned back into characters.
    text = Markup(text).unescape()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + "…"
