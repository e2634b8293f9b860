"""A snapshot as CSV (RFC 4180): a header row, then one row per holding in register order.

The size and checkpoint do not fit in CSV rows; the API sends them in response headers and the
JSON format carries the signed note itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

from app.interchange.formats import CHUNK_ROWS
from app.register.snapshot import HoldingRow

MEDIA_TYPE = "text/csv"
COLUMNS = HoldingRow._fields


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def render(rows: Iterable[HoldingRow]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rows = iter(rows)
    for batch in iter(lambda: list(islice(rows, CHUNK_ROWS)), []):
        writer.writerows(batch)  # the csv module's C loop: no Python per field
        yield _drain(buffer)
    tail = _drain(buffer)
    if tail:
        yield tail  # the header of an empty register
