"""The register in the browser, for the issuer's secretary and for supervisors: classes,
members and holdings as of the latest checkpoint, recent log entries, and the secretary's
form to register an executed transfer; the printable register and the signed checkpoint,
for the same logged-in readers (the API serves them to bearer tokens only)."""

from __future__ import annotations

from itertools import islice

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import login_required

from app.auth.disclosure import (
    MAX_PURPOSE_LENGTH,
    PURPOSE_PARAMETER,
    PurposeMissing,
    disclose_read,
    stated_purpose,
)
from app.auth.principal import login_principal
from app.commands import command
from app.extensions import db
from app.interchange.formats import snapshot_html
from app.ledger import log
from app.register import queries, snapshot, transfers
from app.register.errors import DomainError
from app.web.forms import TransferForm

blp = Blueprint("register_pages", __name__, url_prefix="/issuers")

ROWS_SHOWN = 500
ENTRIES_SHOWN = 25


@blp.errorhandler(PurposeMissing)
def _ask_for_purpose(error: PurposeMissing):
    """A supervisor's read of personal data needs a purpose: ask for it, keeping the page's
    other parameters (tree_size)."""
    kept = [(name, value) for name, value in request.args.items() if name != PURPOSE_PARAMETER]
    message = None if error.code == "purpose_required" else error.message
    page = render_template(
        "purpose.html",
        role=login_principal().role,
        kept=kept,
        message=message,
        max_length=MAX_PURPOSE_LENGTH,
    )
    return page, 400


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
        # The printable register carries the purpose a supervisor gave for this page.
        purpose=stated_purpose(),
    )


def _tree_size() -> int | None:
    """The `tree_size` asked for, if any (a page's link names the size it showed)."""
    given = request.args.get("tree_size")
    if given is None:
        return None
    if not given.isdigit():
        abort(400, "tree_size must be a whole number")
    return int(given)


def _signed(read, issuer_id: str):
    """`read(session, issuer_id, tree_size)` at the size asked for; a size beyond the signed
    log is a bad request, shown as a page."""
    try:
        return read(db.session, issuer_id, _tree_size())
    except log.LogRangeError as error:
        abort(400, str(error))


@blp.route("/<issuer_id>/printable")
@login_required
def printable(issuer_id: str):
    """The printable register of members (the API's `snapshot?format=html`); a read of
    personal data, disclosed to the issuer when an outsider makes it."""
    principal = _principal_for(issuer_id)
    taken = _signed(snapshot.take_snapshot, issuer_id)
    disclose_read(principal, issuer_id)
    body = snapshot_html.printable(db.session, taken, request.url_root)
    return Response(
        stream_with_context(body),
        mimetype=snapshot_html.MEDIA_TYPE,
        headers={"X-Tree-Size": str(taken.tree_size)},
    )


@blp.route("/<issuer_id>/checkpoint")
@login_required
def checkpoint(issuer_id: str):
    """The signed checkpoint note (the API's `log/checkpoint`): the latest or of `tree_size`."""
    _principal_for(issuer_id)
    queries.get_issuer(db.session, issuer_id)  # an unknown issuer is not a log without checkpoints
    found = _signed(snapshot.find_checkpoint, issuer_id)
    return Response(found.note, mimetype="text/plain")
