"""An instruction to a transferee who is not a member yet registers them in the same command:
`holder.registered`, then `transfer.instructed`; a refused instruction registers nobody."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.ledger import log
from app.models.register import HolderDetails
from app.register.errors import InvalidInput, Refused
from app.transfers import queries, workflow
from app.transfers.requests import Instruct, Step
from tests.support.actions import assert_replays, register_state
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_C,
    bearer,
    holder_request,
    investor_token,
    seed_register,
    submit,
)

NEWCOMER = {**HOLDER_C, "name": "Grace Hopper", "identifier": "US-SSN-000-00-0001"}


@pytest.fixture
def company(app, new_issuer) -> tuple[str, str, str]:
    """An issuer whose holder A has 100 ORD and B none: (issuer_id, a, b)."""
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    return issuer_id, a, b


def _instruct(app, issuer_id: str, source: str, quantity: int, details=NEWCOMER, **changes):
    request = Instruct("ORD", source, None, quantity, risk_acknowledged=True,
                       new_transferee=holder_request(details), **changes)  # fmt: skip
    with app.app_context():
        return submit(issuer_id, workflow.instruct, request)


def _kinds_since(app, issuer_id: str, start: int) -> list[str]:
    with app.app_context():
        size = log.signed_size(db.session, issuer_id)
        return [
            entry.envelope["kind"] for entry in log.read_entries(db.session, issuer_id, start, size)
        ]


def _details_rows(app, issuer_id: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(HolderDetails)
            .where(HolderDetails.issuer_id == issuer_id)
        )


def _size(app, issuer_id: str) -> int:
    with app.app_context():
        return log.signed_size(db.session, issuer_id)


def test_the_new_transferee_is_registered_then_instructed_in_one_command(app, company):
    issuer_id, a, _ = company
    start = _size(app, issuer_id)
    instruction = _instruct(app, issuer_id, a, 30)
    assert _kinds_since(app, issuer_id, start) == ["holder.registered", "transfer.instructed"]
    newcomer = instruction.to_holder_id
    with app.app_context():
        details = db.session.get(HolderDetails, (issuer_id, newcomer))
        assert (details.name, details.identifier) == (NEWCOMER["name"], NEWCOMER["identifier"])
    for service, party in ((workflow.accept, newcomer), (workflow.approve, None),
                           (workflow.settle, None)):  # fmt: skip
        with app.app_context():
            submit(issuer_id, service, Step(instruction.instruction_id, party))
    with app.app_context():
        settled = queries.get_instruction(db.session, issuer_id, instruction.instruction_id)
        assert settled.state == "settled"
    assert_replays(app, issuer_id)


def test_a_refused_instruction_registers_nobody(app, company):
    issuer_id, a, _ = company
    before, rows = register_state(app, issuer_id), _details_rows(app, issuer_id)
    with pytest.raises(Refused) as refused:
        _instruct(app, issuer_id, a, 101)  # A has 100
    assert refused.value.code == "insufficient_available"
    assert register_state(app, issuer_id) == before
    assert _details_rows(app, issuer_id) == rows
    # The log goes on from where it was: the same newcomer can be instructed to afterwards.
    _instruct(app, issuer_id, a, 100)
    assert_replays(app, issuer_id)


def test_the_duplicate_identifier_rule_applies(app, company):
    issuer_id, a, _ = company
    before = register_state(app, issuer_id)
    with pytest.raises(Refused) as refused:
        _instruct(app, issuer_id, a, 10, details={**NEWCOMER, "identifier": HOLDER_A["identifier"]})
    assert (refused.value.code, refused.value.details["holder_id"]) == ("duplicate_identifier", a)
    assert register_state(app, issuer_id) == before


@pytest.mark.parametrize("to_holder", [True, False])
def test_the_service_needs_exactly_one_transferee(app, company, to_holder):
    issuer_id, a, b = company
    request = Instruct("ORD", a, b if to_holder else None, 10, risk_acknowledged=True,
                       new_transferee=holder_request(NEWCOMER) if to_holder else None)  # fmt: skip
    before = register_state(app, issuer_id)
    with app.app_context(), pytest.raises(InvalidInput):
        submit(issuer_id, workflow.instruct, request)
    assert register_state(app, issuer_id) == before


# --- over the API ----------------------------------------------------------------------------


def _body(a: str, quantity: int = 30, **transferee) -> dict:
    return {"class": "ORD", "from_holder_id": a, "quantity": quantity, "risk_acknowledged": True,
            **transferee}  # fmt: skip


def test_post_instructions_with_a_new_transferee(app, client, company, make_token):
    issuer_id, a, _ = company
    headers = bearer(make_token("secretary", issuer_id))
    start = _size(app, issuer_id)
    prefix = f"/api/v1/issuers/{issuer_id}"
    response = client.post(
        f"{prefix}/instructions", json=_body(a, new_transferee=NEWCOMER), headers=headers
    )
    assert response.status_code == 201, response.get_json()
    newcomer = response.get_json()["to_holder_id"]
    assert _kinds_since(app, issuer_id, start) == ["holder.registered", "transfer.instructed"]
    holder = client.get(f"{prefix}/holders/{newcomer}", headers=headers).get_json()
    assert holder["details"]["name"] == NEWCOMER["name"]


def test_an_investor_may_instruct_to_a_new_transferee(app, client, runner, company):
    issuer_id, a, _ = company
    ada = investor_token(runner, issuer_id, a)
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/instructions",
        json=_body(a, new_transferee=NEWCOMER),
        headers=ada,
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["state"] == "instructed"


@pytest.mark.parametrize(
    ("transferee", "field"),
    [
        ({}, "to_holder_id"),
        ({"to_holder_id": "someone", "new_transferee": NEWCOMER}, "to_holder_id"),
        ({"new_transferee": {**NEWCOMER, "name": ""}}, "new_transferee"),
        ({"new_transferee": {**NEWCOMER, "country": "XX1"}}, "new_transferee"),
    ],
)
def test_bad_transferees_get_422_and_write_nothing(
    app, client, company, make_token, transferee, field
):
    issuer_id, a, _ = company
    headers = bearer(make_token("secretary", issuer_id))
    before = register_state(app, issuer_id)
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/instructions", json=_body(a, **transferee), headers=headers
    )
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json())
    assert register_state(app, issuer_id) == before


def test_a_refused_instruction_over_the_api_registers_nobody(app, client, company, make_token):
    issuer_id, a, _ = company
    headers = bearer(make_token("secretary", issuer_id))
    before, rows = register_state(app, issuer_id), _details_rows(app, issuer_id)
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/instructions",
        json=_body(a, quantity=500, new_transferee=NEWCOMER),
        headers=headers,
    )
    assert (response.status_code, response.get_json()["code"]) == (409, "insufficient_available")
    assert register_state(app, issuer_id) == before
    assert _details_rows(app, issuer_id) == rows
