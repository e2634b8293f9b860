"""Distributions: entitlements follow the register at the end of the record date (the last
checkpoint signed by then), exactly, on replay too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.commands import command
from app.extensions import db
from app.ledger import log
from app.register import classes, holders, restrictions, transfers
from app.register.distributions import declare_distribution
from app.register.queries import entitlements
from app.register.requests import CeaseHolder, ChangeFreeze, DeclareDistribution, EraseHolder
from tests.support.actions import (
    HOLDER_C,
    assert_replays,
    last_entry,
    register_state,
)
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    ORDINARY,
    add_holders,
    bearer,
    class_request,
    issue,
    submit,
    transfer_request,
)

DAY_1 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LAST_MOMENT_OF_DAY_1 = datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=UTC)
DAY_2 = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
DAY_3 = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app) -> FakeClock:
    """Stamp every command's entries and checkpoint with a time the test sets."""
    fake = FakeClock(DAY_1)
    app.config["LEDGER_CLOCK"] = fake
    return fake


@pytest.fixture
def dated(app, client, clock, new_issuer, make_token):
    """Day 1: classes ORD and PREF (nobody holds PREF); A gets 100 ORD, 30 of them frozen,
    B 50; at the last microsecond of the day C gets 10. Day 2, at midnight: B transfers all 50
    to C, ceases and is erased. Now it is day 3."""
    issuer_id = new_issuer()["id"]
    with app.app_context():
        for share_class in (ORDINARY, {**ORDINARY, "code": "PREF", "name": "Preference"}):
            submit(issuer_id, classes.create_class, class_request(share_class))
        a, b, c = add_holders(issuer_id, HOLDER_A, HOLDER_B, HOLDER_C)
        issue(issuer_id, (a, 100), (b, 50))
        with command("test", issuer_id) as ctx:
            restrictions.freeze(ctx, ChangeFreeze("ORD", a, 30, reason="court order 2026/123"))
        clock.now = LAST_MOMENT_OF_DAY_1
        issue(issuer_id, (c, 10))
        size_at_end_of_day_1 = log.signed_size(db.session, issuer_id)
        clock.now = DAY_2
        transfer = transfer_request(b, c, 50, instrument_reference="1")
        submit(issuer_id, transfers.lodge_transfer, transfer)
        submit(issuer_id, holders.cease_holder, CeaseHolder(b))
        submit(issuer_id, holders.erase_holder, EraseHolder(b))
        size_at_end_of_day_2 = log.signed_size(db.session, issuer_id)
    clock.now = DAY_3
    headers = bearer(make_token("secretary", issuer_id))
    base = f"/api/v1/issuers/{issuer_id}/distributions"

    def declare(record_date: str, **fields) -> tuple[int, dict]:
        body = {
            "class": "ORD",
            "amount_per_share": "0.125",
            "currency": "GBP",
            "record_date": record_date,
            **fields,
        }
        response = client.post(base, json=body, headers=headers)
        return response.status_code, response.get_json()

    return {
        "issuer_id": issuer_id,
        "a": a,
        "b": b,
        "c": c,
        "end_of_day_1": size_at_end_of_day_1,
        "end_of_day_2": size_at_end_of_day_2,
        "declare": declare,
        "base": base,
        "headers": headers,
    }


def _lines(body: dict) -> list[tuple]:
    return [(e["holder_id"], e["name"], e["quantity"], e["amount"]) for e in body["entitlements"]]


def test_entitlements_follow_the_register_at_the_end_of_the_record_date(app, dated):
    status, body = dated["declare"]("2026-03-02", payment_date="2026-03-20")
    assert status == 201, body
    assert body["record_tree_size"] == dated["end_of_day_1"]
    # Frozen shares are still held, so entitled; the erased holder keeps an entitlement
    # without a name, listed last.
    assert _lines(body) == [
        (dated["a"], "Ada Lovelace", 100, "12.500"),
        (dated["c"], "Charles Babbage", 10, "1.250"),
        (dated["b"], None, 50, "6.250"),
    ]
    assert (body["total_shares"], body["total_amount"]) == (160, "20.000")
    assert body["payment_date"] == "2026-03-20"
    entry = last_entry(app, dated["issuer_id"])
    assert entry["kind"] == "distribution.declared"
    assert entry["data"] == {
        "distribution_id": body["distribution_id"],
        "class": "ORD",
        "amount_per_share": "0.125",
        "currency": "GBP",
        "record_date": "2026-03-02",
        "record_tree_size": str(dated["end_of_day_1"]),
        "payment_date": "2026-03-20",
    }
    assert body["declared_index"] == entry["index"]
    assert_replays(app, dated["issuer_id"])


