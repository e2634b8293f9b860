"""Pages: the front page, login and logout, and the issuers a user may see."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user

from app.auth.passwords import check_password
from app.auth.principal import login_principal
from app.auth.users import find_user
from app.extensions import db
from app.ledger import log
from app.register import queries
from app.route_access import PUBLIC, SIGNED_IN, access
from app.web.forms import LoginForm

blp = Blueprint(
    "web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets"
)


@blp.route("/")
@access(PUBLIC)
def index():
    issuer_count = queries.issuer_count(db.session)
    return render_template("index.html", issuer_count=issuer_count)


@blp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = find_user(db.session, email)
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
@access(PUBLIC)
def logout():
    logout_user()
    flash("You have logged out.", "ok")
    return redirect(url_for("web.index"))


@blp.route("/issuers")
@access(SIGNED_IN)
@login_required
def issuers():
    principal = login_principal()
    only = None if principal.sees_all_issuers else principal.issuer_id
    rows = [
        (issuer, log.latest_checkpoint(db.session, issuer.id))
        for issuer in queries.list_issuers(db.session, only)
    ]
    return render_template("issuers.html", rows=rows)
