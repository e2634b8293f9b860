"""The secretary's dashboard for one issuer: what was issued, how many members, the transfers
waiting for a decision (overdue ones said so), the latest entries in words, who holds the
votes, how the capital grew and the latest substantial-holding notices. Supervisors see the
same, read only."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

from app.auth.disclosure import disclose_read
from app.commands import current_ledger
from app.extensions import db
from app.ledger import log
from app.notices import queries as notice_queries
from app.register import member_search, overview, snapshot
from app.register.members import holder_labels
from app.route_access import ISSUER_READ, access
from app.transfers.states import ACCEPTED, INSTRUCTED
from app.web import charts, entry_words, instruction_rows
from app.web.page_access import reader_of

blp = Blueprint("dashboard", __name__, url_prefix="/issuers")

LARGEST_SHOWN = 8
ENTRIES_SHOWN = 10
NOTICES_SHOWN = 5


@blp.route("/<issuer_id>/dashboard")
@access(ISSUER_READ)
@login_required
def dashboard(issuer_id: str):
    principal = reader_of(issuer_id)
    taken = snapshot.take_snapshot(db.session, issuer_id)
    now = current_ledger().clock()
    size = taken.tree_size
    entries = log.read_entries(db.session, issuer_id, max(0, size - ENTRIES_SHOWN), size)
    top, total_votes = overview.largest_holders(db.session, issuer_id, LARGEST_SHOWN)
    notices = notice_queries.notices_page(db.session, issuer_id, None, NOTICES_SHOWN).items
    names = holder_labels(
        db.session,
        issuer_id,
        {stake.holder_id for stake in top} | {notice.holder_id for notice in notices},
    )
    largest = [charts.Bar(names[stake.holder_id], stake.votes) for stake in top]
    capital = overview.capital_over_time(db.session, issuer_id)
    disclose_read(principal, issuer_id)  # the largest holders, by name
    return render_template(
        "dashboard.html",
        taken=taken,
        may_change=principal.can_write(issuer_id),
        members=member_search.member_count(db.session, issuer_id),
        awaiting_decision=instruction_rows.instructions_in_state(
            db.session, issuer_id, ACCEPTED, now
        ),
        awaiting_transferee=len(
            instruction_rows.instructions_in_state(db.session, issuer_id, INSTRUCTED, now)
        ),
        entries=entry_words.describe(
            db.session, issuer_id, [entry.envelope for entry in reversed(entries)]
        ),
        largest=largest,
        total_votes=total_votes,
        ownership_chart=charts.share_bars(
            "Largest holders by share of votes", largest, total_votes, "Everyone else"
        ),
        notices=notices,
        names=names,
        capital=capital,
        capital_chart=charts.growth_line(
            "Shares issued over time",
            [(point.signed_at.strftime("%Y-%m-%d"), point.issued) for point in capital],
        ),
    )
