"""Pages: the front page, login and logout, and the issuers a user may see."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import login_required

from app.auth import throttle
from app.auth.passwords import check_login
from app.auth.principal import login_principal
from app.auth.sessions import end_session, start_session
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


def local_path(target: str) -> str | None:
    """`target` if it is a path on this site, else None. Browsers drop tabs and newlines and
    read a backslash as a slash, so `/%09/evil.example` or `/\\evil` would leave the site;
    the target is checked as given and once more decoded, against double encoding."""
    for form in (target, unquote(target)):
        if not form.startswith("/") or form.startswith("//") or not form.isprintable():
            return None
        if any(character.isspace() or character == "\\" for character in form):
            return None
        parts = urlsplit(form)
        if parts.scheme or parts.netloc:
            return None
    return target


@blp.route("/login", methods=["GET", "POST"])
@access(PUBLIC)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        # Failed logins are counted per account and per address; past either limit even the
        # right password waits.
        identities = (
            ("LOGIN_FAILURES_PER_ACCOUNT", email),
            ("LOGIN_FAILURES_PER_ADDRESS", get_remote_address()),
        )
        try:
            for config_key, identity in identities:
                throttle.refuse_if_exhausted(config_key, identity)
        except throttle.Throttled as throttled:
            return _too_many_attempts(form, throttled)
        user = find_user(db.session, email)
        if check_login(user.password_hash if user else None, form.password.data):
            start_session(user)
            default = url_for("investor.dashboard" if user.role == "investor" else "web.issuers")
            return redirect(local_path(request.args.get("next", "")) or default)
        try:
            for config_key, identity in identities:
                throttle.count(config_key, identity)
        except throttle.Throttled as throttled:
            return _too_many_attempts(form, throttled)
        flash("Wrong email or password.", "error")
    return render_template("login.html", form=form)


def _too_many_attempts(form: LoginForm, throttled: throttle.Throttled):
    minutes = -(-throttled.retry_after // 60)
    flash(f"Too many failed logins. Try again in {minutes} minute(s).", "error")
    page = render_template("login.html", form=form)
    return page, 429, {"Retry-After": str(throttled.retry_after)}


@blp.route("/logout", methods=["POST"])
@access(PUBLIC)
def logout():
    end_session()
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
