"""`python -m app.ledger.verify --receipt FILE --vkey VKEY`: a holder's receipt checked offline
against a pinned key, and a newer checkpoint's consistency proof showing the log extends it."""

from __future__ import annotations

import base64
import json

import pytest

from app.ledger import verify
from app.register import issuers
from app.register.requests import AmendIssuer
from tests.support.helpers import submit
from tests.support.logs import (
    build_receipt,
    fresh_signer,
    grow_register,
    real_signer,
    resign,
    transfer,
)


@pytest.fixture
def holding(app, new_issuer):
    """(issuer id, holder A's id, holder B's id) after `grow_register` and a transfer A -> B."""
    issuer_id = new_issuer()["id"]
    a, b = grow_register(app, issuer_id)
    transfer(app, issuer_id, a, b, 5)
    return issuer_id, a, b


def _check(capsys, tmp_path, receipt: dict, *args) -> tuple[int, str]:
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt))
    code = verify.main(["--receipt", str(path), *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _flip(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def test_an_honest_receipt_verifies_against_the_pinned_key(app, holding, tmp_path, capsys):
    issuer_id, a, _ = holding
    real = real_signer(app)
    receipt = build_receipt(app, issuer_id, a, real.vkey)
    assert len(receipt["entries"]) >= 8  # registration, six allocations, the transfer
    code, out = _check(capsys, tmp_path, receipt, "--vkey", real.vkey, "--strict")
    assert code == 0, out
    assert out.startswith("OK:")
    assert f"signed by {real.name}+{real.key_id.hex()} (pinned)" in out
    listed = ", ".join(map(str, receipt["indexes"]))
    assert f"entries {listed} are in that log at those positions" in out
    assert f"each names holder {a}" in out
    assert f"every one of the {len(receipt['indexes'])} indexes listed" in out
    assert f"that no other entry concerns holder {a}" in out  # said plainly as not proven
    assert "NO KEY PINNED" not in out


def test_without_a_pinned_key_the_receipt_is_only_self_consistent(app, holding, tmp_path, capsys):
    issuer_id, a, _ = holding
    receipt = build_receipt(app, issuer_id, a, real_signer(app).vkey)
    code, out = _check(capsys, tmp_path, receipt)
    assert code == 0, out
    assert "NO KEY PINNED" in out and "the vkey inside the receipt" in out
    code, out = _check(capsys, tmp_path, receipt, "--strict")
    assert code == verify.EXIT_UNPINNED


def test_a_forged_proof_is_caught(app, holding, tmp_path, capsys):
    issuer_id, a, _ = holding
    real = real_signer(app)
    receipt = build_receipt(app, issuer_id, a, real.vkey)
    entry = receipt["entries"][2]
    entry["proof"][0] = _flip(entry["proof"][0])
    code, out = _check(capsys, tmp_path, receipt, "--vkey", real.vkey)
    assert code == verify.EXIT_FAILED
    assert f"entry {entry['index']}: inclusion proof for index {entry['index']}" in out
    assert "it is not in the signed log" in out


def test_a_dropped_entry_is_reported_by_its_index(app, holding, tmp_path, capsys):
    issuer_id, a, _ = holding
    real = real_signer(app)
    receipt = build_receipt(app, issuer_id, a, real.vkey)
    dropped = receipt["entries"].pop(3)["index"]
    code, out = _check(capsys, tmp_path, receipt, "--vkey", real.vkey)
    assert code == verify.EXIT_FAILED
    assert f"entry {dropped} is in the server's list but not in the receipt: it was dropped" in out


def test_a_swapped_key_is_caught(app, holding, tmp_path, capsys):
    """A receipt re-signed by another key, carrying that key, fails against the pinned one."""
    issuer_id, a, _ = holding
    real = real_signer(app)
    forger = fresh_signer(real.name)
    receipt = build_receipt(app, issuer_id, a, forger.vkey)
    receipt["checkpoint"] = resign(receipt["checkpoint"], forger)
    code, out = _check(capsys, tmp_path, receipt, "--vkey", real.vkey)
    assert code == verify.EXIT_FAILED
    assert "the receipt's checkpoint is signed by no key you pinned" in out
    assert f"the receipt's own key {forger.vkey} is not one you pinned" in out


def test_an_entry_of_another_holder_is_caught(app, holding, tmp_path, capsys):
    issuer_id, a, b = holding
    real = real_signer(app)
    receipt = build_receipt(app, issuer_id, a, real.vkey)
    theirs = build_receipt(app, issuer_id, b, real.vkey)
    stranger = next(e for e in theirs["entries"] if e["index"] not in receipt["indexes"])
    receipt["entries"].append(stranger)
    receipt["indexes"] = sorted([*receipt["indexes"], stranger["index"]])
    receipt["entries"].sort(key=lambda entry: entry["index"])
    code, out = _check(capsys, tmp_path, receipt, "--vkey", real.vkey)
    assert code == verify.EXIT_FAILED
    assert f"entry {stranger['index']} does not name holder {a}" in out


def _consistency(client, headers, issuer_id: str, first: int, second: int) -> dict:
    response = client.get(
        f"/api/v1/issuers/{issuer_id}/log/proof/consistency?first={first}&second={second}",
        headers=headers,
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_newer_checkpoint_extends_the_receipt(
    app, client, regulator_headers, holding, tmp_path, capsys
):
    issuer_id, a, _ = holding
    real = real_signer(app)
    receipt = build_receipt(app, issuer_id, a, real.vkey)
    with app.app_context():
        submit(issuer_id, issuers.amend_issuer, AmendIssuer(disclosure_profile="otc"))
    newer_note = client.get(
        f"/api/v1/issuers/{issuer_id}/log/checkpoint", headers=regulator_headers
    ).get_data(as_text=True)
    newer = tmp_path / "newer.txt"
    newer.write_text(newer_note)
    proof = tmp_path / "proof.json"
    proof.write_text(json.dumps(_consistency(client, regulator_headers, issuer_id, 41, 42)))
    extend = ["--vkey", real.vkey, "--newer-checkpoint", newer, "--consistency-proof", proof]
    code, out = _check(capsys, tmp_path, receipt, *extend)
    assert code == 0, out
    assert "the newer checkpoint of size 42" in out and "extends the receipt's of size 41" in out

    forged = _consistency(client, regulator_headers, issuer_id, 41, 42)
    forged["proof"][0] = _flip(forged["proof"][0])
    proof.write_text(json.dumps(forged))
    code, out = _check(capsys, tmp_path, receipt, *extend)
    assert code == verify.EXIT_FAILED
    assert "the newer checkpoint does not extend the receipt's" in out

    # A "newer" checkpoint of a shorter log: the log was rolled back since the receipt.
    older_note = resign(newer_note, real, size=30)
    newer.write_text(older_note)
    code, out = _check(capsys, tmp_path, receipt, *extend)
    assert code == verify.EXIT_FAILED
    assert "the log is shorter than a checkpoint you hold: it was rolled back" in out
