"""The secretary's editor of a class's transfer rules: every rule in one form, a preview of the
current holders the proposed rules would put in breach (nothing is written), saving them as a
new version (`rules.changed`, one command, one-time token), and the versions so far.
Supervisors read the rules and their history; the form is shown to them disabled."""

from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, render_template, request
from flask_login import login_required

from app.commands import command
from app.errors import domain_status
from app.extensions import db
from app.register import classes, members, queries
from app.register.errors import DomainError
from app.register.snapshot import ERASED_NAME
from app.route_access import ISSUER_READ, ISSUER_WRITE, access
from app.transfers import checks, rules
from app.transfers.requests import ChangeRules
from app.transfers.rule_changes import change_rules
from app.web.forms import RulesForm
from app.web.page_access import reader_of, secretary_of
from app.web.refusals import show_refusal

blp = Blueprint("rules_editor", __name__, url_prefix="/issuers")


class BreachRow(NamedTuple):
    """A breach as the page shows it: the member by name and number (None: the whole class)."""

    name: str
    number: int | None
    rule: str
    message: str


def _breach_rows(issuer_id: str, found: list[checks.Breach]) -> list[BreachRow]:
    labels = {field.name: field.label.text for field in RulesForm(formdata=None)}
    rows = []
    for breach in found:
        name, number = "The class as a whole", None
        if breach.holder_id is not None:
            _, details = queries.holder_with_details(db.session, issuer_id, breach.holder_id)
            name = details.name if details else ERASED_NAME
            number = members.member_number(db.session, issuer_id, breach.holder_id)
        # The checks name a holder in breach "holder <id>" (they know no names); a person reads
        # the name the Member column gives.
        message = breach.message.replace(f"holder {breach.holder_id}", name)
        rows.append(BreachRow(name, number, labels.get(breach.rule, breach.rule), message))
    return sorted(rows, key=lambda row: (row.number or 0, row.rule))


def _page(issuer_id: str, class_code: str, form: RulesForm | None, status: int = 200, **shown):
    share_class = classes.get_class(db.session, issuer_id, class_code)
    page = render_template(
        "rules_editor.html",
        issuer=queries.get_issuer(db.session, issuer_id),
        share_class=share_class,
        current=rules.current_rules(db.session, issuer_id, class_code),
        versions=list(reversed(rules.history(db.session, issuer_id, class_code))),
        form=form,
        **shown,
    )
    return page, status


def _principal(issuer_id: str, write: bool):
    return secretary_of(issuer_id) if write else reader_of(issuer_id)


@blp.route("/<issuer_id>/classes/<class_code>/rules")
@access(ISSUER_READ)
@login_required
def rules_page(issuer_id: str, class_code: str):
    principal = _principal(issuer_id, write=False)
    current = rules.current_rules(db.session, issuer_id, class_code)
    form = RulesForm.showing(current.rules)
    return _page(issuer_id, class_code, form, editable=principal.can_write(issuer_id))


@blp.route("/<issuer_id>/classes/<class_code>/rules", methods=["POST"])
@access(ISSUER_WRITE)
@login_required
def propose(issuer_id: str, class_code: str):
    principal = _principal(issuer_id, write=True)
    form = RulesForm()
    shown = {"editable": True}
    if not form.validate_on_submit():
        return _page(issuer_id, class_code, form, 422, **shown)
    proposed = form.as_rules()
    try:
        if request.form.get("action") == "save":
            with command(principal.actor, issuer_id) as ctx:
                changed = change_rules(ctx, ChangeRules(class_code, proposed))
            shown["saved"] = changed
            shown["breaches"] = _breach_rows(issuer_id, changed.breaches)
            form = RulesForm.showing(changed.current.rules)
        else:
            found = checks.preview_breaches(db.session, issuer_id, class_code, proposed)
            shown["preview"] = _breach_rows(issuer_id, found)
    except DomainError as error:
        show_refusal(form, error)
        return _page(issuer_id, class_code, form, domain_status(error), **shown)
    return _page(issuer_id, class_code, form, **shown)
