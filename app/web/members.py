"""Members of the register in the browser: search by name, identifier or member number, a
page at a time, and one member's page (details, holdings, encumbrances, history in words,
notices, who read their details). The picker on transfer forms asks `members.json` as the
user types."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request
from flask_login import login_required

from app.auth.actors import actor_names
from app.auth.disclosure import disclose_read
from app.extensions import db
from app.ledger import queries as log_queries
from app.notices.queries import holder_notices
from app.register import access_reads, holder_entries, queries
from app.register.errors import NotFound
from app.register.member_search import members_page
from app.register.members import member_number
from app.route_access import ISSUER_READ, access
from app.web import entry_words
from app.web.member_forms import CeaseForm, KycForm
from app.web.page_access import reader_of

blp = Blueprint("members", __name__, url_prefix="/issuers")

PAGE_SIZE = 50
PICKER_SIZE = 20
NOTICES_SHOWN = 20


def _after() -> int | None:
    given = request.args.get("after", "")
    return int(given) if given.isdigit() else None


@blp.route("/<issuer_id>/members")
@access(ISSUER_READ)
@login_required
def members(issuer_id: str):
    principal = reader_of(issuer_id)
    issuer = queries.get_issuer(db.session, issuer_id)
    search = request.args.get("q", "")[:200]
    page = members_page(db.session, issuer_id, search, _after(), PAGE_SIZE)
    disclose_read(principal, issuer_id)
    return render_template(
        "members.html",
        issuer=issuer,
        page=page,
        search=search,
        may_change=principal.can_write(issuer_id),
    )


@blp.route("/<issuer_id>/members.json")
@access(ISSUER_READ)
@login_required
def member_choices(issuer_id: str):
    """What the member picker offers for the letters typed: at most 20 current members."""
    principal = reader_of(issuer_id)
    search = request.args.get("q", "")[:200]
    page = members_page(db.session, issuer_id, search, None, PICKER_SIZE)
    disclose_read(principal, issuer_id)
    return jsonify(
        {
            "members": [
                {"holder_id": row.holder_id, "label": row.label}
                for row in page.items
                if row.ceased_on is None
            ]
        }
    )


@blp.route("/<issuer_id>/members/<holder_id>")
@access(ISSUER_READ)
@login_required
def member(issuer_id: str, holder_id: str):
    principal = reader_of(issuer_id)
    issuer = queries.get_issuer(db.session, issuer_id)
    try:
        holder, details = queries.holder_with_details(db.session, issuer_id, holder_id)
    except NotFound:
        abort(404)
    indexes = holder_entries.entry_indexes(db.session, holder)
    entries = log_queries.entries_at(db.session, issuer_id, indexes)
    history = entry_words.describe(db.session, issuer_id, [e.envelope for e in reversed(entries)])
    pledges = [p for p in queries.pledges(db.session, issuer_id) if p.holder_id == holder_id]
    accesses = access_reads.accesses(db.session, issuer_id, holder_id, limit=50)
    disclose_read(principal, issuer_id, holder_id)
    return render_template(
        "member.html",
        issuer=issuer,
        holder=holder,
        details=details,
        number=member_number(db.session, issuer_id, holder_id),
        holdings=queries.current_holdings(db.session, issuer_id, holder_id),
        pledges=pledges,
        history=history,
        accesses=accesses,
        notices=holder_notices(db.session, issuer_id, holder_id, NOTICES_SHOWN),
        readers=actor_names(db.session, {access.actor for access in accesses}),
        may_change=principal.can_write(issuer_id),
        kyc_form=KycForm(formdata=None),
        cease_form=CeaseForm(formdata=None),
    )
