"""Corporate actions in the browser, for the issuer's secretary: cancel, repurchase, redeem,
convert, split and consolidate (previewed holder by holder before confirming), freeze and
unfreeze, pledge and release, forced transfer, and distributions.

Each action is one form and one register service; the page confirms with the log entry it
recorded (and its proof). Refusals are put next to the field they concern."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from app.extensions import db
from app.register import (
    capital,
    conversion,
    distributions,
    queries,
    reorganisation,
    restrictions,
)
from app.register.errors import DomainError
from app.register.members import holder_labels
from app.route_access import ISSUER_WRITE, access
from app.web import action_forms as forms
from app.web.confirm import run_and_confirm
from app.web.formatting import thousands
from app.web.member_picker import picked_members
from app.web.page_access import secretary_of
from app.web.refusals import show_refusal

blp = Blueprint("actions", __name__, url_prefix="/issuers")

PREVIEW_ROWS = 500


@dataclass(frozen=True)
class Action:
    title: str
    form: type[forms.ActionForm]
    service: Callable
    done: str  # the confirmation, before the log entry's number
    preview_kind: str | None = None  # the entry kind a preview plans


ACTIONS = {
    "cancel": Action("Cancel shares", forms.CancelForm, capital.cancel_shares, "Shares cancelled"),
    "repurchase": Action(
        "Buy back shares", forms.RepurchaseForm, capital.repurchase_shares, "Shares bought back"
    ),
    "redeem": Action("Redeem shares", forms.RedeemForm, capital.redeem_shares, "Shares redeemed"),
    "convert": Action(
        "Convert shares into another class",
        forms.ConvertForm,
        conversion.convert_shares,
        "Shares converted",
    ),
    "split": Action(
        "Split a class",
        forms.ReorganiseForm,
        reorganisation.split_class,
        "Class split",
        "class.split",
    ),
    "consolidate": Action(
        "Consolidate a class",
        forms.ReorganiseForm,
        reorganisation.consolidate_class,
        "Class consolidated",
        "class.consolidated",
    ),
    "freeze": Action("Freeze shares", forms.FreezeForm, restrictions.freeze, "Shares frozen"),
    "unfreeze": Action("Unfreeze shares", forms.FreezeForm, restrictions.unfreeze, "Unfrozen"),
    "pledge": Action(
        "Register a pledge", forms.PledgeForm, restrictions.register_pledge, "Pledge registered"
    ),
    "release": Action(
        "Release a pledge", forms.ReleaseForm, restrictions.release_pledge, "Pledge released"
    ),
    "forced-transfer": Action(
        "Forced transfer",
        forms.ForcedTransferForm,
        restrictions.forced_transfer,
        "Forced transfer registered",
    ),
    "distribution": Action(
        "Declare a distribution",
        forms.DistributionForm,
        distributions.declare_distribution,
        "Distribution declared",
    ),
}
CLASS_FIELDS = ("class_code", "to_class")


def _form(action: Action, issuer_id: str) -> forms.ActionForm:
    form = action.form()
    choices = [
        (c.code, f"{c.code} · {c.name}") for c in queries.list_classes(db.session, issuer_id)
    ]
    for name in CLASS_FIELDS:
        if name in form:
            form[name].choices = choices
    if "pledge_id" in form:
        form.pledge_id.choices = _active_pledges(issuer_id)
    return form


def _active_pledges(issuer_id: str) -> list[tuple[str, str]]:
    active = [p for p in queries.pledges(db.session, issuer_id) if p.released_index is None]
    names = holder_labels(db.session, issuer_id, {p.holder_id for p in active})
    return [
        (
            p.pledge_id,
            f"{thousands(p.quantity)} {p.class_code} of {names[p.holder_id]} to {p.pledgee}",
        )
        for p in active
    ]


@blp.route("/<issuer_id>/actions")
@access(ISSUER_WRITE)
@login_required
def index(issuer_id: str):
    secretary_of(issuer_id)
    issuer = queries.get_issuer(db.session, issuer_id)
    return render_template("actions_index.html", issuer=issuer, actions=ACTIONS)


@blp.route("/<issuer_id>/actions/<name>", methods=["GET", "POST"])
@access(ISSUER_WRITE)
@login_required
def action(issuer_id: str, name: str):
    chosen = ACTIONS.get(name) or abort(404)
    principal = secretary_of(issuer_id)
    form = _form(chosen, issuer_id)
    preview = None
    if form.validate_on_submit():
        members = picked_members(form, issuer_id, form.MEMBERS)
        if members is not None:
            wanted = form.as_request(**members)
            try:
                if chosen.preview_kind and request.form.get("confirmed") != "yes":
                    preview = _preview(issuer_id, chosen.preview_kind, wanted)
                else:
                    return run_and_confirm(
                        principal.actor, issuer_id, chosen.service, wanted, chosen.done
                    )
            except DomainError as error:
                # A refusal about a member goes on the field that named them.
                holder_fields = {holder_id: field for field, holder_id in members.items()}
                show_refusal(form, error, FIELD_OF_REFUSAL, holder_fields=holder_fields)
    return render_template(
        "action.html",
        issuer=queries.get_issuer(db.session, issuer_id),
        name=name,
        action=chosen,
        form=form,
        preview=preview,
    )


def _preview(issuer_id: str, kind: str, wanted) -> dict:
    """Every holder's result as the entry would record it, beside what they hold now."""
    planned = reorganisation.planned_reorganisation(db.session, issuer_id, wanted, kind)
    rows = list(islice(planned["holdings"], PREVIEW_ROWS))
    names = holder_labels(db.session, issuer_id, {row["holder_id"] for row in rows})
    held = {
        h.holder_id: h.held
        for h in queries.current_holdings(db.session, issuer_id, class_code=wanted.class_code)
    }
    return {
        "planned": planned,
        "rows": [
            {
                "member": names[row["holder_id"]],
                "before": held.get(row["holder_id"], 0),
                "after": int(row["held"]),
                "fraction": row.get("fraction"),
                "cash": row.get("cash_in_lieu_amount"),
            }
            for row in rows
        ],
        "more": len(planned["holdings"]) - len(rows),
    }


# Where a refusal is shown when the service names no field of the form: the code, or the
# service's name for a field, says which (a field the form has under the same name needs none).
FIELD_OF_REFUSAL = {
    "insufficient_available": "quantity",
    "to_holder_id": "to_member",
    "authorised_exceeded": "ratio",
    "consideration": "amount",
}
