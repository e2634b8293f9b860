"""The Flask glue of `app.db`: one engine per app, one read session per request.

Reads use the request-scoped `db.session`. Writes go through `db.write()` (or, for a command,
`app.commands.command()`), which owns its own transaction: only it commits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, scoped_session

from app.db import make_engine, write_session


class Database:
    """Flask extension: `db.engine`, the request-scoped `db.session`, and `db.write()`."""

    def __init__(self) -> None:
        self.session = scoped_session(self._new_session)

    def init_app(self, app: Flask) -> None:
        app.extensions["db_engine"] = make_engine(
            app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False)
        )
        app.teardown_appcontext(self._remove_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["db_engine"]

    def _new_session(self) -> Session:
        return Session(bind=self.engine, expire_on_commit=False)

    def _remove_session(self, _exc: BaseException | None) -> None:
        self.session.remove()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: commits if the block returns, rolls back if it raises."""
        with write_session(self.engine) as session:
            yield session
