"""`flask distributions fix`: fix the entitlements of distributions whose record date has
ended. Reads fix them too, lazily; run this daily after midnight UTC (cron) so that they are
fixed and logged on the day after the record date even when nobody reads them."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.commands import command, current_ledger
from app.extensions import db
from app.register import distributions, queries

distributions_cli = AppGroup("distributions", help="Distributions (dividends).")
ACTOR = "operator:cli"


@distributions_cli.command("fix")
def fix() -> None:
    """Fix every due distribution's entitlements, one command per issuer."""
    today = current_ledger().clock().date()
    issuer_ids = queries.issuers_with_unfixed_distributions(db.session, before=today)
    db.session.rollback()
    if not issuer_ids:
        click.echo("no distribution is due: every record date that has ended is fixed")
        return
    total = 0
    for number, issuer_id in enumerate(issuer_ids, start=1):
        with command(ACTOR, issuer_id) as ctx:
            fixed = distributions.fix_due_distributions(ctx)
            summary = [
                f"{d.distribution_id} (record date {d.record_date.isoformat()}, "
                f"{d.total_shares} shares, residue {d.rounding_residue} {d.currency})"
                for d in fixed
            ]
        total += len(fixed)
        click.echo(f"[{number}/{len(issuer_ids)}] issuer {issuer_id}: fixed {len(fixed)}")
        for line in summary:
            click.echo(f"  {line}")
    click.echo(f"fixed {total} distributions of {len(issuer_ids)} issuers")
