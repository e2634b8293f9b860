"""`flask keys list | rotate`: the checkpoint signing keys."""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.commands import load_signer
from app.extensions import db
from app.ledger import keyring, keys, log, notes
from app.ledger.log import utc_now

keys_cli = AppGroup("keys", help="Checkpoint signing keys.")


@keys_cli.command("list")
def list_keys() -> None:
    """Show every published verifier key."""
    for key in keyring.published_keys(db.session):
        click.echo(f"{key.key_id}  {key.status:8}  {key.created_at:%Y-%m-%d}  {key.vkey}")


@keys_cli.command("rotate")
def rotate() -> None:
    """Replace the signing key: every log records the rotation, signed by both keys.

    The new key is written beside the old one first and moved into place only after the
    database commits, so a failure at any step leaves the old key in charge.
    """
    app = current_app
    key_file = Path(app.config["SIGNING_KEY_FILE"])
    passphrase = app.config["SIGNING_KEY_PASSPHRASE"]
    old = load_signer(app)
    new = notes.Signer(name=old.name, private_key=keys.generate_key())
    staged = key_file.with_name(key_file.name + ".new")
    keys.save_key(new.private_key, staged, passphrase, overwrite=True)
    now = utc_now()
    try:
        with db.write() as session:
            sizes = keyring.rotate(session, old, new, actor="operator:cli", now=now)
            log.seal(session, (old, new), now)
            keyring.retire(session, old, now)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    retired = key_file.with_name(f"{key_file.name}.retired-{old.key_id.hex()}")
    os.replace(key_file, retired)
    os.replace(staged, key_file)
    click.echo(f"rotated {len(sizes)} logs from key {old.key_id.hex()} to {new.key_id.hex()}")
    click.echo(f"old private key kept at {retired} (it signs nothing more; delete when audited)")
    click.echo(f"new verifier key: {new.vkey}")
