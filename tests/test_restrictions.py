"""Freezes, pledges and forced transfers: the availability arithmetic, every refusal, replay."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.register import classes, holders, holdings, transfers
from app.register.errors import Refused
from app.register.requests import CeaseHolder
from tests.support.actions import (
    HOLDER_C,
    assert_replays,
    last_entry,
    register_state,
)
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    add_holders,
    bearer,
    class_request,
    issue,
    submit,
    transfer_request,
)

# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def reg(app, client, new_issuer, make_token):
    """An issuer with class ORD; A holds 100, B holds 50, C holds nothing."""
    issuer_id = new_issuer()["id"]
    with app.app_context():
        submit(issuer_id, classes.create_class, class_request())
        a, b, c = add_holders(issuer_id, HOLDER_A, HOLDER_B, HOLDER_C)
        issue(issuer_id, (a, 100), (b, 50))
    headers = bearer(make_token("secretary", issuer_id))
    base = f"/api/v1/issuers/{issuer_id}"

    def post(path: str, body: dict | None = None, expect: int | None = None) -> dict:
        response = client.post(f"{base}/{path}", json=body or {}, headers=headers)
        if expect is not None:
            assert response.status_code == expect, response.get_json()
        return response.get_json() | {"status_code": response.status_code}

    return {"issuer_id": issuer_id, "a": a, "b": b, "c": c, "post": post, "base": base}


def _holding(app, reg, holder: str) -> dict[str, int]:
    with app.app_context():
        version = holdings.current(db.session, reg["issuer_id"], "ORD", reg[holder])
        return {
            "held": version.held,
            "frozen": version.frozen,
            "pledged": version.pledged,
            "available": version.available,
        }


def _freeze(
    reg, holder: str, quantity: int, path: str = "freezes", expect: int | None = 201
) -> dict:
    body = {"class": "ORD", "holder_id": reg[holder], "quantity": quantity, "reason": "court order"}
    return reg["post"](path, body, expect)


def _pledge(reg, holder: str, quantity: int, expect: int | None = 201) -> dict:
    body = {
        "class": "ORD",
        "holder_id": reg[holder],
        "quantity": quantity,
        "pledgee": "Northern Bank plc, facility 2026-77",
    }
    return reg["post"]("pledges", body, expect)


def _forced(reg, source: str, target: str, quantity: int, expect: int | None = 201) -> dict:
    body = {
        "class": "ORD",
        "from_holder_id": reg[source],
        "to_holder_id": reg[target],
        "quantity": quantity,
        "legal_reference": "High Court order 2026/123",
    }
    return reg["post"]("forced-transfers", body, expect)


def _transfer(app, reg, source: str, target: str, quantity: int) -> None:
    request = transfer_request(
        reg[source], reg[target], quantity, instrument_reference="stock transfer form 7"
    )
    with app.app_context():
        submit(reg["issuer_id"], transfers.lodge_transfer, request)


def _assert_refused(app, reg, attempt, status: int, code: str) -> dict:
    """Run `attempt` (which returns the response body); it must fail with `code` and leave
    the log and every log-derived table exactly as they were."""
    before = register_state(app, reg["issuer_id"])
    body = attempt()
    assert (body["status_code"], body["code"]) == (status, code), body
    assert register_state(app, reg["issuer_id"]) == before
    return body


# --- freezes -------------------------------------------------------------------------------


def test_freeze_makes_shares_unavailable_and_logs_the_reason(app, reg):
    holding = _freeze(reg, "a", 30)
    assert holding["held"] == 100 and holding["frozen"] == 30 and holding["available"] == 70
    entry = last_entry(app, reg["issuer_id"])
    assert entry["kind"] == "holding.frozen"
    assert entry["data"] == {
        "class": "ORD",
        "holder_id": reg["a"],
        "quantity": "30",
        "reason": "court order",
    }
    assert holding["since_log_index"] == entry["index"]
    assert_replays(app, reg["issuer_id"])


def test_freezing_more_than_available_is_refused(app, reg):
    _freeze(reg, "a", 30)
    body = _assert_refused(
        app, reg, lambda: _freeze(reg, "a", 71, expect=None), 409, "insufficient_available"
    )
    assert body["details"]["available"] == 70 and body["details"]["requested"] == 71
    _assert_refused(
        app, reg, lambda: _freeze(reg, "c", 1, expect=None), 409, "insufficient_available"
    )


def test_freeze_of_unknown_holder_or_class_is_404(app, reg):
    unknown_holder = {"class": "ORD", "holder_id": "nobody", "quantity": 1, "reason": "x"}
    _assert_refused(app, reg, lambda: reg["post"]("freezes", unknown_holder), 404, "not_found")
    unknown_class = {"class": "PREF", "holder_id": reg["a"], "quantity": 1, "reason": "x"}
    _assert_refused(app, reg, lambda: reg["post"]("freezes", unknown_class), 404, "not_found")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"quantity": "5"}, "quantity"),
        ({"reason": ""}, "reason"),
        ({"reason": "bad\u0007reason"}, "reason"),
        ({"class": "ord"}, "class"),
    ],
)
def test_bad_freeze_input_is_422(app, reg, change, field):
    body = {"class": "ORD", "holder_id": reg["a"], "quantity": 5, "reason": "order", **change}
    refused = _assert_refused(app, reg, lambda: reg["post"]("freezes", body), 422, "invalid_input")
    assert field in refused["errors"]


def test_frozen_shares_cannot_be_transferred(app, reg):
    _freeze(reg, "a", 30)
    with pytest.raises(Refused) as refusal:
        _transfer(app, reg, "a", "b", 71)
    assert refusal.value.code == "insufficient_available"
    _transfer(app, reg, "a", "b", 70)
    assert _holding(app, reg, "a") == {"held": 30, "frozen": 30, "pledged": 0, "available": 0}
    assert_replays(app, reg["issuer_id"])


def test_unfreeze_releases_part_of_a_freeze(app, reg):
    _freeze(reg, "a", 30)
    holding = _freeze(reg, "a", 10, path="unfreezes")
    assert holding["frozen"] == 20 and holding["available"] == 80
    assert last_entry(app, reg["issuer_id"])["kind"] == "holding.unfrozen"
    assert_replays(app, reg["issuer_id"])


def test_unfreezing_more_than_frozen_is_refused(app, reg):
    _freeze(reg, "a", 30)
    body = _assert_refused(
        app,
        reg,
        lambda: _freeze(reg, "a", 31, path="unfreezes", expect=None),
        409,
        "exceeds_frozen",
    )
    assert body["details"]["frozen"] == 30
    _assert_refused(
        app, reg, lambda: _freeze(reg, "b", 1, path="unfreezes", expect=None), 409, "exceeds_frozen"
    )


# --- pledges -------------------------------------------------------------------------------


def test_pledge_is_registered_listed_and_blocks_transfer(app, client, reg, make_token):
    pledge = _pledge(reg, "a", 40)
    assert pledge["status"] == "active" and pledge["quantity"] == 40
    entry = last_entry(app, reg["issuer_id"])
    assert entry["kind"] == "pledge.registered"
    assert entry["data"] == {
        "pledge_id": pledge["pledge_id"],
        "class": "ORD",
        "holder_id": reg["a"],
        "quantity": "40",
        "pledgee": "Northern Bank plc, facility 2026-77",
    }
    assert pledge["registered_index"] == entry["index"]
    assert _holding(app, reg, "a") == {"held": 100, "frozen": 0, "pledged": 40, "available": 60}
    with pytest.raises(Refused) as refusal:
        _transfer(app, reg, "a", "b", 61)
    assert refusal.value.code == "insufficient_available"
    regulator = bearer(make_token("regulator"))
    listed = client.get(f"{reg['base']}/pledges", headers=regulator)
    assert listed.status_code == 200
    assert [p["pledge_id"] for p in listed.get_json()["pledges"]] == [pledge["pledge_id"]]
    assert_replays(app, reg["issuer_id"])


def test_pledging_more_than_available_is_refused(app, reg):
    _freeze(reg, "a", 30)
    _pledge(reg, "a", 40)
    body = _assert_refused(
        app, reg, lambda: _pledge(reg, "a", 31, expect=None), 409, "insufficient_available"
    )
    assert body["details"]["available"] == 30


def test_pledgee_is_required(app, reg):
    body = {"class": "ORD", "holder_id": reg["a"], "quantity": 5, "pledgee": " "}
    refused = _assert_refused(app, reg, lambda: reg["post"]("pledges", body), 422, "invalid_input")
    assert "pledgee" in refused["errors"]


def test_release_frees_the_whole_pledge_once(app, client, reg):
    pledge = _pledge(reg, "a", 40)
    released = reg["post"](f"pledges/{pledge['pledge_id']}/release", expect=200)
    assert released["status"] == "released"
    entry = last_entry(app, reg["issuer_id"])
    assert entry["kind"] == "pledge.released"
    assert entry["data"] == {"pledge_id": pledge["pledge_id"]}
    assert released["released_index"] == entry["index"]
    assert _holding(app, reg, "a")["available"] == 100
    assert_replays(app, reg["issuer_id"])
    again = _assert_refused(
        app,
        reg,
        lambda: reg["post"](f"pledges/{pledge['pledge_id']}/release"),
        409,
        "pledge_released",
    )
    assert again["details"]["released_index"] == entry["index"]
    _assert_refused(app, reg, lambda: reg["post"]("pledges/unknown/release"), 404, "not_found")


# --- forced transfers ----------------------------------------------------------------------


def test_forced_transfer_takes_frozen_shares_but_not_pledged(app, reg):
    _freeze(reg, "a", 30)
    _pledge(reg, "a", 20)  # A: held 100, frozen 30, pledged 20, available 50
    body = _assert_refused(
        app, reg, lambda: _forced(reg, "a", "c", 81, expect=None), 409, "insufficient_transferable"
    )
    figures = {"available": 50, "frozen": 30, "pledged": 20, "reserved": 0, "requested": 81}
    assert body["details"].items() >= figures.items()
    moved = _forced(reg, "a", "c", 70)
    assert moved["frozen_taken"] == 20 and moved["quantity"] == 70
    entry = last_entry(app, reg["issuer_id"])
    assert entry["kind"] == "transfer.forced"
    assert entry["data"] == {
        "class": "ORD",
        "from_holder_id": reg["a"],
        "to_holder_id": reg["c"],
        "quantity": "70",
        "frozen_taken": "20",
        "legal_reference": "High Court order 2026/123",
    }
    assert moved["log_index"] == entry["index"]
    assert _holding(app, reg, "a") == {"held": 30, "frozen": 10, "pledged": 20, "available": 0}
    assert _holding(app, reg, "c") == {"held": 70, "frozen": 0, "pledged": 0, "available": 70}
    assert_replays(app, reg["issuer_id"])


def test_forced_transfer_of_unrestricted_shares_leaves_the_freeze(app, reg):
    _freeze(reg, "a", 30)
    assert _forced(reg, "a", "c", 70)["frozen_taken"] == 0
    assert _holding(app, reg, "a") == {"held": 30, "frozen": 30, "pledged": 0, "available": 0}
    assert_replays(app, reg["issuer_id"])


def test_forced_transfer_to_a_ceased_holder_is_refused(app, reg):
    with app.app_context():
        submit(reg["issuer_id"], holders.cease_holder, CeaseHolder(reg["c"]))
    _assert_refused(app, reg, lambda: _forced(reg, "a", "c", 1, expect=None), 409, "holder_ceased")


def test_forced_transfer_needs_two_known_holders(app, reg):
    _assert_refused(app, reg, lambda: _forced(reg, "a", "a", 1, expect=None), 422, "invalid_input")
    reg["nobody"] = "00000000-0000-0000-0000-000000000000"
    _assert_refused(app, reg, lambda: _forced(reg, "nobody", "c", 1, expect=None), 404, "not_found")
    _assert_refused(app, reg, lambda: _forced(reg, "a", "nobody", 1, expect=None), 404, "not_found")
    body = {"class": "ORD", "from_holder_id": reg["a"], "to_holder_id": reg["c"], "quantity": 1}
    missing = _assert_refused(
        app, reg, lambda: reg["post"]("forced-transfers", body), 422, "invalid_input"
    )
    assert "legal_reference" in missing["errors"]


# --- access --------------------------------------------------------------------------------


def test_only_the_issuers_secretary_or_the_operator_may_restrict(
    app, client, reg, make_token, new_issuer, operator_headers
):
    body = {"class": "ORD", "holder_id": reg["a"], "quantity": 1, "reason": "court order"}
    other_secretary = bearer(make_token("secretary", new_issuer()["id"]))
    # A regulator sees the issuer but may not change it; another issuer's secretary may not
    # see it at all, so it answers as an unknown issuer.
    for headers, status in ((bearer(make_token("regulator")), 403), (other_secretary, 404)):
        before = register_state(app, reg["issuer_id"])
        response = client.post(f"{reg['base']}/freezes", json=body, headers=headers)
        assert response.status_code == status
        assert register_state(app, reg["issuer_id"]) == before
    response = client.post(f"{reg['base']}/freezes", json=body, headers=operator_headers)
    assert response.status_code == 201
    assert client.get(f"{reg['base']}/pledges", headers=other_secretary).status_code == 404
