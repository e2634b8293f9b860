"""Schemathesis against the served OpenAPI document: generated requests to every operation must
never cause a server error, and every answer must match what the document promises.

One check is left out: `positive_data_acceptance`. Some rules cannot be written as JSON Schema
(an LEI's check digits, "the amendment changes nothing"), so a schema-valid request can still
earn a documented 422 from the domain."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from app import create_app
from app.commands import command
from app.register import classes, holders, issuance
from tests.support.helpers import (
    ACTOR,
    HOLDER_A,
    bearer,
    class_request,
    holder_request,
    issue_request,
)


def _operations() -> list[tuple[str, str]]:
    # The document needs no database: list the operations once, at collection.
    document = create_app("test", {"DATABASE_URL": "sqlite://"}).test_client()
    paths = document.get("/api/v1/openapi.json").get_json()["paths"]
    verbs = {"get", "post", "put", "patch", "delete"}
    return sorted(
        (path, method) for path, item in paths.items() for method in item if method in verbs
    )


@pytest.fixture
def seeded_issuer(app, new_issuer) -> str:
    issuer_id = new_issuer()["id"]
    with app.app_context(), command(ACTOR, issuer_id) as ctx:
        classes.create_class(ctx, class_request())
        holder = holders.register_holder(ctx, holder_request(HOLDER_A))
        issuance.issue_shares(ctx, issue_request((holder.holder_id, 100)))
    return issuer_id


@pytest.mark.parametrize(("path", "method"), _operations())
def test_every_operation_keeps_its_promises(app, seeded_issuer, make_token, path, method):
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    headers = bearer(make_token("operator"))

    @given(case=operation.as_strategy())
    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        if "issuer_id" in (case.path_parameters or {}):
            # Aim at the real register, so that requests get past the 404 to the rules.
            case.path_parameters["issuer_id"] = seeded_issuer
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    check()
