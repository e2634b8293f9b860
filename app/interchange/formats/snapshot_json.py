"""A snapshot as one JSON document, written a chunk at a time.

The document is the header (issuer, size, signed checkpoint, totals) followed by the classes,
each with its holdings in register order. Quantities are JSON integers, as elsewhere in the
API; percentages are decimal strings (exact, four places).
"""

from __future__ import annotations

import json
from base64 import b64encode
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring  # the C string encoder json.dumps itself uses
from typing import Any

from app.interchange.formats import by_class, chunked
from app.register.snapshot import (
    PERCENT_PLACES,
    ClassTotal,
    HoldingRow,
    Snapshot,
)

MEDIA_TYPE = "application/json"

PERCENTAGES = (
    f"percentage_of_class: the holding as a percentage of the class's shares issued at "
    f"tree_size; percentage_of_votes: its votes as a percentage of the votes of all classes. "
    f"Exact, rounded half up to {PERCENT_PLACES} decimal places."
)


def _open_object(fields: dict[str, Any], array: str) -> str:
    """`fields` as a JSON object left open at a trailing array named `array`."""
    return json.dumps(fields, ensure_ascii=False)[:-1] + f',"{array}":['


def header(snapshot: Snapshot) -> dict[str, Any]:
    issuer, checkpoint = snapshot.issuer, snapshot.checkpoint
    return {
        "issuer": {
            "id": issuer.id,
            "legal_name": issuer.legal_name,
            "registration_number": issuer.registration_number,
            "jurisdiction": issuer.jurisdiction,
            "lei": issuer.lei,
        },
        "tree_size": snapshot.tree_size,
        "checkpoint": checkpoint.note,
        "checkpoint_signed_at": checkpoint.created_at.isoformat().replace("+00:00", "Z"),
        "root_hash": b64encode(checkpoint.root_hash).decode("ascii"),
        "holder_count": snapshot.holder_count,
        "total_votes": snapshot.total_votes,
        "percentages": PERCENTAGES,
    }


def class_fields(share_class: ClassTotal) -> dict[str, Any]:
    return {
        "code": share_class.code,
        "name": share_class.name,
        "votes_per_share": share_class.votes_per_share,
        "par_value": share_class.par_value,
        "currency": share_class.currency,
        "authorised": share_class.authorised,
        "issued": share_class.issued,
        "holder_count": share_class.holder_count,
    }


def _holdings(rows: Iterator[HoldingRow]) -> Iterator[str]:
    separator = ""
    for row in rows:
        yield (
            f'{separator}{{"holder_id":{encode_basestring(row.holder_id)},'
            f'"name":{encode_basestring(row.name)},"quantity":{row.quantity},'
            f'"percentage_of_class":"{row.percentage_of_class}",'
            f'"percentage_of_votes":"{row.percentage_of_votes}"}}'
        )
        separator = ","


def _document(snapshot: Snapshot, rows: Iterable[HoldingRow]) -> Iterator[str]:
    yield _open_object(header(snapshot), "classes")
    separator = ""
    for share_class, run in by_class(snapshot.classes, rows):
        yield separator + _open_object(class_fields(share_class), "holdings")
        yield from _holdings(run)
        yield "]}"
        separator = ","
    yield "]}\n"


def render(snapshot: Snapshot, rows: Iterable[HoldingRow]) -> Iterator[str]:
    return chunked(_document(snapshot, rows))
