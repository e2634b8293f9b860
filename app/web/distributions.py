"""Distributions in the browser: the issuer's declared distributions, and one distribution
with its entitlement list once the record date has ended (members by name and number, the
shares each held at the record date, the amount due, in the currency's minor units, with
totals), a page at a time.

Readers are those the API lets read them (ISSUER_READ): the issuer's secretaries, and
supervisors, who state a purpose before they see the members' names. As in the API, a read
after a record date has ended fixes what that date made due first."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask_login import login_required

from app.api.distributions import fix_due
from app.auth.disclosure import disclose_read
from app.extensions import db
from app.register import distributions, queries
from app.register.members import holder_labels
from app.register.paging import page_or_first
from app.route_access import ISSUER_READ, access
from app.web.page_access import reader_of

blp = Blueprint("distribution_pages", __name__, url_prefix="/issuers")

PAGE_SIZE = 100
STATUS_WORDS = {
    "declared": "Declared: entitlements are fixed at the end of the record date",
    "fixed": "Entitlements fixed",
}


def _status(distribution) -> str:
    return "declared" if distribution.fixed_index is None else "fixed"


@blp.route("/<issuer_id>/distributions")
@access(ISSUER_READ)
@login_required
def distributions_list(issuer_id: str):
    principal = reader_of(issuer_id)
    issuer = queries.get_issuer(db.session, issuer_id)
    fix_due(issuer_id)
    found = queries.distributions(db.session, issuer_id)
    return render_template(
        "distributions.html",
        issuer=issuer,
        distributions=[(row, _status(row)) for row in reversed(found)],
        status_words=STATUS_WORDS,
        may_change=principal.can_write(issuer_id),
    )


@blp.route("/<issuer_id>/distributions/<distribution_id>")
@access(ISSUER_READ)
@login_required
def distribution(issuer_id: str, distribution_id: str):
    principal = reader_of(issuer_id)
    issuer = queries.get_issuer(db.session, issuer_id)
    fix_due(issuer_id)
    found = distributions.get_distribution(db.session, issuer_id, distribution_id)
    after = request.args.get("after") or None
    page = lines = None
    if found.fixed_index is not None:
        page, started_over = page_or_first(
            lambda key: queries.entitlements_page(
                db.session, issuer_id, distribution_id, key, PAGE_SIZE
            ),
            after,
        )
        if started_over:
            flash("That page of the list does not exist: here is the first page.", "error")
            after = None
        names = holder_labels(db.session, issuer_id, {line.holder_id for line in page.items})
        lines = [(names[line.holder_id], line) for line in page.items]
        disclose_read(principal, issuer_id)  # the entitled members, by name
    return render_template(
        "distribution.html",
        issuer=issuer,
        distribution=found,
        status=_status(found),
        status_words=STATUS_WORDS,
        digits=distributions.minor_unit_digits(found.currency),
        page=page,
        lines=lines,
        after=after,
    )
