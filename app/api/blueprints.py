"""Mounts the API blueprints on the flask-smorest Api."""

from __future__ import annotations

from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from app.api import issuers, log


def register_api(api: Api, csrf: CSRFProtect) -> None:
    for module in (log, issuers):
        # The API authenticates with bearer tokens, not cookies, so CSRF does not apply.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
