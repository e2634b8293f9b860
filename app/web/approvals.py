"""The secretary's approvals page: instructions waiting for the company's decision (oldest
first, deadlines shown, overdue ones said so in words), approve or reject with reasons, the
approved ones to register (settle), and those still waiting for their transferee."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import login_required

from app.commands import current_ledger
from app.extensions import db
from app.register import queries
from app.register.errors import DomainError
from app.route_access import ISSUER_WRITE, access
from app.transfers import workflow
from app.transfers.requests import Reason, Reject, Step
from app.transfers.states import ACCEPTED, APPROVED, INSTRUCTED
from app.web import instruction_rows
from app.web.confirm import run_and_confirm
from app.web.forms import RejectForm, StepForm
from app.web.page_access import secretary_of

blp = Blueprint("approvals", __name__, url_prefix="/issuers")

STEPS = {
    "approve": (workflow.approve, "Transfer approved; register it when the paperwork is done"),
    "settle": (workflow.settle, "Transfer registered: the shares have moved"),
}


def _page(
    issuer_id: str,
    reject_forms: dict[str, RejectForm] | None = None,
    refusal: tuple[str, str] | None = None,
    status: int = 200,
):
    """The queue; `refusal` (instruction id, words) is said in that instruction's row, or at
    the top when the instruction has left the queue (settled or refused meanwhile)."""
    now = current_ledger().clock()

    def in_state(state: str):
        return instruction_rows.instructions_in_state(db.session, issuer_id, state, now)

    tables = {state: in_state(state) for state in (ACCEPTED, APPROVED, INSTRUCTED)}
    refusals = dict([refusal]) if refusal else {}
    on_page = {row.instruction.instruction_id for rows in tables.values() for row in rows}
    if refusal and refusal[0] not in on_page:
        flash(refusal[1], "error")
    page = render_template(
        "approvals.html",
        issuer=queries.get_issuer(db.session, issuer_id),
        awaiting_decision=tables[ACCEPTED],
        ready_to_settle=tables[APPROVED],
        awaiting_transferee=tables[INSTRUCTED],
        refusals=refusals,
        step_form=StepForm,
        reject_form=lambda instruction_id: (
            (reject_forms or {}).get(instruction_id) or RejectForm(formdata=None)
        ),
    )
    return page, status


@blp.route("/<issuer_id>/approvals")
@access(ISSUER_WRITE)
@login_required
def approvals(issuer_id: str):
    secretary_of(issuer_id)
    return _page(issuer_id)


def _decide(issuer_id: str, instruction_id: str, service, request, done: str):
    """Run one decision and land on its log entry, with the way back to the queue; a refusal
    is said next to the instruction it concerns."""
    back = url_for("approvals.approvals", issuer_id=issuer_id)
    try:
        return run_and_confirm(
            secretary_of(issuer_id).actor, issuer_id, service, request, done, then=back
        )
    except DomainError as error:
        return _page(issuer_id, refusal=(instruction_id, error.message), status=422)


@blp.route("/<issuer_id>/approvals/<instruction_id>/<action>", methods=["POST"])
@access(ISSUER_WRITE)
@login_required
def step(issuer_id: str, instruction_id: str, action: str):
    secretary_of(issuer_id)
    if action not in STEPS:
        abort(404)
    service, done = STEPS[action]
    if not StepForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("approvals.approvals", issuer_id=issuer_id))
    return _decide(issuer_id, instruction_id, service, Step(instruction_id), done)


@blp.route("/<issuer_id>/approvals/<instruction_id>/reject", methods=["POST"])
@access(ISSUER_WRITE)
@login_required
def reject(issuer_id: str, instruction_id: str):
    secretary_of(issuer_id)
    form = RejectForm()
    if not form.validate_on_submit():
        # Shown again next to the instruction, with what was typed.
        return _page(issuer_id, {instruction_id: form}, status=422)
    reasons = (Reason(form.code.data, form.text.data.strip()),)
    done = "Transfer refused; the parties see your reason and the shares are free again"
    return _decide(
        issuer_id, instruction_id, workflow.reject, Reject(instruction_id, reasons), done
    )
