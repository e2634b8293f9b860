"""`flask --app wsgi transfers expire`: end the instructions whose deadlines have passed;
`flask --app wsgi transfers close-offers`: close the pre-emption offers whose windows have
passed (`expire` closes them first too, since an open offer holds its instruction back).

Run it from cron, e.g. hourly: `0 * * * * cd /srv/shareledger && flask --app wsgi transfers
expire`. Each expiry or close is its own command (one `transfer.expired` entry; a close and the
transfers it settles), so a run that stops half way leaves nothing half done, and the next run
continues."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.commands import command, current_ledger
from app.extensions import db
from app.register.errors import Refused
from app.transfers import offer_queries, pre_emption, queries, workflow
from app.transfers.requests import Step

transfers_cli = AppGroup("transfers", help="The transfer workflow.")
ACTOR = "cli:transfers-expire"
CLOSING_ACTOR = "cli:transfers-close-offers"


def _run_each(due: list[tuple[str, str]], service, actor: str, done: str) -> int:
    """Run `service` on each (issuer_id, instruction_id) as its own command; how many ran."""
    count = 0
    for number, (issuer_id, instruction_id) in enumerate(due, start=1):
        try:
            with command(actor, issuer_id) as ctx:
                service(ctx, Step(instruction_id))
        except Refused as error:
            # Moved on since the list was read (accepted, cancelled, ...): not due any more.
            click.echo(f"{number} of {len(due)}: {instruction_id} skipped ({error.code})")
            continue
        count += 1
        click.echo(f"{number} of {len(due)}: {instruction_id} of issuer {issuer_id} {done}")
    return count


def _close_due_offers() -> None:
    due = offer_queries.due_to_close(db.session, current_ledger().clock())
    db.session.rollback()
    if not due:
        click.echo("nothing to close")
        return
    closed = _run_each(due, pre_emption.close, CLOSING_ACTOR, "offer closed")
    click.echo(f"closed {closed} of {len(due)} pre-emption offers past their windows")


@transfers_cli.command("close-offers")
def close_offers() -> None:
    """Close every pre-emption offer whose window has passed (silence is waiver)."""
    _close_due_offers()


@transfers_cli.command("expire")
def expire() -> None:
    """Close the pre-emption offers past their windows, then expire every instruction past
    its acceptance or decision deadline."""
    _close_due_offers()
    due = queries.due_for_expiry(db.session, current_ledger().clock())
    db.session.rollback()
    if not due:
        click.echo("nothing to expire")
        return
    expired = _run_each(due, workflow.expire, ACTOR, "expired")
    click.echo(f"expired {expired} of {len(due)} instructions past their deadlines")
