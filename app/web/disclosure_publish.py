"""The secretary publishes, amends and withdraws disclosures in the browser: each form is one
command (`disclosure.published`, `.amended`, `.withdrawn`) with a one-time token, and each
refusal is said next to the field it concerns, in plain words, with nothing written."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.auth.principal import Principal
from app.commands import command
from app.disclosures import queries as disclosure_queries
from app.disclosures import services
from app.disclosures.documents import current_store
from app.errors import domain_status
from app.extensions import db
from app.register import queries
from app.register.errors import DomainError
from app.request_guard import accepts_upload
from app.route_access import ISSUER_WRITE, access
from app.web.disclosure_forms import AmendForm, DisclosureForm, WithdrawForm
from app.web.disclosures import disclosure_page
from app.web.page_access import secretary_of
from app.web.refusals import show_refusal

blp = Blueprint("disclosure_publish", __name__, url_prefix="/issuers")
MEGABYTE = 1024 * 1024

# Which field a refusal belongs to when the service names none (its code says).
FIELD_OF_ERROR = {
    "attachment_too_large": "attachments",
    "unsupported_media_type": "attachments",
}


@blp.context_processor
def _limits() -> dict:
    limit = current_store().max_attachment_bytes
    return {
        "attachment_limit": f"{limit / MEGABYTE:g} MB" if limit >= MEGABYTE else f"{limit:,} bytes"
    }


def _secretary(issuer_id: str) -> Principal:
    # Access first, so that an outsider cannot tell an unknown issuer from one it may not see.
    principal = secretary_of(issuer_id)
    queries.get_issuer(db.session, issuer_id)
    return principal


def _refused(form, error: DomainError, template: str, **shown):
    show_refusal(form, error, FIELD_OF_ERROR)
    return render_template(template, form=form, **shown), domain_status(error)


def _to_page(issuer_id: str, disclosure_id: str):
    return redirect(
        url_for("disclosure_pages.disclosure", issuer_id=issuer_id, disclosure_id=disclosure_id)
    )


def _publish_page(issuer_id: str, form: DisclosureForm, status: int = 200):
    issuer = queries.get_issuer(db.session, issuer_id)
    return render_template("disclosure_publish.html", issuer=issuer, form=form), status


@blp.route("/<issuer_id>/disclosures/new", methods=["GET", "POST"])
@access(ISSUER_WRITE)
@accepts_upload
@login_required
def publish(issuer_id: str):
    principal = _secretary(issuer_id)
    form = DisclosureForm()
    if request.method == "GET":
        return _publish_page(issuer_id, DisclosureForm(formdata=None))
    if not form.validate_on_submit():
        return _publish_page(issuer_id, form, 422)
    issuer = queries.get_issuer(db.session, issuer_id)
    try:
        with command(principal.actor, issuer_id) as ctx:
            published = services.publish(ctx, form.as_publish())
    except DomainError as error:
        return _refused(form, error, "disclosure_publish.html", issuer=issuer)
    flash(f"Published as entry {published.log_index:,} of the log.", "ok")
    return redirect(
        url_for(
            "disclosure_pages.disclosure",
            issuer_id=issuer_id,
            disclosure_id=published.disclosure_id,
        )
    )


def _version(issuer_id: str, disclosure_id: str):
    return disclosure_queries.get_disclosure(
        db.session, issuer_id, disclosure_id, include_members=True
    )


def _kept_attachments(current) -> tuple[str, ...]:
    """The files of the current version whose `keep_<sha256>` box stayed ticked."""
    return tuple(
        file.sha256 for file in current.attachments if request.form.get(f"keep_{file.sha256}")
    )


@blp.route("/<issuer_id>/disclosures/<disclosure_id>/amend", methods=["GET", "POST"])
@access(ISSUER_WRITE)
@accepts_upload
@login_required
def amend(issuer_id: str, disclosure_id: str):
    principal = _secretary(issuer_id)
    issuer = queries.get_issuer(db.session, issuer_id)
    current = _version(issuer_id, disclosure_id)
    shown = {"issuer": issuer, "current": current}
    if current.status != "current":
        # Said before the secretary fills the form in, not after.
        flash(f"Only the current version can be amended; this one is {current.status}.", "error")
        return _to_page(issuer_id, disclosure_id)
    if request.method == "GET":
        form = AmendForm.showing(current)
        return render_template("disclosure_publish.html", form=form, **shown)
    form = AmendForm()
    kept = _kept_attachments(current)
    shown["kept"] = kept
    if not form.validate_on_submit():
        return render_template("disclosure_publish.html", form=form, **shown), 422
    try:
        with command(principal.actor, issuer_id) as ctx:
            amended = services.amend(ctx, form.as_amend(disclosure_id, kept))
    except DomainError as error:
        return _refused(form, error, "disclosure_publish.html", **shown)
    flash(f"The new version is entry {amended.log_index:,} of the log.", "ok")
    return redirect(
        url_for(
            "disclosure_pages.disclosure", issuer_id=issuer_id, disclosure_id=amended.disclosure_id
        )
    )


@blp.route("/<issuer_id>/disclosures/<disclosure_id>/withdraw", methods=["POST"])
@access(ISSUER_WRITE)
@login_required
def withdraw(issuer_id: str, disclosure_id: str):
    principal = _secretary(issuer_id)
    form = WithdrawForm()
    status = 422
    if form.validate_on_submit():
        try:
            with command(principal.actor, issuer_id) as ctx:
                withdrawn = services.withdraw(ctx, form.as_request(disclosure_id))
        except DomainError as error:
            status = domain_status(error)
            show_refusal(form, error, FIELD_OF_ERROR)
        else:
            flash(f"Withdrawn as entry {withdrawn.log_index:,} of the log.", "ok")
            return redirect(
                url_for(
                    "disclosure_pages.disclosure", issuer_id=issuer_id, disclosure_id=disclosure_id
                )
            )
    # The disclosure's own page, with the refusals next to the withdrawal's fields.
    return disclosure_page(issuer_id, disclosure_id, withdraw_form=form), status
