"""Mounts the API blueprints on the flask-smorest Api."""

from __future__ import annotations

from flask_smorest import Api
from flask_wtf.csrf import CSRFProtect

from app.api import (
    capital,
    distributions,
    imports,
    instructions,
    issuers,
    log,
    register,
    restrictions,
    snapshot,
)

# One module per line, so that adding an API module is a one-line change.
API_MODULES = (
    log,
    issuers,
    register,
    restrictions,
    distributions,
    capital,
    snapshot,
    imports,
    instructions,
)


def register_api(api: Api, csrf: CSRFProtect) -> None:
    for module in API_MODULES:
        # The API authenticates with bearer tokens, not cookies, so CSRF does not apply.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
