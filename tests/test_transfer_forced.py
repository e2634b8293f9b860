"""A forced transfer that needs reserved shares cancels the pending instructions on them,
newest first, each with its own `transfer.cancelled` entry carrying the legal reference."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.extensions import db
from app.ledger import log
from app.register import holdings, restrictions
from app.register.errors import Refused
from app.register.requests import ChangeFreeze, ForcedTransfer, RegisterPledge
from app.transfers import queries, workflow
from app.transfers.requests import Instruct
from tests.support.actions import assert_replays, register_state
from tests.support.helpers import HOLDER_C, add_holders, bearer, seed_register, submit

ORDER = "High Court order 2026/77"


@dataclass
class Desk:
    app: object
    issuer_id: str
    a: str  # holds 100 ORD
    b: str
    c: str

    def run(self, service, request):
        with self.app.app_context():
            return submit(self.issuer_id, service, request)

    def instruct(self, quantity: int) -> str:
        request = Instruct("ORD", self.a, self.b, quantity, risk_acknowledged=True)
        return self.run(workflow.instruct, request).instruction_id

    def force(self, quantity: int):
        request = ForcedTransfer("ORD", self.a, self.c, quantity, legal_reference=ORDER)
        return self.run(restrictions.forced_transfer, request)

    def holding(self, holder_id: str) -> tuple[int, int, int, int]:
        """held, frozen, reserved, available"""
        with self.app.app_context():
            row = holdings.current(db.session, self.issuer_id, "ORD", holder_id)
            return (row.held, row.frozen, row.reserved, row.available) if row else (0, 0, 0, 0)

    def states(self, *instruction_ids: str) -> list[str]:
        with self.app.app_context():
            return [
                queries.get_instruction(db.session, self.issuer_id, tid).state
                for tid in instruction_ids
            ]

    def entries(self, start: int) -> list[dict]:
        with self.app.app_context():
            size = log.signed_size(db.session, self.issuer_id)
            entries = log.read_entries(db.session, self.issuer_id, start, size)
            return [entry.envelope for entry in entries]

    def size(self) -> int:
        with self.app.app_context():
            return log.signed_size(db.session, self.issuer_id)


@pytest.fixture
def desk(app, new_issuer) -> Desk:
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    with app.app_context():
        (c,) = add_holders(issuer_id, HOLDER_C)
    return Desk(app, issuer_id, a, b, c)


def test_reserved_shares_are_freed_newest_instruction_first_until_enough(desk):
    oldest, middle, newest = desk.instruct(30), desk.instruct(20), desk.instruct(40)
    assert desk.holding(desk.a) == (100, 0, 90, 10)
    start = desk.size()
    desk.force(60)  # 10 available; 40 (newest) is not enough, 40 + 20 is
    assert desk.states(oldest, middle, newest) == ["instructed", "cancelled", "cancelled"]
    assert desk.holding(desk.a) == (40, 0, 30, 10)
    assert desk.holding(desk.c)[0] == 60
    entries = desk.entries(start)
    assert [entry["kind"] for entry in entries] == [
        "transfer.cancelled",
        "transfer.cancelled",
        "transfer.forced",
    ]
    assert [entry["data"]["instruction_id"] for entry in entries[:2]] == [newest, middle]
    for entry in entries[:2]:
        assert entry["data"]["legal_reference"] == ORDER
        (reason,) = entry["data"]["reasons"]
        assert reason["code"] == "forced_transfer" and ORDER in reason["text"]
    assert_replays(desk.app, desk.issuer_id)


def test_the_cancellation_shows_in_the_instruction_history_with_its_reason(desk):
    tid = desk.instruct(95)
    desk.force(50)
    with desk.app.app_context():
        last = queries.transitions(db.session, desk.issuer_id, tid)[-1]
        assert last.state == "cancelled"
        assert last.reasons[0]["code"] == "forced_transfer" and ORDER in last.reasons[0]["text"]


def test_frozen_shares_go_before_reserved_ones(desk):
    desk.run(restrictions.freeze, ChangeFreeze("ORD", desk.a, 10, reason=ORDER))
    kept, cancelled = desk.instruct(50), desk.instruct(30)
    assert desk.holding(desk.a) == (100, 10, 80, 10)
    entry = desk.force(30)  # 10 available + 10 frozen, then 10 of the newest reservation
    assert entry.data["frozen_taken"] == "10"
    assert desk.states(kept, cancelled) == ["instructed", "cancelled"]
    assert desk.holding(desk.a) == (70, 0, 50, 20)
    assert_replays(desk.app, desk.issuer_id)


def test_a_forced_transfer_that_does_not_need_reserved_shares_leaves_them_alone(desk):
    first, second = desk.instruct(50), desk.instruct(40)
    start = desk.size()
    desk.force(10)
    assert desk.states(first, second) == ["instructed", "instructed"]
    assert [entry["kind"] for entry in desk.entries(start)] == ["transfer.forced"]
    assert desk.holding(desk.a) == (90, 0, 90, 0)
    assert_replays(desk.app, desk.issuer_id)


def test_more_than_even_the_reserved_shares_is_refused_and_cancels_nothing(desk):
    pledge = RegisterPledge("ORD", desk.a, 20, pledgee="Bank plc, facility 9")
    desk.run(restrictions.register_pledge, pledge)
    tid = desk.instruct(60)  # 20 pledged, 60 reserved, 20 available: 80 may be taken
    before = register_state(desk.app, desk.issuer_id)
    with pytest.raises(Refused) as refused:
        desk.force(81)
    assert refused.value.code == "insufficient_transferable"
    assert refused.value.details["reserved"] == 60
    assert register_state(desk.app, desk.issuer_id) == before
    assert desk.states(tid) == ["instructed"]


def test_over_the_api_the_forced_transfer_answers_201_and_the_instruction_is_cancelled(
    client, desk, make_token
):
    tid = desk.instruct(90)
    headers = bearer(make_token("secretary", desk.issuer_id))
    body = {"class": "ORD", "from_holder_id": desk.a, "to_holder_id": desk.c, "quantity": 20,
            "legal_reference": ORDER}  # fmt: skip
    prefix = f"/api/v1/issuers/{desk.issuer_id}"
    response = client.post(f"{prefix}/forced-transfers", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    detail = client.get(f"{prefix}/instructions/{tid}", headers=headers).get_json()
    assert (detail["state"], detail["reserved"]) == ("cancelled", 0)
    assert detail["transitions"][-1]["reasons"][0]["code"] == "forced_transfer"
