"""The register in the browser, for the issuer's secretary and for supervisors: classes,
members and holdings as of the latest checkpoint, recent log entries, and the secretary's
form to register an executed transfer; the printable register and the signed checkpoint,
for the same logged-in readers (the API serves them to bearer tokens only)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
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

from app.api.snapshot import snapshot_response
from app.auth.disclosure import (
    MAX_PURPOSE_LENGTH,
    PURPOSE_PARAMETER,
    PurposeMissing,
    disclose_read,
    stated_purpose,
)
from app.auth.principal import login_principal
from app.commands import command
from app.errors import API_PREFIX, handle_api_error
from app.extensions import db
from app.interchange.formats import snapshot_html
from app.ledger import log
from app.register import queries, snapshot, transfers
from app.register.errors import DomainError
from app.register.members import holder_labels
from app.register.snapshot import NoCheckpoint
from app.route_access import ISSUER_READ, access
from app.web import entry_words
from app.web.forms import TransferForm
from app.web.member_picker import picked_members
from app.web.page_access import reader_of
from app.web.refusals import show_refusal

blp = Blueprint("register_pages", __name__, url_prefix="/issuers")

ROWS_SHOWN = 500
ENTRIES_SHOWN = 25


# Where a refusal of the transfer is shown when the service names no field of the form: its
# code, or the service's name for the field, says which.
FIELD_OF_REFUSAL = {
    "insufficient_available": "quantity",
    "to_holder_id": "to_member",
    "class": "class_code",
    "duplicate_instrument": "instrument_reference",
}


def ask_for_purpose(error: PurposeMissing):
    """A supervisor's read of personal data needs a purpose: every page asks for it, keeping
    the page's other parameters (tree_size); the API answers its error (app.register_web)."""
    if request.path.startswith(API_PREFIX):
        return handle_api_error(error)
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


def _parties(form: TransferForm, issuer_id: str) -> tuple[str, str] | None:
    """The holders the form's member fields name, or None with the refusal on the field."""
    found = picked_members(form, issuer_id, ("from_member", "to_member"))
    return None if found is None else (found["from_member"], found["to_member"])


def _in_words(error: DomainError, issuer_id: str) -> str:
    details = error.details
    if error.code != "insufficient_available":
        return error.message
    (label,) = holder_labels(db.session, issuer_id, [details["holder_id"]]).values()
    return (
        f"{label} has {details['available']:,} {details['class_code']} available; "
        f"you asked for {details['requested']:,}."
    )


def _register_transfer(form: TransferForm, actor: str, issuer_id: str):
    """The transfer's log entry, or None with the refusals put on the form."""
    parties = _parties(form, issuer_id)
    if parties is None:
        return None
    try:
        with command(actor, issuer_id) as ctx:
            return transfers.lodge_transfer(ctx, form.as_request(*parties))
    except DomainError as error:
        # A shortfall on the number of shares, a ceased member on that member's field (the
        # transferor's, should both name one member).
        show_refusal(
            form,
            error,
            FIELD_OF_REFUSAL,
            words=_in_words(error, issuer_id),
            holder_fields={parties[1]: "to_member", parties[0]: "from_member"},
        )
        return None


def _as_of_day() -> datetime | None:
    """The end of the day (UTC) asked for with `as_of=YYYY-MM-DD`, if any."""
    given = request.args.get("as_of", "")
    if not given:
        return None
    try:
        day = date.fromisoformat(given)
    except ValueError:
        abort(400, "give the date as YYYY-MM-DD")
    return datetime.combine(day, time.max, tzinfo=UTC)


def _register_as_asked(issuer_id: str) -> tuple[snapshot.Snapshot, str | None]:
    """The register as of the size or day asked for (the latest if neither), and why the
    latest is shown instead when the day or size has no signed checkpoint."""
    tree_size, as_of = _tree_size(), _as_of_day()
    if tree_size is not None and as_of is not None:
        abort(400, "give a date or a log size, not both")
    try:
        return snapshot.take_snapshot(db.session, issuer_id, tree_size, as_of), None
    except (NoCheckpoint, log.LogRangeError) as error:
        if as_of is not None:
            why = f"Nothing was signed on or before {as_of.date().isoformat()}."
        else:
            why = f"Log size {tree_size:,} has no signed checkpoint ({error})."
        return snapshot.take_snapshot(db.session, issuer_id), f"{why} The latest register is shown."


@blp.route("/<issuer_id>", methods=["GET", "POST"])
@access(ISSUER_READ)
@login_required
def register(issuer_id: str):
    principal = reader_of(issuer_id)
    taken, as_of_refusal = _register_as_asked(issuer_id)
    latest = log.signed_size(db.session, issuer_id)
    past = taken.tree_size != latest
    # A past register is read only: transfers are registered on the latest.
    form = TransferForm() if principal.can_write(issuer_id) and not past else None
    if form is not None:
        form.class_code.choices = [(c.code, f"{c.code} · {c.name}") for c in taken.classes]
    if form is not None and form.validate_on_submit():
        entry = _register_transfer(form, principal.actor, issuer_id)
        if entry is not None:
            flash(f"Transfer registered as log entry {entry.index:,}.", "ok")
            return redirect(url_for("register_pages.register", issuer_id=issuer_id))
    disclose_read(principal, issuer_id)
    size = taken.tree_size
    entries = log.read_entries(db.session, issuer_id, max(0, size - ENTRIES_SHOWN), size)
    return render_template(
        "register.html",
        taken=taken,
        latest=latest,
        past=past,
        as_of_refusal=as_of_refusal,
        rows=list(islice(snapshot.holdings(db.session, taken), ROWS_SHOWN)),
        rows_shown=ROWS_SHOWN,
        entries=entry_words.describe(
            db.session, issuer_id, [entry.envelope for entry in reversed(entries)]
        ),
        form=form,
        # The printable register carries the purpose a supervisor gave for this page.
        purpose=stated_purpose(),
    )


@blp.route("/<issuer_id>/snapshot.<format_name>")
@access(ISSUER_READ)
@login_required
def download(issuer_id: str, format_name: str):
    """The register as of a signed size as a file (JSON, CSV or an OCF package), as the API's
    snapshot gives it to bearer tokens; a read of personal data, disclosed like the API's."""
    if format_name not in ("json", "csv", "ocf"):
        abort(404)
    principal = reader_of(issuer_id)
    taken = _signed(snapshot.take_snapshot, issuer_id)
    disclose_read(principal, issuer_id)
    return snapshot_response(taken, format_name)


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
@access(ISSUER_READ)
@login_required
def printable(issuer_id: str):
    """The printable register of members (the API's `snapshot?format=html`); a read of
    personal data, disclosed to the issuer when an outsider makes it."""
    principal = reader_of(issuer_id)
    taken = _signed(snapshot.take_snapshot, issuer_id)
    disclose_read(principal, issuer_id)
    body = snapshot_html.printable(db.session, taken, request.url_root)
    return Response(
        stream_with_context(body),
        mimetype=snapshot_html.MEDIA_TYPE,
        headers={"X-Tree-Size": str(taken.tree_size)},
    )


@blp.route("/<issuer_id>/checkpoint")
@access(ISSUER_READ)
@login_required
def checkpoint(issuer_id: str):
    """The signed checkpoint note (the API's `log/checkpoint`): the latest or of `tree_size`."""
    reader_of(issuer_id)
    queries.get_issuer(db.session, issuer_id)  # an unknown issuer is not a log without checkpoints
    found = _signed(snapshot.find_checkpoint, issuer_id)
    return Response(found.note, mimetype="text/plain")
