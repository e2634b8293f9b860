"""Mounts the API blueprints on the flask-smorest Api; every write operation honours an
`Idempotency-Key` header (app.idempotency)."""

from __future__ import annotations

from flask.blueprints import BlueprintSetupState
from flask_smorest import Api, Blueprint
from flask_wtf.csrf import CSRFProtect

from app.api import (
    capital,
    distributions,
    imports,
    instructions,
    issuers,
    log,
    notices,
    offers,
    register,
    restrictions,
    rules,
    snapshot,
)
from app.idempotency.http import document_key_header, protect_write_views

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
    offers,
    rules,
    notices,
)


def register_api(api: Api, csrf: CSRFProtect) -> None:
    for module in API_MODULES:
        # The API authenticates with bearer tokens, not cookies, so CSRF does not apply.
        csrf.exempt(module.blp)
        _make_writes_idempotent(module.blp)
        api.register_blueprint(module.blp)


def _make_writes_idempotent(blp: Blueprint) -> None:
    """Once per blueprint (the app factory runs many times in tests): document the header on
    its write operations and wrap their views on each app it is registered on."""
    if getattr(blp, "writes_idempotent", False):
        return
    blp.writes_idempotent = True
    blp._prepare_doc_cbks.append(document_key_header)

    # Recorded after the routes, so it runs once their views are on the app.
    def wrap_views(state: BlueprintSetupState) -> None:
        protect_write_views(state.app, state.name)

    blp.record(wrap_views)
