"""The OpenAPI document describes every API route of the app: each operation is there, says
whether it needs a bearer token (from the rule its view declares), and documents every error
it may answer with the API's error body."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app import create_app
from app.route_access import PUBLIC, declared_rule

API_PREFIX = "/api/"
DOCUMENT = "/api/v1/openapi.json"
VERBS = ("get", "post", "put", "patch", "delete")
ERRORS_OF_EVERY_OPERATION = {"400", "404", "409", "413", "422", "429"}
ERRORS_BEHIND_A_TOKEN = {"401", "403"}


@pytest.fixture(scope="module")
def app() -> Flask:
    # The document needs no database.
    return create_app("test", {"DATABASE_URL": "sqlite://"})


@pytest.fixture(scope="module")
def document(app) -> dict:
    response = app.test_client().get(DOCUMENT)
    assert response.status_code == 200
    return response.get_json()


def api_operations(app: Flask) -> list[tuple[str, str, str]]:
    """(OpenAPI path, method, endpoint) of every API route of the app but the document's own."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX) or rule.rule == DOCUMENT:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((path, method.lower(), rule.endpoint))
    return sorted(found)


def operations_of(document: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in VERBS
    ]


def resolve(document: dict, node: dict) -> dict:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = document["components"][kind][name]
    return node


def is_error_body(document: dict, schema: dict | None) -> bool:
    """The error schema, or one that extends it (an import's rejection adds its report)."""
    if schema is None:
        return False
    error = document["components"]["schemas"]["Error"]["properties"]
    properties = resolve(document, schema).get("properties", {})
    return all(
        properties.get(name, {}).get("type") == field["type"] for name, field in error.items()
    )


def test_every_api_route_is_in_the_document(app, document):
    routes = {(path, method) for path, method, _ in api_operations(app)}
    documented = {(path, method) for path, method, _ in operations_of(document)}
    assert routes, "the app has no API routes"
    assert sorted(routes - documented) == []
    assert sorted(documented - routes) == []


def test_the_bearer_scheme_is_defined(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_operations_behind_a_token_declare_the_scheme_and_public_ones_do_not(app, document):
    operations = {(path, method): operation for path, method, operation in operations_of(document)}
    wrong = []
    for path, method, endpoint in api_operations(app):
        rule = declared_rule(endpoint, app.view_functions[endpoint])
        assert rule is not None, f"{endpoint} declares no access rule"
        expected = None if rule == PUBLIC else [{"bearerAuth": []}]
        if operations[path, method].get("security") != expected:
            wrong.append((method.upper(), path, rule, operations[path, method].get("security")))
    assert wrong == []
    # Both kinds are there, so neither half of the check is vacuous.
    rules = {declared_rule(e, app.view_functions[e]) for *_, e in api_operations(app)}
    assert PUBLIC in rules
    assert len(rules) > 1


def test_every_operation_documents_every_error_with_the_error_body(document):
    missing = []
    for path, method, operation in operations_of(document):
        expected = set(ERRORS_OF_EVERY_OPERATION)
        if operation.get("security"):
            expected |= ERRORS_BEHIND_A_TOKEN
        responses = operation["responses"]
        for status in sorted(expected):
            if status not in responses:
                missing.append((method.upper(), path, status, "undocumented"))
                continue
            content = resolve(document, responses[status]).get("content", {})
            if not is_error_body(document, content.get("application/json", {}).get("schema")):
                missing.append((method.upper(), path, status, "not the error schema"))
    assert missing == []


def test_the_error_schema_is_the_error_body(document):
    schema = document["components"]["schemas"]["Error"]
    assert {"code", "message"} <= set(schema["properties"])
    assert schema["properties"]["code"]["type"] == "string"
