"""A snapshot as CSV (RFC 4180): a header row, then one row per holding in register order.
Cells a spreadsheet would run as formulas are neutralised (`csv_cells`).

The size and checkpoint do not fit in CSV rows; the API sends them in response headers and the
JSON format carries the signed note itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

from app.interchange.formats import CHUNK_ROWS
from app.interchange.formats.csv_cells import safe_batch
from app.register.snapshot import HoldingRow

MEDIA_TYPE = "text/csv"
COLUMNS = HoldingRow._fields
# The columns people's text reaches; the others are what the register makes or constrains (a
# class code begins with a capital or a digit, a holder id is a UUID, numbers are unsigned).
TEXT_COLUMNS = tuple(COLUMNS.index(name) for name in ("name", "address", "country"))


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
        # The csv module's C loop: no Python per field.
        writer.writerows(safe_batch(batch, TEXT_COLUMNS))
        yield _drain(buffer)
    tail = _drain(buffer)
    if tail:
        yield tail  # the header of an empty register
