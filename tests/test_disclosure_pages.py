"""Disclosure pages: bodies rendered safely, the public list and item pages, members-only
items, attachments with their hashes, the publish, amend and withdraw forms."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import text
from werkzeug.http import parse_options_header

from app import append_only
from app.disclosures import queries as disclosure_queries
from app.disclosures.requests import UploadedFile
from app.extensions import db
from app.ledger import log, merkle
from app.web import disclosures as disclosure_pages
from app.web.markup import render_body, summary_text
from tests.support import logins
from tests.support.disclosures import PDF, amend_disclosure, publish_disclosure, withdraw_disclosure
from tests.support.helpers import seed_register
from tests.support.logins import make_login

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
    summary = summary_text(render_body(body, "markdown"), limit=60)
    assert summary.startswith("Notice The annual general meeting & vote")
    assert "<" not in summary and len(summary) <= 61 and summary.endswith("…")


# --- the pages, through the test client ------------------------------------------------------

BIG = UploadedFile("accounts.csv", "text/csv", b"year,revenue\n" + b"2026,1200000\n" * 1000)


@pytest.fixture
def company(app, new_issuer) -> dict:
    """An issuer with two members (A has a login), a secretary, a regulator, and an investor of
    another issuer."""
    issuer_id = new_issuer(legal_name="Harbour Lights Brewing Ltd")["id"]
    other_id = new_issuer(legal_name="Other Ltd")["id"]
    a, _ = seed_register(app, issuer_id, shares_for_a=100)
    other_holder, _ = seed_register(app, other_id, shares_for_a=10)
    people = {
        "secretary": ("secretary", issuer_id, None),
        "member": ("investor", issuer_id, a),
        "outsider": ("investor", other_id, other_holder),
        "regulator": ("regulator", None, None),
        "other_secretary": ("secretary", other_id, None),
    }
    for name, (role, issuer, holder) in people.items():
        make_login(app, f"{name}@example.test", role, issuer, holder, display_name=name.title())
    return {"issuer_id": issuer_id, "other_id": other_id}


def log_in(client, name: str) -> None:
    logins.log_in(client, f"{name}@example.test")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _log_size(app, issuer_id: str) -> int:
    with app.app_context():
        return log.signed_size(db.session, issuer_id)


def test_anyone_reads_the_public_list_newest_first(app, client, company):
    issuer_id = company["issuer_id"]
    publish_disclosure(app, issuer_id, title="Annual report 2025", effective_date=date(2026, 3, 31))
    publish_disclosure(app, issuer_id, title="Notice of AGM", category="shareholder_meeting_notice")
    publish_disclosure(app, issuer_id, title="Board minutes", audience="members")
    page = client.get(f"/issuers/{issuer_id}/disclosures")
    assert page.status_code == 200
    html = _text(page)
    assert "<caption>Disclosures of Harbour Lights Brewing Ltd</caption>" in html
    assert html.index("Notice of AGM") < html.index("Annual report 2025")
    assert "Shareholder meeting notice" in html and "2026-03-31" in html
    assert "Current" in html
    assert "Board minutes" not in html
    # Feed readers find the feeds from the page.
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="Harbour Lights Brewing Ltd: '
        f'disclosures (Atom)" href="/issuers/{issuer_id}/disclosures.atom">'
    ) in html


def test_a_public_page_shows_the_body_files_hashes_log_index_and_proof(app, client, company):
    issuer_id = company["issuer_id"]
    recorded = publish_disclosure(
        app,
        issuer_id,
        title="Results",
        body="# Results\n\n**Profit** rose. <script>alert(1)</script>",
        body_format="markdown",
        attachments=(PDF, BIG),
    )
    page = client.get(f"/issuers/{issuer_id}/disclosures/{recorded.disclosure_id}")
    assert page.status_code == 200
    html = _text(page)
    assert "<h1>Results</h1>" in html and "<strong>Profit</strong>" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for upload in (PDF, BIG):
        sha = hashlib.sha256(upload.content).hexdigest()
        assert sha in html and upload.filename in html and upload.media_type in html
        assert f"/disclosures/{recorded.disclosure_id}/files/{sha}" in html
    assert f"{len(BIG.content):,}" in html  # "13,013" bytes, with the separator
    size = _log_size(app, issuer_id)
    assert (
        f"/api/v1/issuers/{issuer_id}/log/proof/inclusion?index={recorded.log_index}"
        f"&amp;tree_size={size}"
    ) in html
    assert f'id="disclosure-log-index">{recorded.log_index:,}<' in html
    assert "How to check this" in html
    assert recorded.body_sha256 in html


def test_the_proof_link_answers_for_the_entry_shown(app, client, company, regulator_headers):
    issuer_id = company["issuer_id"]
    recorded = publish_disclosure(app, issuer_id)
    html = _text(client.get(f"/issuers/{issuer_id}/disclosures/{recorded.disclosure_id}"))
    link = re.search(r'href="([^"]+)" id="inclusion-proof"', html).group(1).replace("&amp;", "&")
    answer = client.get(link, headers=regulator_headers)
    assert answer.status_code == 200
    assert answer.get_json()["index"] == recorded.log_index


def test_the_proof_bundle_proves_the_entry_in_the_signed_log_without_a_token(app, client, company):
    issuer_id = company["issuer_id"]
    recorded = publish_disclosure(app, issuer_id)
    bundle = client.get(f"/issuers/{issuer_id}/disclosures/{recorded.disclosure_id}/proof.json")
    assert bundle.status_code == 200
    body = bundle.get_json()
    leaf = base64.b64decode(body["leaf"])
    assert json.loads(leaf)["data"]["disclosure_id"] == recorded.disclosure_id
    assert merkle.leaf_hash(leaf) == base64.b64decode(body["leaf_hash"])
    root = base64.b64decode(body["checkpoint"].split("\n")[2])
    proof = [base64.b64decode(node) for node in body["proof"]]
    merkle.verify_inclusion(
        merkle.leaf_hash(leaf), recorded.log_index, body["tree_size"], proof, root
    )


def test_a_download_sends_the_exact_bytes_under_their_name(app, client, company):
    issuer_id = company["issuer_id"]
    recorded = publish_disclosure(app, issuer_id, attachments=(PDF,))
    sha = hashlib.sha256(PDF.content).hexdigest()
    response = client.get(f"/issuers/{issuer_id}/disclosures/{recorded.disclosure_id}/files/{sha}")
    assert response.status_code == 200
    assert response.data == PDF.content
    assert response.mimetype == "application/pdf"
    assert (
        response.headers["Repr-Digest"]
        == f"sha-256=:{base64.b64encode(bytes.fromhex(sha)).decode()}:"
    )
    disposition, options = parse_options_header(response.headers["Content-Disposition"])
    assert (disposition, options["filename"]) == ("attachment", "report.pdf")
    other = hashlib.sha256(b"not attached").hexdigest()
    missing = client.get(f"/issuers/{issuer_id}/disclosures/{recorded.disclosure_id}/files/{other}")
    assert missing.status_code == 404


def _tamper_document(app, sha256: str, content: bytes) -> None:
    with app.app_context(), db.engine.begin() as connection:
        # An attacker with the database's keys: the append-only triggers go first.
        for statement in append_only.drop_statements(connection.dialect.name, "documents"):
            connection.execute(text(statement))
        connection.execute(
            text("UPDATE documents SET content = :c WHERE sha256 = :s"),
            {"c": content, "s": sha256},
        )


def test_a_tampered_file_is_refused_loudly_on_download(app, client, company, caplog):
    issuer_id = company["issuer_id"]
    recorded = publish_disclosure(app, issuer_id, attachments=(PDF,))
    sha = hashlib.sha256(PDF.content).hexdigest()
    _tamper_document(app, sha, PDF.content.replace(b"2026", b"2027"))
    response = client.get(f"/issuers/{issuer_id}/disclosures/{recorded.disclosure_id}/files/{sha}")
    assert response.status_code == 500
    assert b"%PDF" not in response.data
    assert f"document {sha} is corrupt" in _text(response)
    assert any("document_corrupt" in record.getMessage() for record in caplog.records)


def test_a_tampered_body_is_not_shown(app, client, company):
    issuer_id = company["issuer_id"]
    recorded = publish_disclosure(app, issuer_id, body="Profit rose by 10%.")
    _tamper_document(app, recorded.body_sha256, b"Profit rose by 90%.")
    response = client.get(f"/issuers/{issuer_id}/disclosures/{recorded.disclosure_id}")
    assert response.status_code == 500
    assert "Profit rose" not in _text(response)
    assert f"document {recorded.body_sha256} is corrupt" in _text(response)


VISIBLE_TO = {
    None: False,
    "member": True,
    "secretary": True,
    "regulator": True,
    "outsider": False,
    "other_secretary": False,
}


@pytest.mark.parametrize("viewer", list(VISIBLE_TO))
def test_members_items_only_for_members_secretary_and_supervisors(app, client, company, viewer):
    issuer_id = company["issuer_id"]
    recorded = publish_disclosure(app, issuer_id, title="Board minutes", audience="members")
    sha = hashlib.sha256(PDF.content).hexdigest()
    if viewer:
        log_in(client, viewer)
    listed = "Board minutes" in _text(client.get(f"/issuers/{issuer_id}/disclosures"))
    base = f"/issuers/{issuer_id}/disclosures/{recorded.disclosure_id}"
    statuses = {client.get(path).status_code for path in (base, f"{base}/files/{sha}")}
    assert listed is VISIBLE_TO[viewer]
    assert statuses == ({200} if VISIBLE_TO[viewer] else {404})


def test_a_superseded_version_says_so_and_links_forward(app, client, company):
    issuer_id = company["issuer_id"]
    first = publish_disclosure(app, issuer_id, title="Annual report 2025")
    second = amend_disclosure(app, issuer_id, first.disclosure_id, title="Annual report (fixed)")
    old = _text(client.get(f"/issuers/{issuer_id}/disclosures/{first.disclosure_id}"))
    assert "This version has been superseded." in old
    assert f'href="/issuers/{issuer_id}/disclosures/{second.disclosure_id}"' in old
    new = _text(client.get(f"/issuers/{issuer_id}/disclosures/{second.disclosure_id}"))
    assert "superseded." not in new
    history = re.search(r'<table id="versions">.*?</table>', new, re.S).group(0)
    assert f'href="/issuers/{issuer_id}/disclosures/{first.disclosure_id}"' in history
    assert "Superseded" in history and "(this page)" in history
    listed = _text(client.get(f"/issuers/{issuer_id}/disclosures"))
    assert "Annual report (fixed)" in listed and "Annual report 2025" not in listed


def test_a_withdrawn_item_shows_its_reason_and_history(app, client, company):
    issuer_id = company["issuer_id"]
    first = publish_disclosure(app, issuer_id, title="Profit warning")
    withdrawn = withdraw_disclosure(app, issuer_id, first.disclosure_id, "figures were wrong")
    page = _text(client.get(f"/issuers/{issuer_id}/disclosures/{first.disclosure_id}"))
    assert "Withdrawn" in page and "Reason given: figures were wrong" in page
    assert f"{withdrawn.log_index:,}</td>" in page  # the withdrawal's entry, in the history
    listed = _text(client.get(f"/issuers/{issuer_id}/disclosures"))
    assert "Profit warning" in listed and "Withdrawn" in listed


def test_the_list_pages_through_older_items(app, client, company, monkeypatch):
    issuer_id = company["issuer_id"]
    monkeypatch.setattr(disclosure_pages, "PAGE_SIZE", 2)
    for number in range(1, 6):
        publish_disclosure(app, issuer_id, title=f"Notice number {number}")
    seen, path = [], f"/issuers/{issuer_id}/disclosures"
    while path:
        html = _text(client.get(path))
        seen += re.findall(r"Notice number (\d)", html)
        found = re.search(r'<a rel="next" href="([^"]+)"', html)
        path = found.group(1).replace("&amp;", "&") if found else None
    assert seen == ["5", "4", "3", "2", "1"]
    bad = client.get(f"/issuers/{issuer_id}/disclosures?after=nonsense")
    assert bad.status_code == 422


def test_an_unknown_issuer_or_disclosure_is_a_404_page(client, company):
    assert client.get("/issuers/nobody/disclosures").status_code == 404
    missing = client.get(f"/issuers/{company['issuer_id']}/disclosures/{'0' * 32}")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


# --- the secretary's forms -------------------------------------------------------------------


def _form(**changes) -> dict:
    fields = {
        "title": "Notice of annual general meeting",
        "category": "shareholder_meeting_notice",
        "language": "en",
        "effective_date": "2026-05-05",
        "audience": "public",
        "body_format": "markdown",
        "body": "The AGM is held on **5 May 2026**.",
        "attachments": [(io.BytesIO(PDF.content), PDF.filename, PDF.media_type)],
    }
    return {**fields, **changes}


def _latest_item(app, issuer_id):
    with app.app_context():
        page = disclosure_queries.disclosures_page(
            db.session, issuer_id, include_members=True, limit=1
        )
        return page.items[0] if page.items else None


def test_the_secretary_publishes_with_a_file_in_the_form(app, client, company):
    issuer_id = company["issuer_id"]
    log_in(client, "secretary")
    blank = client.get(f"/issuers/{issuer_id}/disclosures/new")
    assert blank.status_code == 200
    for label in ("Title", "Category", "Language", "Effective date", "Audience", "Body"):
        assert f">{label}" in _text(blank)
    assert 'type="file"' in _text(blank) and 'enctype="multipart/form-data"' in _text(blank)
    assert "Each file up to 20 MB" in _text(blank)
    size = _log_size(app, issuer_id)
    response = client.post(f"/issuers/{issuer_id}/disclosures/new", data=_form())
    assert response.status_code == 302
    item = _latest_item(app, issuer_id)
    assert response.headers["Location"].endswith(f"/disclosures/{item.disclosure_id}")
    assert _log_size(app, issuer_id) == size + 1
    assert item.title == "Notice of annual general meeting"
    assert item.effective_date == date(2026, 5, 5)
    assert [a.filename for a in item.attachments] == ["report.pdf"]
    page = _text(client.get(response.headers["Location"]))
    assert f"Published as entry {item.log_index:,} of the log." in page
    assert "<strong>5 May 2026</strong>" in page


def test_the_same_publish_form_sent_twice_publishes_once(app, client, company):
    issuer_id = company["issuer_id"]
    log_in(client, "secretary")
    token = re.search(
        r'name="form_token" type="hidden" value="([^"]+)"',
        _text(client.get(f"/issuers/{issuer_id}/disclosures/new")),
    ).group(1)
    size = _log_size(app, issuer_id)
    first = client.post(f"/issuers/{issuer_id}/disclosures/new", data=_form(form_token=token))
    assert first.status_code == 302
    again = client.post(f"/issuers/{issuer_id}/disclosures/new", data=_form(form_token=token))
    assert again.status_code == 409
    assert "This form was already sent" in _text(again)
    assert _log_size(app, issuer_id) == size + 1


@pytest.mark.parametrize(
    ("changes", "field_text", "message"),
    [
        ({"title": ""}, "Title", "Give the disclosure a title."),
        ({"language": "english please"}, "Language", "language"),
        ({"effective_date": "5th of May"}, "Effective date", "Not a valid date value."),
        ({"category": "gossip"}, "Category", "Not a valid choice."),
    ],
)
def test_a_refused_publication_says_why_next_to_the_field_and_writes_nothing(
    app, client, company, changes, field_text, message
):
    issuer_id = company["issuer_id"]
    log_in(client, "secretary")
    size = _log_size(app, issuer_id)
    response = client.post(f"/issuers/{issuer_id}/disclosures/new", data=_form(**changes))
    assert response.status_code == 422
    html = _text(response)
    errors = re.search(
        rf"{field_text}[^<]*</label>.*?<ul class=\"field-errors\"[^>]*>(.*?)</ul>", html, re.S
    )
    assert errors, html
    assert message in errors.group(1)
    assert _log_size(app, issuer_id) == size
    assert _latest_item(app, issuer_id) is None


def test_an_oversized_or_refused_file_is_refused_next_to_the_file_input(app, client, company):
    issuer_id = company["issuer_id"]
    app.config["MAX_ATTACHMENT_BYTES"] = 1000
    app.extensions.pop("document_store", None)
    log_in(client, "secretary")
    big = [(io.BytesIO(BIG.content), BIG.filename, BIG.media_type)]
    too_large = client.post(f"/issuers/{issuer_id}/disclosures/new", data=_form(attachments=big))
    assert too_large.status_code == 413
    html = _text(too_large)
    assert "Each file up to 1,000 bytes" in html
    assert re.search(r'id="attachments-errors">\s*<li>[^<]*accounts.csv', html), html
    script = [(io.BytesIO(b"<script>x</script>"), "page.html", "text/html")]
    refused = client.post(f"/issuers/{issuer_id}/disclosures/new", data=_form(attachments=script))
    assert refused.status_code == 415
    assert re.search(r'id="attachments-errors">\s*<li>[^<]*text/html', _text(refused))
    assert _latest_item(app, issuer_id) is None


@pytest.mark.parametrize("viewer", [None, "member", "regulator", "other_secretary"])
def test_only_the_secretary_may_publish(app, client, company, viewer):
    issuer_id = company["issuer_id"]
    if viewer:
        log_in(client, viewer)
    response = client.post(f"/issuers/{issuer_id}/disclosures/new", data=_form())
    assert response.status_code in (302, 403) if viewer is None else response.status_code == 403
    if viewer is None:
        assert "/login" in response.headers["Location"]
    assert _latest_item(app, issuer_id) is None
    page = _text(client.get(f"/issuers/{issuer_id}/disclosures"))
    assert "Publish a disclosure" not in page


def test_the_secretary_amends_keeping_one_file_and_adding_another(app, client, company):
    issuer_id = company["issuer_id"]
    first = publish_disclosure(app, issuer_id, title="Annual report 2025", attachments=(PDF, BIG))
    log_in(client, "secretary")
    page = _text(client.get(f"/issuers/{issuer_id}/disclosures/{first.disclosure_id}"))
    assert "Amend: publish a new version" in page and "Withdraw this disclosure" in page
    form = client.get(f"/issuers/{issuer_id}/disclosures/{first.disclosure_id}/amend")
    assert 'value="Annual report 2025"' in _text(form)
    pdf_sha = hashlib.sha256(PDF.content).hexdigest()
    extra = UploadedFile("erratum.txt", "text/plain", b"page 3: read 1,200 for 1,100")
    response = client.post(
        f"/issuers/{issuer_id}/disclosures/{first.disclosure_id}/amend",
        data=_form(
            title="Annual report 2025 (corrected)",
            category="annual_report",
            attachments=[(io.BytesIO(extra.content), extra.filename, extra.media_type)],
            **{f"keep_{pdf_sha}": "y"},
        ),
    )
    assert response.status_code == 302
    item = _latest_item(app, issuer_id)
    assert item.supersedes == first.disclosure_id
    assert [a.filename for a in item.attachments] == ["report.pdf", "erratum.txt"]
    old = _text(client.get(f"/issuers/{issuer_id}/disclosures/{first.disclosure_id}"))
    assert "This version has been superseded." in old
    assert "Withdraw this disclosure" not in old  # only the current version can change
    stale = client.get(f"/issuers/{issuer_id}/disclosures/{first.disclosure_id}/amend")
    assert stale.status_code == 302
    told = _text(client.get(stale.headers["Location"]))
    assert "Only the current version can be amended; this one is superseded." in told


def test_the_secretary_withdraws_with_a_reason(app, client, company):
    issuer_id = company["issuer_id"]
    first = publish_disclosure(app, issuer_id, title="Profit warning")
    log_in(client, "secretary")
    path = f"/issuers/{issuer_id}/disclosures/{first.disclosure_id}/withdraw"
    size = _log_size(app, issuer_id)
    no_reason = client.post(path, data={"reason": "", "confirm": "y"})
    assert no_reason.status_code == 422
    assert "Say why the disclosure is withdrawn." in _text(no_reason)
    assert _log_size(app, issuer_id) == size
    done = client.post(path, data={"reason": "figures were wrong", "confirm": "y"})
    assert done.status_code == 302
    page = _text(client.get(done.headers["Location"]))
    assert "Reason given: figures were wrong" in page
    again = client.post(path, data={"reason": "twice", "confirm": "y"})
    assert again.status_code == 409
    assert "withdrawn" in _text(again)
    assert _log_size(app, issuer_id) == size + 1


# --- check a document, without JavaScript ----------------------------------------------------


def test_a_pasted_hash_finds_every_public_disclosure_carrying_it(app, client, company):
    issuer_id = company["issuer_id"]
    first = publish_disclosure(app, issuer_id, title="Annual report 2025", attachments=(PDF,))
    second = amend_disclosure(
        app, issuer_id, first.disclosure_id, title="Annual report (fixed)", attachments=(PDF,)
    )
    publish_disclosure(app, issuer_id, title="Board pack", audience="members", attachments=(PDF,))
    sha = hashlib.sha256(PDF.content).hexdigest()
    page = client.get(f"/verify-document?sha256={sha.upper()}")
    assert page.status_code == 200
    html = _text(page)
    assert "<caption>Public disclosures carrying this file</caption>" in html
    rows = re.findall(r"<tr><td>Harbour Lights Brewing Ltd</td>(.*?)</tr>", html, re.S)
    assert len(rows) == 2
    assert "Annual report 2025" in rows[0] and "superseded" in rows[0]
    assert "Annual report (fixed)" in rows[1] and "current" in rows[1]
    assert f"{second.log_index:,}</td>" in rows[1]
    assert f'href="/issuers/{issuer_id}/disclosures/{second.disclosure_id}/proof.json"' in rows[1]
    assert "Board pack" not in html


def test_an_unknown_hash_is_not_disclosed_here_and_a_malformed_one_is_refused(client, company):
    unknown = client.get(f"/verify-document?sha256={'ab' * 32}")
    assert unknown.status_code == 200
    assert "Not disclosed here" in _text(unknown)
    malformed = client.get("/verify-document?sha256=not-a-hash")
    assert malformed.status_code == 422
    assert "A SHA-256 is 64 characters, each 0-9 or a-f." in _text(malformed)
    blank = client.get("/verify-document")
    assert blank.status_code == 200
    html = _text(blank)
    assert '<label for="document-file">' in html and '<label for="document-sha256">' in html
    assert re.search(r"<script[^>]*>\s*[^<\s]", html) is None  # no inline script
    assert "verify-document.js" in html


def test_a_member_sees_the_companys_latest_disclosures_on_their_page(app, client, company):
    issuer_id = company["issuer_id"]
    for number in range(1, 8):
        publish_disclosure(app, issuer_id, title=f"Update number {number}")
    publish_disclosure(app, issuer_id, title="Board minutes", audience="members")
    publish_disclosure(app, company["other_id"], title="Another company's news")
    log_in(client, "member")
    page = _text(client.get("/me/"))
    latest = re.search(r'<table id="latest-disclosures".*?</table>', page, re.S).group(0)
    shown = re.findall(r'<a href="[^"]+">([^<]+)</a>', latest)
    newest = ["Board minutes", *(f"Update number {number}" for number in (7, 6, 5, 4))]
    assert shown == newest and "Members only" in latest
    assert "Another company" not in page
    assert f'href="/issuers/{issuer_id}/disclosures"' in page
