"""TRANSITION (removed once every service takes a CommandContext): the old `command()` that
yields (session, ledger)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from app.commands import command as _command
from app.commands import current_ledger, load_signer  # noqa: F401
from app.ledger.log import Ledger


@contextmanager
def command() -> Iterator[tuple[Session, Ledger]]:
    with _command("legacy") as context:
        yield context.session, context.ledger
