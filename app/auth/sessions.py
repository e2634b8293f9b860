"""Browser sessions through Flask-Login."""

from __future__ import annotations

from flask_login import LoginManager

from app.extensions import db
from app.models.user import User


def init_login(login_manager: LoginManager) -> None:
    login_manager.login_view = "web.login"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None
