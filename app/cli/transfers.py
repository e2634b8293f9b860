"""`flask --app wsgi transfers expire`: end the instructions whose deadlines have passed.

Run it from cron, e.g. hourly: `0 * * * * cd /srv/shareledger && flask --app wsgi transfers
expire`. Each expiry is its own command (one `transfer.expired` entry), so a run that stops
half way leaves nothing half done, and the next run continues."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.commands import command, current_ledger
from app.extensions import db
from app.register.errors import Refused
from app.transfers import queries, workflow
from app.transfers.requests import Step

transfers_cli = AppGroup("transfers", help="The transfer workflow.")
ACTOR = "cli:transfers-expire"


@transfers_cli.command("expire")
def expire() -> None:
    """Expire every instruction past its acceptance or decision deadline."""
    due = queries.due_for_expiry(db.session, current_ledger().clock())
    db.session.rollback()
    if not due:
        click.echo("nothing to expire")
        return
    expired = 0
    for number, (issuer_id, instruction_id) in enumerate(due, start=1):
        try:
            with command(ACTOR, issuer_id) as ctx:
                workflow.expire(ctx, Step(instruction_id))
        except Refused as error:
            # Moved on since the list was read (accepted, cancelled, ...): not due any more.
            click.echo(f"{number} of {len(due)}: {instruction_id} skipped ({error.code})")
            continue
        expired += 1
        click.echo(f"{number} of {len(due)}: {instruction_id} of issuer {issuer_id} expired")
    click.echo(f"expired {expired} of {len(due)} instructions past their deadlines")
