"""A register of members from CSV: one row per holding (docs/import-csv.md documents it).

Rows name their holder by an import key, so a holder with several classes gives details once
(later rows may leave them blank or repeat them exactly). Class columns matter only for
classes the issuer does not have yet. Every problem is reported with its line number, and the
header is line 1.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.interchange.importing import values
from app.interchange.importing.plan import Plan, Problem, Progress
from app.interchange.importing.values import LIMITS, BadValue

REQUIRED_COLUMNS = (
    "holder_key",
    "name",
    "address",
    "identifier",
    "country",
    "holder_type",
    "class_code",
    "quantity",
)
OPTIONAL_COLUMNS = (
    "email",
    "joint_holders",
    "registered_on",
    "class_name",
    "votes_per_share",
    "par_value",
    "currency",
    "authorised",
    "price_per_share",
    "reference",
)
Parser = Callable[[str], Any]
HOLDER_COLUMNS: dict[str, Parser] = {
    "name": lambda raw: values.text(raw, "name", LIMITS["name"]),
    "address": lambda raw: values.address([raw]),
    "identifier": lambda raw: values.text(raw, "identifier", LIMITS["identifier"]),
    "country": values.country,
    "holder_type": values.holder_type,
    "email": values.email,
    "joint_holders": values.joint_holders,
    "registered_on": lambda raw: values.iso_date(raw, "registered_on"),
}
REQUIRED_DETAILS = ("name", "address", "identifier", "country", "holder_type")
# column -> (class attribute, parser)
CLASS_COLUMNS: dict[str, tuple[str, Parser]] = {
    "class_name": ("name", lambda raw: values.text(raw, "class_name", LIMITS["class_name"])),
    "votes_per_share": (
        "votes_per_share",
        lambda raw: values.whole_number(raw, "votes_per_share", minimum=0),
    ),
    "par_value": ("par_value", lambda raw: values.money(raw, "par_value")),
    "currency": ("currency", values.currency),
    "authorised": ("authorised", lambda raw: values.whole_number(raw, "authorised")),
}


def _where(line: int) -> str:
    return f"line {line}"


@dataclass
class Row:
    line: int
    key: str | None = None
    code: str | None = None
    quantity: int | None = None
    price: Decimal | None = None
    reference: str | None = None
    holder: dict[str, Any] = field(default_factory=dict)
    share_class: dict[str, Any] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # columns whose value was refused


class CsvSource:
    format = "csv"

    def __init__(self, rows: list[Row], problems: list[Problem]) -> None:
        self.rows = rows
        self.problems = problems

    def plan(self, plan: Plan, progress: Progress) -> None:
        plan.problems.extend(self.problems)
        rows = [row for row in self.rows if row.key is not None and row.code is not None]
        classes_ok = {code: _plan_class(plan, code, group) for code, group in _by(rows, "code")}
        holders_ok = {key: _plan_holder(plan, key, group) for key, group in _by(rows, "key")}
        duplicates = _duplicate_holdings(plan, rows)
        for done, row in enumerate(rows, start=1):
            if (
                not row.failed
                and classes_ok[row.code]
                and holders_ok[row.key]
                and row.line not in duplicates
            ):
                share_class = plan.share_class(row.code)
                plan.issue(
                    _where(row.line),
                    row.code,
                    row.key,
                    row.quantity,
                    price=row.price,
                    currency=share_class.currency if row.price is not None else None,
                    reference=row.reference,
                )
            progress.step("rows checked against the register", done, len(rows))
        plan.problems.sort(key=lambda problem: int(problem.where.split()[-1]))


def _by(rows: list[Row], attribute: str) -> list[tuple[str, list[Row]]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(getattr(row, attribute), []).append(row)
    return list(groups.items())


def _merge(plan: Plan, rows: list[Row], part: str, what: str, conflict: str) -> dict[str, Any]:
    """One set of values from several rows: blanks inherit, different values conflict."""
    merged: dict[str, Any] = {}
    first_line: dict[str, int] = {}
    for row in rows:
        for column, value in getattr(row, part).items():
            if column not in merged:
                merged[column], first_line[column] = value, row.line
            elif merged[column] != value:
                plan.problem(
                    _where(row.line),
                    conflict,
                    f"{what}: {column} {value!s} differs from {merged[column]!s} "
                    f"on line {first_line[column]}",
                )
    return merged


def _missing(rows: list[Row], given: dict[str, Any], columns: tuple[str, ...]) -> list[str]:
    # A value refused on some row is already a problem; do not report it missing as well.
    refused = set().union(*(row.failed for row in rows))
    return [column for column in columns if column not in given and column not in refused]


def _plan_class(plan: Plan, code: str, rows: list[Row]) -> bool:
    where = _where(rows[0].line)
    problems_before = len(plan.problems)
    given = _merge(plan, rows, "share_class", f"class {code}", "class_conflict")
    if not plan.class_exists(code):
        missing = _missing(rows, given, ("class_name", "currency"))
        if missing:
            plan.problem(
                where,
                "missing_value",
                f"class {code} is not on the register yet: give {' and '.join(missing)}",
            )
    if len(plan.problems) > problems_before or any(set(CLASS_COLUMNS) & row.failed for row in rows):
        return False
    attributes = {CLASS_COLUMNS[column][0]: value for column, value in given.items()}
    return plan.define_class(where, code, attributes)


def _plan_holder(plan: Plan, key: str, rows: list[Row]) -> bool:
    where = _where(rows[0].line)
    problems_before = len(plan.problems)
    given = _merge(plan, rows, "holder", f"holder {key}", "holder_conflict")
    missing = _missing(rows, given, REQUIRED_DETAILS)
    if missing:
        plan.problem(where, "missing_value", f"holder {key}: give {', '.join(missing)}")
    if len(plan.problems) > problems_before or any(
        set(HOLDER_COLUMNS) & row.failed for row in rows
    ):
        return False
    details = {"email": None, "joint_holders": [], **given}
    registered_on = details.pop("registered_on", None)
    return plan.register_holder(where, key, details, registered_on)


def _duplicate_holdings(plan: Plan, rows: list[Row]) -> set[int]:
    seen: dict[tuple[str, str], int] = {}
    duplicates = set()
    for row in rows:
        first = seen.setdefault((row.key, row.code), row.line)
        if first != row.line:
            duplicates.add(row.line)
            plan.problem(
                _where(row.line),
                "duplicate_holding",
                f"holder {row.key} already has a row for class {row.code} on line {first}: "
                "give one row per holding",
            )
    return duplicates


# --- reading the file -----------------------------------------------------------------------


def read_csv(data: bytes, progress: Progress | None = None) -> CsvSource:
    """Parse and check every value (no database needed); problems come back with the rows."""
    progress = progress or Progress()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problem = Problem(_where(line), "encoding", "the file is not UTF-8 text")
        return CsvSource([], [problem])
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[Problem] = []
    try:
        first = next(reader, [])
    except csv.Error as error:  # e.g. a header longer than the csv module's field limit
        return CsvSource([], [Problem(_where(1), "malformed", f"unreadable CSV: {error}")])
    header = _header(first, problems)
    if header is None:
        return CsvSource([], problems)
    rows = []
    while True:
        line = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(_where(line), "malformed", f"unreadable CSV: {error}"))
            break
        if not any(value.strip() for value in record):
            continue
        if len(record) != len(header):
            problems.append(
                Problem(
                    _where(line),
                    "field_count",
                    f"{len(record)} fields where the header has {len(header)}",
                )
            )
            continue
        rows.append(_row(line, dict(zip(header, record, strict=True)), problems))
        progress.step("rows read", len(rows))
    if not rows and not problems:
        problems.append(Problem(_where(1), "empty", "the file has a header but no rows"))
    return CsvSource(rows, problems)


def _header(record: list[str], problems: list[Problem]) -> list[str] | None:
    columns = [value.strip().lower() for value in record]
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    for column in sorted({c for c in columns if columns.count(c) > 1}):
        problems.append(Problem(_where(1), "duplicate_column", f"column {column} appears twice"))
    for column in columns:
        if column not in known:
            problems.append(
                Problem(_where(1), "unknown_column", f"unknown column {column or '(blank)'}")
            )
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        problems.append(
            Problem(_where(1), "missing_column", f"missing column(s): {', '.join(missing)}")
        )
    return None if problems else columns


def _row(line: int, raw: dict[str, str], problems: list[Problem]) -> Row:
    row = Row(line)

    def parse(column: str, parser: Parser, required: bool = False) -> Any:
        value = raw.get(column, "")
        if not value.strip():
            if required:
                row.failed.add(column)
                problems.append(Problem(_where(line), "missing_value", f"{column} is blank"))
            return None
        try:
            return parser(value)
        except BadValue as error:
            row.failed.add(column)
            problems.append(Problem(_where(line), error.code, error.message))
            return None

    row.key = parse("holder_key", lambda v: values.text(v, "holder_key", 200), required=True)
    row.code = parse("class_code", values.class_code, required=True)
    row.quantity = parse("quantity", lambda v: values.whole_number(v, "quantity"), required=True)
    row.price = parse("price_per_share", lambda v: values.money(v, "price_per_share"))
    row.reference = parse("reference", lambda v: values.text(v, "reference", 200))
    for column, parser in HOLDER_COLUMNS.items():
        value = parse(column, parser)
        if value is not None:
            row.holder[column] = value
    for column, (_attribute, parser) in CLASS_COLUMNS.items():
        value = parse(column, parser)
        if value is not None:
            row.share_class[column] = value
    return row
