"""Mounts the API blueprints on the flask-smorest Api; every write operation honours an
`Idempotency-Key` header (app.idempotency), and every operation's document says whether it
needs a token and which errors it may answer."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask.blueprints import BlueprintSetupState
from flask_smorest import Api, Blueprint
from flask_wtf.csrf import CSRFProtect

from app.api import (
    capital,
    disclosures,
    distributions,
    imports,
    instructions,
    issuers,
    jobs,
    log,
    notices,
    notifications,
    offers,
    register,
    regulators,
    restrictions,
    rules,
    snapshot,
    tokens,
)
from app.api.purpose import document_purpose
from app.idempotency.http import document_key_header, protect_write_views
from app.route_access import PUBLIC

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
    disclosures,
    notifications,
    jobs,
    regulators,
    tokens,
)

SECURITY_SCHEME = "bearerAuth"
# What any operation may answer with the error body: bad parameters, unknown (or invisible)
# resources, conflicts, oversized bodies, invalid input, throttling.
ERROR_STATUSES = (400, 404, 409, 413, 422, 429)
# ... and what an operation behind a token may answer besides: no valid token, not allowed.
TOKEN_ERROR_STATUSES = (401, 403)


def register_api(api: Api, csrf: CSRFProtect) -> None:
    for module in API_MODULES:
        # The API authenticates with bearer tokens, not cookies, so CSRF does not apply.
        csrf.exempt(module.blp)
        _prepare_once(module.blp)
        api.register_blueprint(module.blp)


def document_access(operation_doc: dict, doc_info: dict, **_context: Any) -> dict:
    """flask-smorest's per-operation documentation hook: the security scheme on operations
    behind a token (from the rule the view declares with `app.route_access.access`), and
    every error status with the API's error body. A view without a rule gets neither, and
    tests/test_openapi_complete.py says so."""
    rule = doc_info.get("access_rule")
    if rule is None:
        return operation_doc
    statuses = ERROR_STATUSES
    if rule != PUBLIC:
        operation_doc["security"] = [{SECURITY_SCHEME: []}]
        statuses += TOKEN_ERROR_STATUSES
    responses = operation_doc.setdefault("responses", {})
    # flask-smorest keys responses by int or str, as the view's decorators gave them; a
    # status the view documents itself (with its own description) is kept.
    documented = {str(status) for status in responses}
    for status in sorted(statuses):
        if str(status) not in documented:
            # A name: flask-smorest registers one response per HTTP status, with the error
            # schema (Api.ERROR_SCHEMA), and apispec turns the name into a reference.
            responses[status] = HTTPStatus(status).name
    return operation_doc


def _prepare_once(blp: Blueprint) -> None:
    """Once per blueprint (the app factory runs many times in tests): add the documentation
    hooks, and wrap its write views in Idempotency-Key handling on each app it is registered
    on."""
    if getattr(blp, "prepared_for_api", False):
        return
    blp.prepared_for_api = True
    blp._prepare_doc_cbks.extend((document_key_header, document_access, document_purpose))

    # Recorded after the routes, so it runs once their views are on the app.
    def wrap_views(state: BlueprintSetupState) -> None:
        protect_write_views(state.app, state.name)

    blp.record(wrap_views)
