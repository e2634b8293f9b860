"""Rules every page template keeps, checked on the templates themselves so that a page no test
renders cannot slip: header cells say what they head, and numbers go through one filter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).parent.parent / "app" / "web" / "templates").rglob("*.html"))
HEADER_CELL = re.compile(r"<th(?=[\s>])[^>]*>")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_header_cell_has_a_scope(template: Path):
    """Screen readers announce a cell with its headers only when the header says its scope."""
    cells = HEADER_CELL.findall(template.read_text(encoding="utf-8"))
    assert [cell for cell in cells if "scope=" not in cell] == []


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_numbers_are_formatted_by_the_thousands_filter(template: Path):
    """One way to show a number (`|thousands`), so a page cannot forget the separators or
    show None as "None"."""
    assert '"{:,}".format' not in template.read_text(encoding="utf-8")


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_no_header_cell_is_empty(template: Path):
    assert re.findall(r"<th[^>]*>\s*</th>", template.read_text(encoding="utf-8")) == []
