"""An instrument of transfer is registered once, and a member once: a second transfer on the
same instrument reference, or a second live member with the same identifier, is refused
(409) unless the secretary says explicitly, and on the log, that it is meant."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.register.replay import replay_and_compare
from tests.support.actions import register_state
from tests.support.helpers import HOLDER_A, HOLDER_B, ORDINARY, bearer
from tests.test_distributions import entries


@pytest.fixture
def register(client, new_issuer, make_token):
    """An issuer with ORD, holders A (100 shares) and B; `post(path, body)` as its secretary."""
    issuer_id = new_issuer()["id"]
    headers = bearer(make_token("secretary", issuer_id))
    base = f"/api/v1/issuers/{issuer_id}"

    def post(path: str, body: dict):
        response = client.post(f"{base}/{path}", json=body, headers=headers)
        return response.status_code, response.get_json()

    assert post("classes", ORDINARY)[0] == 201
    (_, a), (_, b) = post("holders", HOLDER_A), post("holders", HOLDER_B)
    allocation = {"class": "ORD", "holder_id": a["holder_id"], "quantity": 100}
    assert post("issuances", {"allocations": [allocation]})[0] == 201
    return {
        "issuer_id": issuer_id,
        "post": post,
        "headers": headers,
        "a": a["holder_id"],
        "b": b["holder_id"],
    }


def _transfer(register, quantity: int = 10, **extra) -> dict:
    return {
        "class": "ORD",
        "from_holder_id": register["a"],
        "to_holder_id": register["b"],
        "quantity": quantity,
        "instrument_reference": "STF-2026-041",
        **extra,
    }


def test_a_second_transfer_on_the_same_instrument_is_refused_naming_the_first(app, register):
    status, first = register["post"]("transfers", _transfer(register))
    assert status == 201, first
    (first_index,) = first["log_indexes"]
    before = register_state(app, register["issuer_id"])
    status, refused = register["post"]("transfers", _transfer(register, quantity=5))
    assert (status, refused["code"]) == (409, "duplicate_instrument"), refused
    assert f"log index {first_index}" in refused["message"]
    assert refused["details"]["earlier_log_index"] == first_index
    assert register_state(app, register["issuer_id"]) == before
    # Another instrument, or the same one marked as a reuse, is registered; the mark is logged.
    status, other = register["post"]("transfers", _transfer(register, instrument_reference="2"))
    assert status == 201, other
    status, reused = register["post"]("transfers", _transfer(register, instrument_reuse=True))
    assert status == 201, reused
    logged = entries(app, register["issuer_id"])
    assert "instrument_reuse" not in logged[other["log_indexes"][0]]["data"]
    assert logged[reused["log_indexes"][0]]["data"]["instrument_reuse"] is True
    # Still the first transfer is the one named, and replay rebuilds the instruments.
    status, again = register["post"]("transfers", _transfer(register))
    assert f"log index {first_index}" in again["message"]
    with app.app_context():
        replay_and_compare(db.session, register["issuer_id"])


def test_instruments_are_per_issuer(register, new_issuer, client, make_token):
    assert register["post"]("transfers", _transfer(register))[0] == 201
    other = new_issuer()["id"]
    headers = bearer(make_token("secretary", other))
    base = f"/api/v1/issuers/{other}"
    client.post(f"{base}/classes", json=ORDINARY, headers=headers)
    ids = [
        client.post(f"{base}/holders", json=details, headers=headers).get_json()["holder_id"]
        for details in (HOLDER_A, HOLDER_B)
    ]
    allocation = {"class": "ORD", "holder_id": ids[0], "quantity": 10}
    client.post(f"{base}/issuances", json={"allocations": [allocation]}, headers=headers)
    body = {**_transfer(register), "from_holder_id": ids[0], "to_holder_id": ids[1]}
    response = client.post(f"{base}/transfers", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()


def test_a_second_live_member_with_the_same_identifier_is_refused(app, register):
    before = register_state(app, register["issuer_id"])
    namesake = {**HOLDER_A, "name": "Ada King", "address": "1 Ockham Park, Surrey"}
    status, refused = register["post"]("holders", namesake)
    assert (status, refused["code"]) == (409, "duplicate_identifier"), refused
    assert register["a"] in refused["message"]
    assert refused["details"] == {"identifier": HOLDER_A["identifier"], "holder_id": register["a"]}
    assert register_state(app, register["issuer_id"]) == before
    status, different = register["post"](
        "holders", {**namesake, "same_identifier_different_person": True}
    )
    assert status == 201, different
    assert different["details"]["identifier"] == HOLDER_A["identifier"]
    entry = entries(app, register["issuer_id"])[different["last_log_index"]]
    assert entry["kind"] == "holder.registered"
    assert entry["data"]["same_identifier_different_person"] is True
    with app.app_context():
        replay_and_compare(db.session, register["issuer_id"])


def test_a_ceased_members_identifier_may_be_registered_again(register):
    status, ceased = register["post"](f"holders/{register['b']}/cease", {})
    assert status == 200, ceased
    status, again = register["post"]("holders", HOLDER_B)
    assert status == 201, again
    assert "same_identifier_different_person" not in again


def test_amending_an_identifier_to_a_live_members_is_refused(app, client, register):
    before = register_state(app, register["issuer_id"])
    response = client.patch(
        f"/api/v1/issuers/{register['issuer_id']}/holders/{register['b']}",
        json={"identifier": HOLDER_A["identifier"]},
        headers=register["headers"],
    )
    assert (response.status_code, response.get_json()["code"]) == (409, "duplicate_identifier")
    assert register_state(app, register["issuer_id"]) == before
    status, _ = register["post"]("holders", {**HOLDER_B, "identifier": "GB-CRN-00000043"})
    assert status == 201


def test_the_database_lets_one_live_member_claim_an_identifier(app, register):
    """Below the service: a second row claiming a live member's identifier is rejected by the
    unique index; one marked as a different person claims none and is stored."""
    from sqlalchemy.exc import IntegrityError

    from app.models.register import HolderDetails
    from tests.support.register_driver import Driver

    status, namesake = register["post"](
        "holders", {**HOLDER_A, "name": "Ada King", "same_identifier_different_person": True}
    )
    assert status == 201, namesake
    driver = Driver(app)
    with app.app_context():
        claims = {
            row.holder_id: row.identifier_claim
            for row in db.session.query(HolderDetails).filter_by(issuer_id=register["issuer_id"])
        }
    assert claims == {
        register["a"]: HOLDER_A["identifier"],
        register["b"]: HOLDER_B["identifier"],
        namesake["holder_id"]: None,
    }
    with pytest.raises(IntegrityError), driver.command(register["issuer_id"]) as ctx:
        row = ctx.session.get(HolderDetails, (register["issuer_id"], namesake["holder_id"]))
        row.identifier_claim = HOLDER_A["identifier"]
        ctx.session.flush()


def test_an_imported_transfer_to_several_securities_is_one_instrument_reused(
    app, runner, new_issuer, tmp_path
):
    """One OCF transfer with two resulting securities settles as two transfers on one
    instrument: the import marks the second as the reuse it is."""
    from tests.test_import_ocf import (
        COMMON,
        EXPECTED_HOLDINGS,
        FUND_III,
        _add,
        _edit,
        _issuance,
        _register,
        write_package,
    )

    issuer_id = new_issuer()["id"]
    split_in_two = _edit(
        {
            "imp-tr-1": {"resulting_security_ids": ["CS-2", "CS-2B"]},
            "imp-iss-cs-2": {"quantity": "200000"},
            "imp-iss-cs-7": {"quantity": "150000"},  # CS-2 less the 50,000 repurchased
        }
    )
    second = _issuance("imp-iss-cs-2b", "2021-06-01", "CS-2B", FUND_III, COMMON, "50000", "0.0001")

    def edit(files):
        split_in_two(files)
        _add(second)(files)

    manifest = write_package(tmp_path / "acme", edit)
    result = runner.invoke(args=["register", "import", "--issuer", issuer_id, str(manifest)])
    assert result.exit_code == 0, result.output
    assert _register(app, issuer_id)[0] == EXPECTED_HOLDINGS
    settled = [e for e in entries(app, issuer_id) if e["kind"] == "transfer.settled"]
    assert [e["data"]["quantity"] for e in settled] == ["200000", "50000"]
    assert len({e["data"]["instrument_reference"] for e in settled}) == 1
    assert [e["data"].get("instrument_reuse") for e in settled] == [None, True]
