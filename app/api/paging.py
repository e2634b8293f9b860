"""Paged lists in the API: one query schema (`limit`, `after`), one answer shape (`next_after`
and a `next` link), for every list, so that clients page them all alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import marshmallow as ma
from flask import request, url_for
from marshmallow import validate

from app.register.paging import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page


class PageQuery(ma.Schema):
    after = ma.fields.String(
        validate=validate.Length(min=1),
        metadata={
            "description": "Continue after this item: the `next_after` of the previous page "
            "(an item this list does not hold is refused with 422 `unknown_after`)"
        },
    )
    limit = ma.fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Items per page, at most {MAX_PAGE_SIZE} (more is refused)"},
    )


class PageSchema(ma.Schema):
    next_after = ma.fields.String(
        allow_none=True, metadata={"description": "Send as `after` for the next page; null last"}
    )
    next = ma.fields.String(
        allow_none=True,
        metadata={"description": "The next page's URL (path and query); null on the last page"},
    )


def paged(
    name: str,
    page: Page,
    view: Callable[[Any], Any] = lambda item: item,
    elsewhere: tuple[str, dict[str, str]] | None = None,
) -> dict:
    """The answer for one page: the items under `name`, and where the next page is: this
    request's URL with `after` moved on, or, for a page answered elsewhere (the first page of
    what a POST created), the `(endpoint, path values)` of the list."""
    return {
        name: [view(item) for item in page.items],
        "next_after": page.next_after,
        "next": _next_link(page.next_after, elsewhere),
    }


def _next_link(after: str | None, elsewhere: tuple[str, dict[str, str]] | None) -> str | None:
    if after is None:
        return None
    endpoint, values = elsewhere or (request.endpoint, request.view_args)
    arguments = request.args.to_dict(flat=False)  # every other parameter kept
    arguments["after"] = [after]
    return url_for(endpoint, **values, **arguments)
