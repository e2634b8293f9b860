"""Who an actor string on the log is, in words a reader understands.

The log names actors by opaque ids (`user:3`, `token:7`, `operator:demo`, `cli:<task>`) so
that it carries no personal data; pages show the person or the tool behind the id."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from app.models.user import ApiToken, User

_FIXED = {"operator": "the operator", "cli": "a scheduled task"}


def actor_names(session: Session, actors: Iterable[str]) -> dict[str, str]:
    """A readable name for every actor string, looked up in two queries at most."""
    wanted = set(actors)
    user_ids = _numeric_ids(wanted, "user")
    token_ids = _numeric_ids(wanted, "token")
    users = _pairs(session, select(User.id, User.display_name).where(User.id.in_(user_ids)))
    tokens = _pairs(session, select(ApiToken.id, ApiToken.label).where(ApiToken.id.in_(token_ids)))
    return {actor: _name(actor, users, tokens) for actor in wanted}


def _pairs(session: Session, query: Select) -> dict[int, str]:
    return {key: value for key, value in session.execute(query)}


def _numeric_ids(actors: set[str], prefix: str) -> set[int]:
    found = set()
    for actor in actors:
        kind, _, rest = actor.partition(":")
        if kind == prefix and rest.isdigit():
            found.add(int(rest))
    return found


def _name(actor: str, users: dict[int, str], tokens: dict[int, str]) -> str:
    kind, _, rest = actor.partition(":")
    if kind == "user" and rest.isdigit() and int(rest) in users:
        return users[int(rest)]
    if kind == "token" and rest.isdigit() and int(rest) in tokens:
        return f"API token “{tokens[int(rest)]}”"
    return _FIXED.get(kind, actor)
