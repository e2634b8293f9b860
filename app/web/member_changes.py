"""The secretary changes the members: enters one, amends their details, records that they
ceased to be a member, records the company's identity check. Each is one register command,
confirmed with its log entry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from app.extensions import db
from app.register import holders, queries
from app.register.errors import DomainError, NotFound
from app.route_access import ISSUER_WRITE, access
from app.web.confirm import run_and_confirm
from app.web.member_forms import CeaseForm, KycForm, MemberForm
from app.web.page_access import secretary_of
from app.web.refusals import show_refusal

blp = Blueprint("member_changes", __name__, url_prefix="/issuers")

# The field of a refusal that names none.
FIELD_OF_REFUSAL = {"duplicate_identifier": "identifier"}


@blp.route("/<issuer_id>/members/new", methods=["GET", "POST"])
@access(ISSUER_WRITE)
@login_required
def enter(issuer_id: str):
    principal = secretary_of(issuer_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            return run_and_confirm(
                principal.actor,
                issuer_id,
                holders.register_holder,
                form.as_registration(),
                f"{form.name.data.strip()} entered on the register",
                url_for("members.members", issuer_id=issuer_id),
            )
        except DomainError as error:
            show_refusal(form, error, FIELD_OF_REFUSAL)
    issuer = queries.get_issuer(db.session, issuer_id)
    return render_template("member_form.html", issuer=issuer, form=form, holder_id=None)


def _holder_or_404(issuer_id: str, holder_id: str):
    try:
        return queries.holder_with_details(db.session, issuer_id, holder_id)
    except NotFound:
        abort(404)


@blp.route("/<issuer_id>/members/<holder_id>/edit", methods=["GET", "POST"])
@access(ISSUER_WRITE)
@login_required
def amend(issuer_id: str, holder_id: str):
    principal = secretary_of(issuer_id)
    holder, details = _holder_or_404(issuer_id, holder_id)
    if details is None:
        abort(404)
    form = MemberForm(obj=details, joint_holders="\n".join(details.joint_holders or ()))
    member_page = url_for("members.member", issuer_id=issuer_id, holder_id=holder_id)
    if form.validate_on_submit():
        try:
            return run_and_confirm(
                principal.actor,
                issuer_id,
                holders.amend_holder,
                form.as_amendment(holder_id),
                "Member's details amended",
                member_page,
            )
        except DomainError as error:
            show_refusal(form, error, FIELD_OF_REFUSAL)
    issuer = queries.get_issuer(db.session, issuer_id)
    return render_template("member_form.html", issuer=issuer, form=form, holder_id=holder.holder_id)


def _member_step(issuer_id: str, holder_id: str, form, service, done: str):
    principal = secretary_of(issuer_id)
    _holder_or_404(issuer_id, holder_id)
    member_page = url_for("members.member", issuer_id=issuer_id, holder_id=holder_id)
    if form.validate_on_submit():
        try:
            return run_and_confirm(
                principal.actor, issuer_id, service, form.as_request(holder_id), done, member_page
            )
        except DomainError as error:
            flash(error.message, "error")
    return redirect(member_page)


@blp.route("/<issuer_id>/members/<holder_id>/cease", methods=["POST"])
@access(ISSUER_WRITE)
@login_required
def cease(issuer_id: str, holder_id: str):
    return _member_step(
        issuer_id, holder_id, CeaseForm(), holders.cease_holder, "Recorded as ceased"
    )


@blp.route("/<issuer_id>/members/<holder_id>/kyc", methods=["POST"])
@access(ISSUER_WRITE)
@login_required
def kyc(issuer_id: str, holder_id: str):
    return _member_step(issuer_id, holder_id, KycForm(), holders.set_kyc, "Identity check recorded")
