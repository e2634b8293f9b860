"""The register in the browser, for the issuer's secretary and for supervisors: classes,
members and holdings as of the latest checkpoint, recent log entries, and the secretary's
form to register an executed transfer."""

from __future__ import annotations

from itertools import islice

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from app.auth.disclosure import disclose_read
from app.auth.principal import login_principal
from app.commands import command
from app.extensions import db
from app.ledger import log
from app.register import snapshot, transfers
from app.register.errors import DomainError
from app.web.forms import TransferForm

blp = Blueprint("register_pages", __name__, url_prefix="/issuers")

ROWS_SHOWN = 500
ENTRIES_SHOWN = 25


def _principal_for(issuer_id: str):
    principal = login_principal()
    if principal is None or not principal.can_read(issuer_id):
        abort(403)
    return principal


def _holder_choices(taken: snapshot.Snapshot) -> list[tuple[str, str]]:
    members = snapshot.registered_holders(db.session, taken)
    return [(row.holder_id, f"{row.name} ({row.holder_id[:8]})") for row in members]


@blp.route("/<issuer_id>", methods=["GET", "POST"])
@login_required
def register(issuer_id: str):
    principal = _principal_for(issuer_id)
    taken = snapshot.take_snapshot(db.session, issuer_id)
    form = TransferForm() if principal.can_write(issuer_id) else None
    if form is not None:
        form.from_holder_id.choices = form.to_holder_id.choices = _holder_choices(taken)
        form.class_code.choices = [(c.code, f"{c.code} · {c.name}") for c in taken.classes]
    if form is not None and form.validate_on_submit():
        try:
            with command(principal.actor, issuer_id) as ctx:
                entry = transfers.lodge_transfer(ctx, form.as_request())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"Transfer registered as log entry {entry.index}.", "ok")
            return redirect(url_for("register_pages.register", issuer_id=issuer_id))
    disclose_read(principal, issuer_id)
    size = taken.tree_size
    entries = log.read_entries(db.session, issuer_id, max(0, size - ENTRIES_SHOWN), size)
    return render_template(
        "register.html",
        taken=taken,
        rows=list(islice(snapshot.holdings(db.session, taken), ROWS_SHOWN)),
        rows_shown=ROWS_SHOWN,
        entries=[entry.envelope for entry in reversed(entries)],
        form=form,
    )
