"""The investor's log routes that the browser check reads, through the test client: the
proofs with the list of my entries, and the session-authenticated consistency proof."""

from __future__ import annotations

from app.extensions import db
from app.ledger import log, merkle
from app.register import transfers
from tests import test_browser
from tests.support.helpers import b64d, submit, transfer_request
from tests.support.logins import log_in

investor = test_browser.investor


def _logged_in(client):
    return log_in(client, test_browser.ADA)


def test_the_proofs_list_every_entry_of_mine_and_prove_each(app, client, investor):
    body = _logged_in(client).get("/me/proofs.json").get_json()
    with app.app_context():
        holder_id = investor["holder_id"]
        root = log.root_at(db.session, investor["issuer_id"], body["tree_size"])
        mine = [
            entry.index
            for entry in log.read_entries(db.session, investor["issuer_id"], 0, body["tree_size"])
            if holder_id in entry.leaf.decode()
        ]
    assert body["holder_id"] == holder_id
    assert body["indexes"] == mine == [entry["index"] for entry in body["entries"]]
    for entry in body["entries"]:
        merkle.verify_inclusion(
            merkle.leaf_hash(b64d(entry["leaf"])),
            entry["index"],
            body["tree_size"],
            [b64d(node) for node in entry["proof"]],
            root,
        )


def test_the_consistency_proof_needs_only_my_session(app, client, investor):
    _logged_in(client)
    with app.app_context():
        first = log.signed_size(db.session, investor["issuer_id"])
        first_root = log.root_at(db.session, investor["issuer_id"], first)
        submit(
            investor["issuer_id"],
            transfers.lodge_transfer,
            transfer_request(
                investor["brunel_id"], investor["holder_id"], 10, instrument_reference="STF-8"
            ),
        )
        second = log.signed_size(db.session, investor["issuer_id"])
        second_root = log.root_at(db.session, investor["issuer_id"], second)
    answer = client.get(f"/me/log/proof/consistency?first={first}&second={second}")
    assert answer.status_code == 200
    proof = [b64d(node) for node in answer.get_json()["proof"]]
    merkle.verify_consistency(first, second, proof, first_root, second_root)


def test_the_consistency_route_says_a_rollback_in_words_and_refuses_bad_sizes(client, investor):
    _logged_in(client)
    size = client.get("/me/proofs.json").get_json()["tree_size"]
    rolled = client.get(f"/me/log/proof/consistency?first={size + 3}&second={size + 3}")
    assert rolled.status_code == 409
    assert rolled.get_json()["code"] == "log_rolled_back"
    assert "it was rolled back" in rolled.get_json()["message"]
    for query in ("first=x&second=2", f"first=2&second={size + 1}", "first=3&second=2", ""):
        bad = client.get(f"/me/log/proof/consistency?{query}")
        assert (bad.status_code, bad.get_json()["code"]) == (400, "invalid_parameters"), query


def test_the_consistency_route_is_for_investors_only(client, investor):
    assert client.get("/me/log/proof/consistency?first=1&second=2").status_code == 302
