"""The secretary issues shares in the browser: one allotment by form, or a batch of new members
from a CSV file. A batch is checked first (a dry run that lists every problem by line and
writes nothing); only a file that passed is imported, after the secretary confirms it.

Between the check and the confirmation the file waits under instance/uploads, named by its
SHA-256, so what is imported is byte for byte what was checked."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import login_required

from app.commands import command
from app.extensions import db
from app.interchange import importing
from app.job_queue import csv_data_rows, over_job_threshold
from app.register import issuance, queries
from app.register.errors import DomainError
from app.request_guard import accepts_upload
from app.route_access import ISSUER_WRITE, access
from app.web import batch_progress
from app.web.confirm import run_and_confirm
from app.web.issuance_forms import ConfirmCsvForm, CsvIssueForm, IssueForm
from app.web.member_picker import picked_members
from app.web.page_access import secretary_of
from app.web.refusals import show_refusal

blp = Blueprint("issuance_pages", __name__, url_prefix="/issuers")

# Where a refusal is shown when the service names no field of the form (its code says).
FIELD_OF_REFUSAL = {
    "authorised_exceeded": "quantity",
    "too_many_shares": "quantity",
    "holder_ceased": "member",
}


def _uploads() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _page(issuer_id: str, form: IssueForm, csv_form: CsvIssueForm, **report):
    return render_template(
        "issue.html",
        issuer=queries.get_issuer(db.session, issuer_id),
        form=form,
        csv_form=csv_form,
        **report,
    )


def _issue_form(issuer_id: str) -> IssueForm:
    form = IssueForm()
    form.class_code.choices = [
        (c.code, f"{c.code} · {c.name}") for c in queries.list_classes(db.session, issuer_id)
    ]
    return form


@blp.route("/<issuer_id>/issue", methods=["GET", "POST"])
@access(ISSUER_WRITE)
@login_required
def issue(issuer_id: str):
    principal = secretary_of(issuer_id)
    form = _issue_form(issuer_id)
    if form.validate_on_submit():
        picked = picked_members(form, issuer_id, ("member",))
        if picked is not None:
            try:
                return run_and_confirm(
                    principal.actor,
                    issuer_id,
                    issuance.issue_shares,
                    form.as_request(picked["member"]),
                    f"Issued {form.quantity.data:,} shares",
                )
            except DomainError as error:
                show_refusal(form, error, FIELD_OF_REFUSAL)
    return _page(issuer_id, form, CsvIssueForm(formdata=None))


@blp.route("/<issuer_id>/issue/csv", methods=["POST"])
@access(ISSUER_WRITE)
@accepts_upload
@login_required
def check_csv(issuer_id: str):
    """The dry run: every problem by line, nothing written; a clean file waits to be confirmed."""
    principal = secretary_of(issuer_id)
    csv_form = CsvIssueForm()
    if not csv_form.validate_on_submit():
        return _page(issuer_id, _issue_form(issuer_id), csv_form)
    data = csv_form.file.data.read()
    report = _checked(principal.actor, issuer_id, data)
    confirm = None
    if report.ok:
        digest = hashlib.sha256(data).hexdigest()
        (_uploads() / f"{digest}.csv").write_bytes(data)
        confirm = ConfirmCsvForm(formdata=None, upload=digest)
    return _page(issuer_id, _issue_form(issuer_id), csv_form, report=report, confirm=confirm)


def _checked(actor: str, issuer_id: str, data: bytes) -> importing.Report:
    try:
        with command(actor, issuer_id) as ctx:
            return importing.import_register(ctx, importing.read_source("csv", data), dry_run=True)
    except importing.ImportRejected as rejected:
        return rejected.report


@blp.route("/<issuer_id>/issue/csv/confirm", methods=["POST"])
@access(ISSUER_WRITE)
@login_required
def import_csv(issuer_id: str):
    principal = secretary_of(issuer_id)
    form = ConfirmCsvForm()
    path = _uploads() / f"{form.upload.data}.csv"
    if not form.validate_on_submit() or not path.is_file():
        flash("That upload is no longer here: choose the file again.", "error")
        return redirect(url_for("issuance_pages.issue", issuer_id=issuer_id))
    content = path.read_bytes()
    rows = csv_data_rows(content.count(b"\n"))
    if over_job_threshold(rows, len(content)):
        return batch_progress.start_import_job(principal.actor, issuer_id, path, rows)
    source = importing.read_source("csv", content)
    try:
        answer = run_and_confirm(
            principal.actor, issuer_id, _import, source, "Imported the members and their shares"
        )
    except importing.ImportRejected as rejected:
        # The register changed since the check (e.g. an identifier registered meanwhile).
        return _page(
            issuer_id, _issue_form(issuer_id), CsvIssueForm(formdata=None), report=rejected.report
        )
    path.unlink(missing_ok=True)
    return answer


def _import(ctx, source) -> importing.Report:
    return importing.import_register(ctx, source, dry_run=False)
