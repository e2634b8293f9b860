"""Reads of the register for the API, the pages and the CLI.

The two definitions every read builds on live here, once: a holding version is *current* while
no later entry has closed it, and *in force at tree size N* when an entry before N opened it
and none before N closed it. Views and commands select through these; none writes its own.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from app.models.register import HoldingVersion


def current_versions(versions: Any = HoldingVersion) -> ColumnElement[bool]:
    """The condition for a holding version nothing has superseded yet."""
    return versions.to_index.is_(None)


def versions_as_of(tree_size: int, versions: Any = HoldingVersion) -> ColumnElement[bool]:
    """The condition for a holding version in force in the log of `tree_size` entries.

    `versions` may be an alias of HoldingVersion (a self-join compares two sizes)."""
    return and_(
        versions.from_index < tree_size,
        or_(versions.to_index.is_(None), versions.to_index >= tree_size),
    )
