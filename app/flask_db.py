"""The Flask glue of `app.db`: one engine per app, one read session per request.

Reads use the request-scoped `db.session`. Writes go through `db.write()` (or, for a command,
`app.commands.command()`), which owns its own transaction: only it commits.

A request may instead run as one write transaction from start to end (`request_transaction()`,
used by retry-safe writes, see `app.idempotency`): then `db.session` is that transaction's
session, `db.write()` joins it as a savepoint, and work meant for after the commit waits for it
(`after_commit()`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, scoped_session

from app.db import begin_write, make_engine, write_session


@dataclass
class RequestTransaction:
    """The one write transaction of a request; rolled back unless `commit()` is called."""

    session: Session
    # Set when a write joined here raised: its savepoint is gone, whatever the view answers.
    failed: bool = False
    committed: bool = False
    _after_commit: list[Callable[[], None]] = field(default_factory=list)

    def commit(self) -> None:
        self.session.commit()
        self.committed = True
        for callback in self._after_commit:
            callback()


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
        """One write transaction: commits if the block returns, rolls back if it raises.

        Inside `request_transaction()` it is a savepoint of the request's transaction instead,
        released if the block returns and rolled back if it raises."""
        joined = g.get(_REQUEST_TRANSACTION)
        if joined is None:
            with write_session(self.engine) as session:
                yield session
            return
        try:
            with joined.session.begin_nested():
                yield joined.session
        except BaseException:
            joined.failed = True
            raise
        # Rows the write changed behind the ORM's back (bulk SQL) are re-read from here on,
        # as they would be by a fresh session after a commit.
        joined.session.expire_all()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once what `write()` wrote is committed: now, or when the request's
        transaction commits (never, if it rolls back)."""
        joined = g.get(_REQUEST_TRANSACTION)
        if joined is None:
            callback()
        else:
            joined._after_commit.append(callback)

    @contextmanager
    def request_transaction(self) -> Iterator[RequestTransaction]:
        """Run the rest of the request as one write transaction on `db.session`."""
        if g.get(_REQUEST_TRANSACTION) is not None:
            raise RuntimeError("a request has one request transaction")
        session = self.session()
        # End the read transaction (the token lookup) so that the write one begins here
        # (BEGIN IMMEDIATE on SQLite).
        session.rollback()
        begin_write(session)
        transaction = RequestTransaction(session)
        setattr(g, _REQUEST_TRANSACTION, transaction)
        try:
            yield transaction
        finally:
            g.pop(_REQUEST_TRANSACTION, None)
            if not transaction.committed:
                session.rollback()


_REQUEST_TRANSACTION = "shareledger_request_transaction"
