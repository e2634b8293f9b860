"""Lists read a page at a time, by keyset.

Every list the API serves is read after the row a client names (`after`), in a fixed total
order. The key is an item's id, never an offset, so a page does not shift when rows are added
before it, and an id the list does not hold is refused rather than read as "from the start".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, or_
from sqlalchemy.orm import Session

from app.register.errors import InvalidInput

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 100


class UnknownAfter(InvalidInput):
    """`after` names no item of the list being paged."""

    code = "unknown_after"


@dataclass(frozen=True)
class Ordering:
    """How one list is paged: its sort expressions (each with True for descending), which
    must end in a unique key; the condition picking the row a key names; and the key of a
    row, as clients send it back in `after`."""

    order: tuple[tuple[ColumnElement, bool], ...]
    at: Callable[[str], ColumnElement[bool] | None]  # None: a key no row can have
    key_of: Callable[[Row], str]
    what: str  # the item's name in an error message

    def sort(self, query: Select) -> Select:
        return query.order_by(
            *(expression.desc() if down else expression for expression, down in self.order)
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_after: str | None  # the key to continue after; None on the last page


def keyset_page(
    session: Session, query: Select, ordering: Ordering, after: str | None, limit: int
) -> Page[Row]:
    """Up to `limit` rows of `query` (which names its FROM with select_from) after the row
    keyed `after`, in `ordering`'s order."""
    if after is not None:
        at = ordering.at(after)
        values = None
        if at is not None:
            position = query.with_only_columns(*(expression for expression, _ in ordering.order))
            values = session.execute(position.where(at).limit(1)).first()
        if values is None:
            raise UnknownAfter(
                f"after: this list holds no {ordering.what} {after!r} to continue after "
                "(send the next_after of the previous page)",
                field="after",
            )
        query = query.where(_beyond(ordering.order, tuple(values)))
    # One row more than asked tells whether another page follows.
    rows = session.execute(ordering.sort(query).limit(limit + 1)).all()
    items = rows[:limit]
    return Page(items, ordering.key_of(items[-1]) if len(rows) > limit else None)


def _beyond(order: Sequence[tuple[ColumnElement, bool]], values: tuple) -> ColumnElement[bool]:
    """Rows after `values` in `order`: (a > x) or (a = x and b > y) or ..., each comparison
    turned round for a descending expression."""
    clauses = []
    for position, (expression, descending) in enumerate(order):
        value = values[position]
        step = expression < value if descending else expression > value
        equal = [earlier == values[i] for i, (earlier, _) in enumerate(order[:position])]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


def page_or_first(read: Callable[[str | None], Page[T]], after: str | None) -> tuple[Page[T], bool]:
    """`read(after)`, or the first page when `after` names nothing the list holds (a stale or
    edited link on a page, where starting over beats an error); whether it started over."""
    try:
        return read(after), False
    except UnknownAfter:
        return read(None), True
