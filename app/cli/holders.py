"""`flask holders erase`: answer an erasure request for a holder who has ceased."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.register import holders
from app.register.errors import DomainError
from app.unit_of_work import command

holders_cli = AppGroup("holders", help="Holders of a register.")


@holders_cli.command("erase")
@click.option("--issuer", "issuer_id", required=True)
@click.argument("holder_id")
def erase(issuer_id: str, holder_id: str) -> None:
    """Delete a ceased holder's details and salt; the log stays verifiable but unlinkable."""
    try:
        with command() as (session, ledger):
            holders.erase_holder(session, ledger, "operator:cli", issuer_id, holder_id)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"erased the details of holder {holder_id}; the log keeps only its commitment")
