"""Cells of the CSV files the service writes, made safe to open in a spreadsheet.

A cell that begins with = + - @, a tab or a carriage return is read as a formula by Excel,
LibreOffice and Google Sheets, so a holder named `=HYPERLINK("https://evil.example","Click")`
would run in the secretary's spreadsheet. Following the OWASP guidance on CSV injection, such a
cell is written with a single quote in front ('=HYPERLINK(...)), which spreadsheets show as
text and a person reads as the name. Numbers are written as numbers: only text is changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A trigger at the start of a cell, in a column's cells each led by a NUL (which no register
# text holds): a few searches per batch of rows rather than a Python test per cell, and the
# literal NUL lets the search skip ahead.
_TRIGGER_AT_A_CELL_START = re.compile("\x00[=+\\-@\t\r]")


def neutralise(value: Any) -> Any:
    """The cell as written: text a spreadsheet would take for a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_batch(
    rows: Sequence[Sequence[Any]], text_columns: Sequence[int]
) -> Sequence[Sequence[Any]]:
    """The rows with their dangerous cells neutralised. `text_columns` are the positions of the
    cells (str, every one) that may hold text someone typed. A batch with nothing to change
    (nearly every batch) is returned as it is, for the csv module's C loop to write."""
    for column in text_columns:
        cells = "\x00" + "\x00".join(map(itemgetter(column), rows))
        if _TRIGGER_AT_A_CELL_START.search(cells):
            return [[neutralise(cell) for cell in row] for row in rows]
    return rows
