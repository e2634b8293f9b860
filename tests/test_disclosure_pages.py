"""Disclosure pages: bodies rendered safely, the public list and item pages, members-only
items, attachments with their hashes, the publish, amend and withdraw forms."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from app.web.markup import render_body, summary_text

# --- the body, rendered safely ---------------------------------------------------------------

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    "[click](javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<iframe src="https://evil.example"></iframe>',
    "<style>body{display:none}</style>",
    '<p style="color:red" onclick="x()">styled</p>',
]


class _Elements(HTMLParser):
    """Every element and attribute a browser would build from the HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.extend(attrs)


@pytest.mark.parametrize("body", HOSTILE)
@pytest.mark.parametrize("body_format", ["markdown", "text"])
def test_no_raw_html_or_script_link_survives(body, body_format):
    found = _Elements(str(render_body(body, body_format)))
    assert found.tags <= {"p", "a", "br"}
    for name, value in found.attributes:
        assert name in ("href", "rel")
        if name == "href":
            assert value.startswith(("https:", "http:", "mailto:"))


def test_markdown_formats_headings_emphasis_lists_tables_and_web_links():
    html = render_body(
        "# Results\n\n**Profit** rose; see [the accounts](https://example.test/a.pdf).\n\n"
        "- one\n- two\n\n| Year | Profit |\n|---|---|\n| 2025 | 1,000 |\n",
        "markdown",
    )
    assert "<h1>Results</h1>" in html
    assert "<strong>Profit</strong>" in html
    assert '<a href="https://example.test/a.pdf" rel="noopener noreferrer nofollow">' in html
    assert "<li>one</li>" in html and "<td>2025</td>" in html


def test_a_markdown_image_becomes_a_link_not_an_image():
    html = render_body("![the chart](https://example.test/chart.png)", "markdown")
    assert "<img" not in html
    assert '<a href="https://example.test/chart.png"' in html and "the chart</a>" in html


def test_plain_text_keeps_its_lines_and_escapes_everything():
    html = render_body("Dear members,\nthe AGM is on 5 May.\n\nA < B & C", "text")
    assert html == ("<p>Dear members,<br>\nthe AGM is on 5 May.</p>\n<p>A &lt; B &amp; C</p>\n")


def test_a_summary_is_plain_text_cut_at_a_word():
    body = "# Notice\n\nThe **annual** general meeting & vote " + "word " * 100
    summary = summary_text(body, "markdown", limit=60)
    assert summary.startswith("Notice The annual general meeting & vote")
    assert "<" not in summary and len(summary) <= 61 and summary.endswith("…")
