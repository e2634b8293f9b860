"""The one place a command's transaction is opened, sealed and committed.

API views, web views and CLI commands run one domain service inside `command()`: it opens a
write transaction, locks the issuer's log, yields a `CommandContext`, then seals the grown logs
(signed checkpoints) and commits. If the service raises, nothing is written. In an API write
sent with an Idempotency-Key the transaction is the request's own, committed with the answer
kept for retries (see app.idempotency); a form's one-time token is spent here.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from flask import Flask, current_app

from app.db import refresh_statistics
from app.extensions import db
from app.idempotency.forms import claim_submitted_form
from app.ledger import keyring, keys, log, notes
from app.ledger.log import Ledger, utc_now
from app.register.appliers import APPLIERS
from app.register.context import CommandContext


@dataclass(frozen=True)
class _LoadedLedger:
    ledger: Ledger
    key_file_mtime: int


def load_signer(app: Flask) -> notes.Signer:
    path = Path(app.config["SIGNING_KEY_FILE"])
    passphrase = app.config["SIGNING_KEY_PASSPHRASE"]
    if app.config.get("SIGNING_KEY_AUTOCREATE"):
        private_key = keys.load_or_create_dev_key(path, passphrase, warn=app.logger.warning)
    else:
        private_key = keys.load_key(path, passphrase)
    return notes.Signer(name=app.config["LOG_ORIGIN"], private_key=private_key)


def current_ledger() -> Ledger:
    """The app's ledger, reloaded when the key file changes (e.g. after `flask keys rotate`).

    LEDGER_CLOCK in the config (a callable returning an aware datetime) replaces the wall
    clock: tests use it to date entries and checkpoints."""
    app = current_app._get_current_object()
    path = Path(app.config["SIGNING_KEY_FILE"])
    mtime = path.stat().st_mtime_ns if path.exists() else -1
    clock = app.config.get("LEDGER_CLOCK") or utc_now
    loaded: _LoadedLedger | None = app.extensions.get("ledger")
    if loaded is None or loaded.key_file_mtime != mtime or loaded.ledger.clock is not clock:
        signer = load_signer(app)
        mtime = os.stat(path).st_mtime_ns
        loaded = _LoadedLedger(Ledger(app.config["LOG_ORIGIN"], (signer,), clock), mtime)
        app.extensions["ledger"] = loaded
    return loaded.ledger


# Entries one command appends beyond which the tables have grown enough to re-plan.
REFRESH_STATISTICS_AFTER = 10_000
# Below that, a command of this many entries may still have grown the tables every batch looks
# holders up in by a tenth (holder registration: one entry and one holder row each).
REFRESH_LOOKUP_TABLES_AFTER = 100
LOOKUP_TABLES = ("holders", "holding_versions")

_gc_lock = threading.Lock()
_gc_pausers = 0


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while commands run.

    A batch of 100,000 allocations creates millions of objects that live until commit; the
    collector rescans them again and again (measured: 7 of 20 seconds). Commands create no
    reference cycles that need collecting before they end; reference counting still frees
    everything at once."""
    global _gc_pausers
    with _gc_lock:
        _gc_pausers += 1
        gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0:
                gc.enable()


@contextmanager
def command(actor: str, issuer_id: str | None = None) -> Iterator[CommandContext]:
    """One command by `actor`: on `issuer_id`'s register when given (locked before the service
    reads anything; NotFound for an unknown issuer), or a command that registers an issuer."""
    ledger = current_ledger()
    signer = ledger.signers[0]
    # Publishing is checked until it has happened once for this key; after that every seal
    # still checks that the key is the active published one.
    published = current_app.extensions.get("published_key_id") == signer.key_id
    with _cyclic_gc_paused(), db.write() as session:
        # A form's one-time token is spent in the command's transaction (before the lock, so
        # that a second submission waits for the first, then is refused).
        claim_submitted_form(session, actor, ledger.clock())
        if not published:
            keyring.publish_first_key(session, signer, ledger.clock())
        context = CommandContext(session, ledger, actor, APPLIERS)
        if issuer_id is not None:
            context.lock(issuer_id)
        yield context
        context.finish()
        appended = log.appended_count(session)
        ledger.seal(session)
    # Inside a retry-safe API request (app.idempotency) the commit comes after the view.
    db.after_commit(partial(_after_commit, current_app._get_current_object(), signer, appended))


def _after_commit(app: Flask, signer: notes.Signer, appended: int) -> None:
    app.extensions["published_key_id"] = signer.key_id
    if appended >= REFRESH_STATISTICS_AFTER:
        # Measured on PostgreSQL: a second batch of 100,000 allocations right after the first
        # took 330 s on the first batch's stale statistics, 24 s after ANALYZE.
        refresh_statistics(db.engine)
    elif appended >= REFRESH_LOOKUP_TABLES_AFTER:
        # Measured on PostgreSQL (holders never analysed, autovacuum off): a batch's 500-id
        # holder check took 133 ms a query before ANALYZE and 2.2 ms after; the 1,000-holder
        # commands that fill the table never reached the 10,000-entry ANALYZE above.
        refresh_statistics(db.engine, LOOKUP_TABLES, grown_by=appended)
    # The request's read session may hold a snapshot from before this command (SQLite WAL
    # keeps one per read transaction); end it so what the view reads next includes the change.
    db.session.rollback()
