"""`flask idempotency purge`: delete the answers kept for retries once their keys expired."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.idempotency import settings, store

idempotency_cli = AppGroup("idempotency", help="Keys of retried writes (Idempotency-Key).")


@idempotency_cli.command("purge")
def purge() -> None:
    """Delete every expired idempotency key (and used form token) with its kept answer."""
    with db.write() as session:
        purged = store.purge_expired(session, settings.now())
    click.echo(f"purged {purged} expired idempotency key{'' if purged == 1 else 's'}")
