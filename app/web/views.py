"""Pages: the front page, login and logout, and the issuers a user may see."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select

from app.auth.passwords import check_password
from app.auth.principal import login_principal
from app.extensions import db
from app.ledger import log
from app.models.issuer import Issuer
from app.models.user import User
from app.web.forms import LoginForm

blp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)


@blp.route("/")
def index():
    issuer_count = len(db.session.scalars(select(Issuer.id)).all())
    return render_template("index.html", issuer_count=issuer_count)


@blp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is not None and check_password(user.password_hash, form.password.data):
            login_user(user)
            target = request.args.get("next", "")
            # Only same-site paths, so a crafted link cannot bounce a user elsewhere.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("investor.dashboard" if user.role == "investor" else "web.issuers")
            return redirect(target)
        flash("Wrong email or password.", "error")
    return render_template("login.html", form=form)


@blp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    return redirect(url_for("web.index"))


@blp.route("/issuers")
@login_required
def issuers():
    principal = login_principal()
    query = select(Issuer).order_by(Issuer.legal_name)
    if not principal.sees_all_issuers:
        query = query.where(Issuer.id == principal.issuer_id)
    rows = [
        (issuer, log.latest_checkpoint(db.session, issuer.id))
        for issuer in db.session.scalars(query)
    ]
    return render_template("issuers.html", rows=rows)
