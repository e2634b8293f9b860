"""`flask holders erase`: answer an erasure request for a holder who has ceased."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.commands import command
from app.register import holders
from app.register.errors import DomainError
from app.register.requests import EraseHolder

holders_cli = AppGroup("holders", help="Holders of a register.")


@holders_cli.command("erase")
@click.option("--issuer", "issuer_id", required=True)
@click.argument("holder_id")
def erase(issuer_id: str, holder_id: str) -> None:
    """Delete a ceased holder's details and salt; the log stays verifiable but unlinkable."""
    try:
        with command("operator:cli", issuer_id) as ctx:
            holders.erase_holder(ctx, EraseHolder(holder_id))
    except DomainError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"erased the details of holder {holder_id}; the log keeps only its commitment")
