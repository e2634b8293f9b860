"""The persons-with-significant-control page, for the issuer's secretary and supervisors: the
holders of 25% or more of the shares or votes as of any signed log size, the disclosure profile
in force, and the latest substantial-holding notices."""

from __future__ import annotations

from flask import Blueprint, abort, flash, render_template, request
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms.validators import NumberRange, Optional

from app.auth.disclosure import disclose_read
from app.auth.principal import login_principal
from app.extensions import db
from app.ledger.log import LogRangeError
from app.notices import queries
from app.notices.profiles import effective_profile
from app.register.errors import DomainError
from app.register.limits import MAX_LOG_INDEX
from app.register.members import holder_labels
from app.register.queries import get_issuer
from app.route_access import ISSUER_READ, access
from app.web.forms import WholeNumberField

blp = Blueprint("notices_pages", __name__, url_prefix="/issuers")

NOTICES_SHOWN = 50


class SizeForm(FlaskForm):
    """Which log size to read the register at (a GET form: it changes nothing)."""

    class Meta:
        csrf = False

    tree_size = WholeNumberField(
        "As of log size (blank: the latest)",
        validators=[Optional(), NumberRange(min=1, max=MAX_LOG_INDEX)],
    )


@blp.route("/<issuer_id>/significant-control")
@access(ISSUER_READ)
@login_required
def significant_control(issuer_id: str):
    principal = login_principal()
    if principal is None or not principal.can_read(issuer_id):
        abort(403)
    issuer = get_issuer(db.session, issuer_id)
    form = SizeForm(request.args)
    size = form.tree_size.data if form.validate() else None
    try:
        control = queries.significant_control(db.session, issuer_id, size)
    except (DomainError, LogRangeError) as error:
        flash(getattr(error, "message", str(error)), "error")
        control = queries.significant_control(db.session, issuer_id)
    notices = queries.notices_page(db.session, issuer_id, None, NOTICES_SHOWN).items
    names = holder_labels(db.session, issuer_id, {notice.holder_id for notice in notices})
    disclose_read(principal, issuer_id)
    return render_template(
        "significant_control.html",
        issuer=issuer,
        profile=effective_profile(issuer.disclosure_profile, issuer.jurisdiction),
        control=control,
        form=form,
        notices=notices,
        names=names,
    )
