"""`flask log verify | export`: check the stored logs, or write a bundle anyone can check."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.disclosures.documents import current_store
from app.disclosures.errors import DocumentCorrupt
from app.disclosures.verification import check_documents
from app.extensions import db
from app.ledger import keyring, queries
from app.ledger.audit import audit_log
from app.ledger.log import get_state, read_entries
from app.ledger.log_verifier import VerificationError, chain_summary
from app.ledger.trust import TrustError, banner, load_kept, load_pinned
from app.ledger.verify import write_bundle
from app.models.issuer import Issuer
from app.models.log import LogState
from app.register.commitments import check_commitments
from app.register.replay import ReplayMismatch, replay_and_compare

log_cli = AppGroup("log", help="Verify and export the verifiable logs.")

EXPORT_BATCH = 5_000


def _progress(origin: str):
    def report(done: int, total: int) -> None:
        if total >= 10_000:
            click.echo(f"  {origin}: {done:,}/{total:,} leaves", err=True)

    return report


@log_cli.command("verify")
@click.option("--issuer", "issuer_id", help="Verify one issuer's log (default: all).")
@click.option("--vkey", "vkeys", multiple=True, help="A verifier key you trust (repeatable).")
@click.option(
    "--vkey-file",
    "vkey_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Verifier keys you trust, one a line (# comments).",
)
@click.option(
    "--checkpoint",
    "kept_files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A signed checkpoint you kept: its log must still contain it (repeatable).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 3) when no key is pinned.")
def verify(
    issuer_id: str | None,
    vkeys: tuple[str, ...],
    vkey_files: tuple[Path, ...],
    kept_files: tuple[Path, ...],
    strict: bool,
) -> None:
    """Recompute every leaf hash, node, checkpoint root and signature from the stored leaves,
    then replay each register from its log and compare it with the stored tables, and rehash
    every stored document against the SHA-256 its disclosure entry recorded.

    Without --vkey the signatures are checked with the keys in the database itself, which
    proves only that the database agrees with itself."""
    session = db.session
    try:
        pinned = load_pinned(vkeys, vkey_files)
        kept = load_kept(kept_files)
    except TrustError as error:
        raise click.ClickException(str(error)) from None
    issuer_ids = [issuer_id] if issuer_id else queries.log_ids(session)
    origins = {}
    for current in issuer_ids:
        state = session.get(LogState, current)
        if state is None:
            click.echo(f"FAILED: no log for issuer {current}", err=True)
            sys.exit(1)
        origins[current] = state.origin
    strangers = [k.what for k in kept if k.checkpoint.origin not in origins.values()]
    if strangers:
        click.echo(f"FAILED: {strangers[0]} is of no log verified here", err=True)
        sys.exit(1)
    total, warning = 0, None
    for current, origin in origins.items():
        mine = [k for k in kept if k.checkpoint.origin == origin]
        try:
            report = audit_log(session, current, _progress(origin), pinned, mine)
            replayed = ""
            if session.get(Issuer, current) is not None:
                replay = replay_and_compare(session, current, _progress(f"{origin} replay"))
                details = check_commitments(session, current)
                documents = check_documents(session, current_store(), current)
                replayed = (
                    f", register replayed ({replay.rows_compared} rows match), "
                    f"{details.matched} holders' details match their commitments"
                    f" ({details.erased} erased), {documents.documents} documents rehash to"
                    " their logged SHA-256"
                )
        except (VerificationError, ReplayMismatch, DocumentCorrupt) as error:
            index = getattr(error, "index", None)
            where = f" at index {index}" if index is not None else ""
            click.echo(f"FAILED: {origin}{where}: {error}", err=True)
            sys.exit(1)
        click.echo(
            f"ok  {report.origin}: {report.size} leaves, {report.nodes} nodes, "
            f"{report.checkpoints} checkpoints{replayed}"
        )
        click.echo(f"    signed by: {'; '.join(report.signers)}")
        click.echo(f"    {chain_summary(report.chain_from)}")
        for what in report.kept:
            click.echo(f"    contains {what}: not rolled back, not forked")
        total += report.size
        warning = warning or report.warning
    if warning:
        click.echo(banner(warning))
        if strict:
            click.echo("FAILED (--strict): no key pinned", err=True)
            sys.exit(3)
    click.echo(f"verified {len(issuer_ids)} logs, {total} entries: all hold")


@log_cli.command("export")
@click.option("--issuer", "issuer_id", required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def export(issuer_id: str, output: Path) -> None:
    """Write a bundle (leaves, checkpoints, keys) for `python -m app.ledger.verify`."""
    session = db.session
    try:
        state = get_state(session, issuer_id)
    except LookupError:
        raise click.ClickException(f"no log for issuer {issuer_id}") from None
    size = state.checkpoint_size

    def leaves():
        for start in range(0, size, EXPORT_BATCH):
            for entry in read_entries(session, issuer_id, start, min(start + EXPORT_BATCH, size)):
                yield entry.index, entry.leaf

    checkpoints = iter(queries.checkpoint_notes(session, issuer_id, size))
    vkeys = [key.vkey for key in keyring.published_keys(session)]
    with output.open("w", encoding="utf-8") as out:
        count = write_bundle(out, state.origin, vkeys, leaves(), checkpoints)
    click.echo(f"wrote {count} leaves of {state.origin} to {output}")
