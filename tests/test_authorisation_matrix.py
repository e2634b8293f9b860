"""The authorisation matrix, generated from the app's URL map: every route x every caller gets
exactly the answer its declared rule owes that caller (tests.support.access_matrix), no answer
holds an id or a name of an issuer or holder the caller may not see, an issuer the caller may
not see answers like an unknown one, and a route that declares no rule fails.

API routes are asked with bearer tokens; pages with logins (see WEB_CALLERS for the three API
callers a login has no counterpart of). Cells that fail only until the `access` branch is
merged are marked xfail(strict): once it is, they pass and the marks must go.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.routing import Rule

from app import create_app
from app.extensions import db
from app.ledger import log
from app.route_access import PUBLIC, declared_rule
from tests.support.access_matrix import (
    ALLOWED,
    ALLOWED_API_STATUSES,
    ALLOWED_WEB_STATUSES,
    API,
    API_CALLERS,
    LOGIN,
    WEB,
    WEB_CALLERS,
    Caller,
    expected,
    pending_reason,
)
from tests.support.access_world import World, build_world, new_login

PATH_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# A field no schema has: every body is refused (422) once access lets it through, so allowed
# cells change nothing.
BODY = {"matrix_field_no_schema_has": True}
# Query strings that parse, so that the answer is about access rather than parameters.
QUERIES = {
    "log.entries": "start=0&end=1",
    "log.inclusion_proof": "index=0&tree_size=1",
    "log.consistency_proof": "first=1&second=2",
    "imports.import_register": "format=csv&dry_run=true",
    "regulators.find_holders": "identifier=MX-A1",  # investor A's holder
}
# Pages that end the session they are asked with get a login of their own.
ENDS_SESSION = frozenset({"web.logout"})
# Path values that are not ids of the world (each path names issuer A's resources).
FIXED_PATH_VALUES = {
    "code": "ORD",
    "class_code": "ORD",
    "filename": "style.css",
    "name": "cancel",  # a corporate action
    "index": "0",  # a log entry
    "format_name": "csv",  # a snapshot download
}
# Their instruction is one whose pre-emption offer went to investor A's holder.
OFFER_BLUEPRINTS = frozenset({"offers", "offer_pages"})
STEP_ACTIONS = {"approvals.step": "settle", "transfer_pages.step": "accept"}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    path: str
    rule: str | None
    reads_body_first: bool

    @property
    def surface(self) -> str:
        return API if self.path.startswith("/api/") else WEB

    @property
    def names_ids(self) -> bool:
        return bool(set(PATH_PARAMETER.findall(self.path)) - {"issuer_id"})


def _reads_body_first(app: Flask, rule: Rule, method: str) -> bool:
    """A view that loads a JSON body through flask-smorest before its own access check: its
    blueprint checks access in the view, not in a before_request hook."""
    if method not in BODY_METHODS:
        return False
    view = app.view_functions[rule.endpoint]
    arguments = getattr(view, "_apidoc", {}).get("arguments", {}).get("parameters", [])
    loads_json = any(argument.get("in") == "json" for argument in arguments)
    blueprint = rule.endpoint.partition(".")[0]
    return loads_json and not app.before_request_funcs.get(blueprint)


def _routes() -> list[Route]:
    # The URL map needs no database: list the routes once, at collection.
    app = create_app("test", {"DATABASE_URL": "sqlite://"})
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            declared = declared_rule(rule.endpoint, app.view_functions[rule.endpoint])
            first = _reads_body_first(app, rule, method)
            routes.append(Route(rule.endpoint, method, rule.rule, declared, first))
    return sorted(routes, key=lambda route: (route.path, route.method))


ROUTES = _routes()


def _cells() -> list:
    cells = []
    for route in ROUTES:
        for caller in API_CALLERS if route.surface == API else WEB_CALLERS:
            marks = []
            if route.rule is not None:
                reason = pending_reason(route.rule, caller, route.surface, route.reads_body_first)
                if reason:
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
            cell_id = f"{route.method} {route.path} {caller.name}"
            cells.append(pytest.param(route, caller, marks=marks, id=cell_id))
    return cells


@pytest.fixture(scope="module")
def module_app_overrides() -> dict:
    # Hundreds of requests from one address: throttling is tests/test_tokens.py's subject.
    return {"RATELIMIT_ENABLED": False}


@pytest.fixture(scope="module")
def world(module_app) -> World:
    return build_world(module_app)


def _log_sizes(app: Flask, world: World) -> dict[str, int]:
    with app.app_context():
        return {name: log.signed_size(db.session, id_) for name, id_ in world.issuers.items()}


@pytest.fixture(scope="module")
def sizes_before(module_app, world) -> dict[str, int]:
    return _log_sizes(module_app, world)


def _url(route: Route, world: World, issuer_id: str) -> str:
    values = {
        **FIXED_PATH_VALUES,
        "issuer_id": issuer_id,
        "holder_id": world.holders["A"]["investor"],
        "instruction_id": world.offer_id if _about_offers(route) else world.instruction_id,
        "pledge_id": world.pledge_id,
        "distribution_id": world.distribution_id,
        "disclosure_id": world.disclosure_id,
        "sha256": world.document_sha256,
        "notification_id": world.notification_id,
        "job_id": world.job_id,
        "token_id": world.throwaway_token_id,
        "action": STEP_ACTIONS.get(route.endpoint, "settle"),
    }
    missing = set(PATH_PARAMETER.findall(route.path)) - set(values)
    if missing:
        pytest.fail(
            f"{route.path}: give the world a {', '.join(sorted(missing))} of issuer A "
            "(tests/support/access_world.py) and name it here"
        )
    path = PATH_PARAMETER.sub(lambda match: values[match.group(1)], route.path)
    query = QUERIES.get(route.endpoint)
    return f"{path}?{query}" if query else path


def _about_offers(route: Route) -> bool:
    return route.endpoint.partition(".")[0] in OFFER_BLUEPRINTS


def _ask(app: Flask, route: Route, caller: Caller, world: World, issuer_id: str):
    if route.surface == API:
        client, headers = app.test_client(), world.headers[caller.name]
    else:
        ends = route.endpoint in ENDS_SESSION
        client = new_login(app, caller) if ends else world.clients[caller.name]
        headers = {}
    body = {"json": BODY} if route.surface == API and route.method in BODY_METHODS else {}
    return client.open(_url(route, world, issuer_id), method=route.method, headers=headers, **body)


def _verdict(route: Route, response) -> str | int:
    """What the answer amounts to, in the terms of `expected`."""
    status = response.status_code
    location = response.headers.get("Location", "")
    if route.surface == WEB and status == 302 and "/login" in location:
        return LOGIN
    allowed = ALLOWED_API_STATUSES if route.surface == API else ALLOWED_WEB_STATUSES
    return ALLOWED if status in allowed else status


def test_every_route_declares_its_access_rule():
    undeclared = sorted({route.endpoint for route in ROUTES if route.rule is None})
    assert undeclared == [], "declare each with @access(...) (app/route_access.py)"


@pytest.mark.parametrize(("route", "caller"), _cells())
def test_cell(module_app, world, sizes_before, route, caller):
    assert route.rule is not None, f"{route.endpoint} declares no access rule"
    owed = expected(route.rule, caller, route.surface, route.names_ids, route.method)
    response = _ask(module_app, route, caller, world, world.issuers["A"])
    body = response.get_data().decode("utf-8", "replace")
    assert _verdict(route, response) in owed, (response.status_code, body[:300])

    if route.surface == API and response.status_code >= 400:
        # Every refusal is the error body the OpenAPI document promises.
        assert {"code", "message"} <= set(response.get_json()), body[:300]

    url = _url(route, world, world.issuers["A"])
    leaked = sorted(
        text
        for text in world.seen().forbidden(caller, public=route.rule == PUBLIC)
        if text in body and text not in url
    )
    assert leaked == [], f"the answer shows what {caller.name} may not see"

    if owed & {403, 404} and "issuer_id" in route.path and not caller.sees("A"):
        # No probing: an issuer the caller may not see answers as one that does not exist.
        unknown = _ask(module_app, route, caller, world, str(uuid.uuid4()))
        assert unknown.status_code == response.status_code
        if route.surface == API:
            assert unknown.get_json()["code"] == response.get_json()["code"]


def test_the_matrix_wrote_nothing(module_app, world, sizes_before):
    # Runs after the cells (pytest keeps a module's order): no request of theirs, allowed or
    # refused, added a log entry.
    assert _log_sizes(module_app, world) == sizes_before
