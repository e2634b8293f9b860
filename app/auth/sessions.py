"""Browser sessions through Flask-Login, kept server-side: the signed cookie carries a random
session id whose row says when it started, when it was last seen and whether it ended, so
that logging out (or expiring, idle or absolute) ends the session even for a copied cookie."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from flask import current_app, session
from flask_login import LoginManager, login_user, logout_user
from sqlalchemy import select

from app.auth.tokens import digest
from app.extensions import db
from app.ledger.log import utc_now
from app.models.user import LoginSession, User

SESSION_KEY = "login_session"
# How stale `last_seen_at` may get before a request rewrites it.
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def now() -> datetime:
    """The wall clock, or the app's LEDGER_CLOCK when tests set one."""
    return (current_app.config.get("LEDGER_CLOCK") or utc_now)()


def init_login(login_manager: LoginManager) -> None:
    login_manager.login_view = "web.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        if not user_id.isdigit():
            return None
        login = _live_session(int(user_id))
        return db.session.get(User, login.user_id) if login else None


def start_session(user: User) -> None:
    """Log `user` in under a new server-side session (a fresh id: no fixation)."""
    session.clear()
    session_id = secrets.token_urlsafe(32)
    moment = now()
    with db.write() as write:
        write.add(
            LoginSession(
                session_hash=digest(session_id),
                user_id=user.id,
                started_at=moment,
                last_seen_at=moment,
            )
        )
    session[SESSION_KEY] = session_id
    login_user(user)


def end_session() -> None:
    """Log out: the row is ended, so this cookie (and any copy of it) no longer works."""
    session_id = session.get(SESSION_KEY)
    if session_id:
        with db.write() as write:
            login = _find(write, session_id)
            if login is not None and login.ended_at is None:
                login.ended_at = now()
    logout_user()
    session.clear()


def _find(read, session_id: str) -> LoginSession | None:
    query = select(LoginSession).where(LoginSession.session_hash == digest(session_id))
    return read.scalars(query).first()


def _live_session(user_id: int) -> LoginSession | None:
    session_id = session.get(SESSION_KEY)
    if not isinstance(session_id, str):
        return None
    login = _find(db.session, session_id)
    if login is None or login.user_id != user_id or login.ended_at is not None:
        return None
    moment = now()
    config = current_app.config
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    longest = timedelta(hours=config["SESSION_MAX_HOURS"])
    if moment - login.last_seen_at > idle or moment - login.started_at > longest:
        with db.write() as write:
            ended = write.get(LoginSession, login.id)
            ended.ended_at = moment
        return None
    if moment - login.last_seen_at >= LAST_SEEN_RESOLUTION:
        with db.write() as write:
            write.get(LoginSession, login.id).last_seen_at = moment
    return login
