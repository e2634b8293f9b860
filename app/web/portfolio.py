"""The investor's portfolio: every issuer where the login holds shares, each holding with its
share of the class, and the way into that holding's own pages (history, transfers, receipt)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from app.auth.investors import links_of, switch_to
from app.extensions import db
from app.models.issuer import Issuer
from app.models.register import HoldingVersion
from app.models.user import User
from app.register import queries
from app.register.errors import NotFound
from app.register.members import holder_labels
from app.route_access import INVESTOR, access
from app.web import charts
from app.web.investor import investor_only

blp = Blueprint("portfolio", __name__, url_prefix="/me")


@dataclass(frozen=True)
class Position:
    issuer: Issuer
    member: str  # the holder as that issuer's register names them, with their number
    holdings: list[HoldingVersion]
    issued: dict[str, int]  # per class, to show each holding's share of it
    current: bool  # the holding the /me/ pages show now


def _positions() -> list[Position]:
    positions = []
    for link in links_of(db.session, current_user.id):
        issued = {c.code: c.issued for c in queries.list_classes(db.session, link.issuer_id)}
        labels = holder_labels(db.session, link.issuer_id, [link.holder_id])
        positions.append(
            Position(
                issuer=queries.get_issuer(db.session, link.issuer_id),
                member=labels.get(link.holder_id, ""),
                holdings=queries.current_holdings(db.session, link.issuer_id, link.holder_id),
                issued=issued,
                current=link.holder_id == current_user.holder_id,
            )
        )
    return positions


@blp.route("/portfolio")
@access(INVESTOR)
@investor_only
def portfolio():
    positions = _positions()
    bars = [
        (f"{p.issuer.legal_name} · {h.class_code}", h.held / (p.issued[h.class_code] or 1), None)
        for p in positions
        for h in p.holdings
        if h.held
    ]
    return render_template(
        "portfolio.html",
        positions=positions,
        chart=charts.fraction_bars("My share of each class I hold", bars),
        switch_form=FlaskForm,
    )


@blp.route("/portfolio/<issuer_id>", methods=["POST"])
@access(INVESTOR)
@investor_only
def open_holding(issuer_id: str):
    """Show this issuer's holding on the /me/ pages (history, transfers, receipt)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        with db.write() as session:
            switch_to(session, session.get(User, current_user.id), issuer_id)
    except NotFound as refusal:
        flash(f"{refusal.message.capitalize()}.", "error")
        return redirect(url_for("portfolio.portfolio"))
    return redirect(url_for("investor.dashboard"))