def test_a_later_record_date_sees_the_later_transfer(app, dated):
    status, body = dated["declare"]("2026-03-03")
    assert status == 201, body
    assert body["record_tree_size"] == dated["end_of_day_2"]
    assert _lines(body) == [
        (dated["a"], "Ada Lovelace", 100, "12.500"),
        (dated["c"], "Charles Babbage", 60, "7.500"),
    ]
    assert body["payment_date"] is None
    assert_replays(app, dated["issuer_id"])


@pytest.mark.parametrize(
    ("record_date", "fields", "status", "code"),
    [
        ("2026-03-04", {}, 409, "record_date_in_future"),  # today has not ended
        ("2026-03-05", {}, 409, "record_date_in_future"),
        ("2026-03-01", {}, 409, "no_register_at_record_date"),
        ("2026-03-02", {"class": "PREF"}, 409, "no_shares_at_record_date"),
        ("2026-03-02", {"class": "NONE"}, 404, "not_found"),
        ("2026-03-02", {"payment_date": "2026-03-01"}, 422, "invalid_input"),
        ("2026-03-02", {"amount_per_share": "0"}, 422, "invalid_input"),
        ("2026-03-02", {"amount_per_share": "-1"}, 422, "invalid_input"),
        ("2026-03-02", {"amount_per_share": "0.0000000000001"}, 422, "invalid_input"),
        ("2026-03-02", {"amount_per_share": "NaN"}, 422, "invalid_input"),
        ("2026-03-02", {"currency": "pounds"}, 422, "invalid_input"),
        ("2 March", {}, 422, "invalid_input"),
    ],
)
def test_refused_declarations_change_nothing(app, dated, record_date, fields, status, code):
    before = register_state(app, dated["issuer_id"])
    got_status, body = dated["declare"](record_date, **fields)
    assert (got_status, body["code"]) == (status, code), body
    assert register_state(app, dated["issuer_id"]) == before


def test_amounts_are_exact_beyond_float_and_default_decimal_precision(app, clock, new_issuer):
    issuer_id = new_issuer()["id"]
    quantity, per_share = 10**15 + 7, "123456.123456789012"
    with app.app_context():
        submit(issuer_id, classes.create_class, class_request())
        (holder,) = add_holders(issuer_id, HOLDER_A)
        issue(issuer_id, (holder, quantity))
        clock.now = DAY_2
        request = DeclareDistribution("ORD", Decimal(per_share), "GBP", record_date=DAY_1.date())
        with command("test", issuer_id) as ctx:
            declared = declare_distribution(ctx, request)
        (line,) = entitlements(db.session, issuer_id, declared.distribution_id)
    # Independent integer arithmetic: the amount has 12 decimal places.
    units = quantity * int(per_share.replace(".", ""))
    expected = f"{units // 10**12}.{units % 10**12:012d}"
    assert line.amount == expected == "123456123456789876192.864197523084"
    assert declared.total_amount == expected
    assert_replays(app, issuer_id)


def test_reading_distributions(client, dated, make_token):
    _, first = dated["declare"]("2026-03-02")
    _, second = dated["declare"]("2026-03-03", amount_per_share="1")
    regulator = bearer(make_token("regulator"))
    listing = client.get(dated["base"], headers=regulator)
    assert listing.status_code == 200
    assert [d["distribution_id"] for d in listing.get_json()["distributions"]] == [
        first["distribution_id"],
        second["distribution_id"],
    ]
    assert "entitlements" not in listing.get_json()["distributions"][0]
    one = client.get(f"{dated['base']}/{second['distribution_id']}", headers=regulator)
    assert one.status_code == 200
    assert one.get_json() == second
    assert second["total_amount"] == "160"
    missing = client.get(f"{dated['base']}/nothing", headers=regulator)
    assert (missing.status_code, missing.get_json()["code"]) == (404, "not_found")


def test_only_the_issuers_secretary_or_the_operator_may_declare(
    app, client, dated, make_token, operator_headers
):
    body = {"class": "ORD", "amount_per_share": "1", "currency": "GBP", "record_date": "2026-03-02"}
    before = register_state(app, dated["issuer_id"])
    response = client.post(dated["base"], json=body, headers=bearer(make_token("regulator")))
    assert response.status_code == 403
    assert register_state(app, dated["issuer_id"]) == before
    response = client.post(dated["base"], json=body, headers=operator_headers)
    assert response.status_code == 201
