"""`flask register import`: bring an existing register (CSV, or an OCF package) into an issuer."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.commands import command
from app.interchange import importing
from app.register.errors import DomainError

register_cli = AppGroup("register", help="Import an existing register of members.")

CLI_ACTOR = "operator:cli"


def _guess_format(path: Path) -> str:
    return "csv" if path.suffix.lower() == ".csv" else "ocf"


@register_cli.command("import")
@click.option("--issuer", "issuer_id", required=True, help="The issuer to import into.")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(importing.FORMATS),
    help="csv, or ocf (a zip, a folder or a manifest); by default from the file name.",
)
@click.option("--dry-run", is_flag=True, help="Check everything and report; write nothing.")
@click.option(
    "--no-checksums", is_flag=True, help="OCF: do not check the manifest's MD5 checksums."
)
@click.option(
    "--progress-every",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Print progress to stderr every N rows or objects.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.argument("file", type=click.Path(exists=True, path_type=Path))
def import_command(
    issuer_id: str,
    format_name: str | None,
    dry_run: bool,
    no_checksums: bool,
    progress_every: int,
    as_json: bool,
    file: Path,
) -> None:
    """Import FILE into an existing issuer in one transaction: every problem is reported (by
    CSV line or OCF object id) and nothing is written unless there is none. Exits 1 on
    problems."""
    progress = importing.Progress(lambda line: click.echo(f"  {line}", err=True), progress_every)
    source = importing.read_source(
        format_name or _guess_format(file),
        file,
        verify_checksums=not no_checksums,
        progress=progress,
    )
    try:
        with command(CLI_ACTOR, issuer_id) as ctx:
            report = importing.import_register(ctx, source, dry_run=dry_run, progress=progress)
    except importing.ImportRejected as rejected:
        report = rejected.report
    except DomainError as error:
        raise click.ClickException(error.message) from None
    _print(report, as_json)
    if not report.ok:
        sys.exit(1)


def _print(report: importing.Report, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(report.message)
    click.echo("  " + ", ".join(f"{name}: {count:,}" for name, count in report.counts.items()))
    if report.problems:
        click.echo(f"problems ({len(report.problems)}):")
        for problem in report.problems:
            click.echo(f"  {problem.where}: {problem.code}: {problem.message}")
    if report.skipped:
        click.echo(f"skipped ({len(report.skipped)}):")
        for skipped in report.skipped:
            click.echo(f"  {skipped.where}: {skipped.reason}")
