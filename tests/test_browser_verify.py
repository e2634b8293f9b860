"""The investor's browser check catches what a dishonest server could do: forged proofs and
signatures, a swapped key, dropped entries, wrong figures on the page, a rolled-back or forked
log; and the receipt it saves verifies when loaded back. The real server answers; tampering
rewrites its answers in flight (Playwright `page.route`), never the page's JavaScript."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import Page, expect
from sqlalchemy import text

from app.commands import current_ledger
from app.extensions import db
from app.ledger import keyring, log, notes, verify
from app.models.register import Pledge
from app.register import capital, classes, conversion, reorganisation, restrictions, transfers
from app.register.requests import (
    CancelShares,
    ChangeFreeze,
    Consideration,
    ConvertShares,
    ForcedTransfer,
    FractionTerms,
    RedeemShares,
    RegisterPledge,
    ReleasePledge,
    ReorganiseClass,
    RepurchaseShares,
)
from tests import test_browser
from tests.support.helpers import class_request, submit, transfer_request
from tests.support.logins import log_in_page
from tests.test_browser import VERIFY_WAIT_MS

pytestmark = pytest.mark.browser

live_server = test_browser.live_server
browser = test_browser.browser
investor = test_browser.investor

VERIFIED = "Verified: all 3 of my entries are in the signed log."


def _open(browser, live_server: str) -> Page:
    page = browser.new_page()
    log_in_page(page, live_server, test_browser.ADA)
    return page


def _verify(page: Page) -> None:
    page.get_by_role("button", name="Verify in my browser").click()


def _status(page: Page):
    return page.locator("#verify-status")


def _tamper(page: Page, change: Callable[[dict], None]) -> None:
    """Rewrite the server's proofs.json answer in flight."""

    def handle(route):
        response = route.fetch()
        body = response.json()
        change(body)
        route.fulfill(response=response, json=body)

    page.route("**/me/proofs.json", handle)


def _fingerprint(vkey: str) -> str:
    digest = hashlib.sha256(vkey.encode()).hexdigest()
    return " ".join(digest[i : i + 4] for i in range(0, 64, 4))


def _published_vkey(app) -> str:
    with app.app_context():
        (key,) = keyring.published_keys(db.session)
        return key.vkey


def _impostor(name: str) -> notes.Signer:
    return notes.Signer(name, Ed25519PrivateKey.generate())


def _resign(body: dict, signer: notes.Signer) -> None:
    """Sign the checkpoint with another key under the same name, and offer that key."""
    text_part = body["checkpoint"].split("\n\n")[0] + "\n"
    body["checkpoint"] = notes.sign_note(text_part, [signer])
    body["vkeys"] = [signer.vkey]


def _key_name(app) -> str:
    return notes.parse_vkey(_published_vkey(app)).name


def test_first_use_pins_the_key_and_a_changed_key_is_a_warning(app, browser, live_server, investor):
    page = _open(browser, live_server)
    expect(page.locator("#key-pinned")).to_contain_text("No key is pinned")
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    vkey = _published_vkey(app)
    pinned = page.locator("#key-pinned")
    expect(pinned).to_contain_text(notes.parse_vkey(vkey).key_id.hex())
    expect(pinned).to_contain_text(_fingerprint(vkey))
    expect(page.locator("#verify-report")).to_contain_text("First use")

    impostor = _impostor(_key_name(app))
    _tamper(page, lambda body: _resign(body, impostor))
    _verify(page)
    expect(_status(page)).to_contain_text(
        "Verification FAILED: the checkpoint is not signed by the key you pinned",
        timeout=VERIFY_WAIT_MS,
    )
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("WARNING")
    expect(warning).to_contain_text(_fingerprint(impostor.vkey))
    expect(pinned).to_contain_text(_fingerprint(vkey))  # not trusted automatically

    page.get_by_role("button", name="Trust the new key").click()
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    expect(pinned).to_contain_text(_fingerprint(impostor.vkey))
    page.close()


def test_a_pasted_key_is_pinned_and_a_log_signed_by_another_key_is_refused(
    app, browser, live_server, investor
):
    page = _open(browser, live_server)
    other = _impostor(_key_name(app))
    page.get_by_text("Pin a key the company gave me").click()
    page.get_by_label("Verifier key to pin").fill(other.vkey)
    page.get_by_role("button", name="Pin this key").click()
    expect(page.locator("#key-pinned")).to_contain_text(_fingerprint(other.vkey))
    _verify(page)
    expect(_status(page)).to_contain_text(
        f"the checkpoint is not signed by the key you pinned ({other.key_id.hex()})",
        timeout=VERIFY_WAIT_MS,
    )
    expect(page.get_by_role("alert")).to_contain_text(_fingerprint(_published_vkey(app)))
    page.close()


def test_a_key_that_is_not_a_vkey_is_not_pinned(browser, live_server, investor):
    page = _open(browser, live_server)
    page.get_by_text("Pin a key the company gave me").click()
    page.get_by_label("Verifier key to pin").fill("shareledger+0000+AAAA")
    page.get_by_role("button", name="Pin this key").click()
    expect(page.locator("#pin-status")).to_contain_text("Not pinned")
    expect(page.locator("#key-pinned")).to_contain_text("No key is pinned")
    page.close()


def _flip_last_byte(text_b64: str) -> str:
    raw = bytearray(base64.b64decode(text_b64))
    raw[-1] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def _forge_proof(body: dict) -> None:
    body["entries"][1]["proof"][0] = _flip_last_byte(body["entries"][1]["proof"][0])


def _forge_signature(body: dict) -> None:
    note_text, signatures = body["checkpoint"].split("\n\n")
    name, blob = signatures.strip().removeprefix("\u2014 ").split(" ")
    body["checkpoint"] = f"{note_text}\n\n\u2014 {name} {_flip_last_byte(blob)}\n"


def _drop_listed_entry(body: dict) -> None:
    del body["entries"][2]  # the transfer, still listed


def _unlist_entry(body: dict) -> None:
    body["indexes"].remove(body["entries"][2]["index"])


def _drop_entry_and_its_listing(body: dict) -> None:
    dropped = body["entries"].pop(2)
    body["indexes"].remove(dropped["index"])


@pytest.mark.parametrize(
    ("tamper", "said"),
    [
        (_forge_proof, "is not in the signed tree"),
        (_forge_signature, "does not verify: it is forged"),
        (_drop_listed_entry, "is listed as mine but no proven copy of it was given"),
        (_unlist_entry, "concerns me but is missing from the list of my entries"),
        (_drop_entry_and_its_listing, "the page shows 700 ORD but the log gives 500"),
    ],
    ids=["forged proof", "forged signature", "dropped entry", "unlisted", "dropped and unlisted"],
)
def test_tampered_proofs_are_caught_in_words(browser, live_server, investor, tamper, said):
    page = _open(browser, live_server)
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)  # pins the key
    _tamper(page, tamper)
    _verify(page)
    expect(_status(page)).to_contain_text("Verification FAILED", timeout=VERIFY_WAIT_MS)
    expect(page.locator("#verify-status, #verify-report")).to_contain_text([said])
    expect(page.get_by_role("button", name="Download my receipt")).to_be_disabled()
    page.close()


def test_a_holding_the_log_does_not_give_is_shown_as_a_mismatch(
    app, browser, live_server, investor
):
    with app.app_context(), db.engine.begin() as connection:
        # The projection is not the log: a rogue operator can change it.
        connection.execute(
            text(
                "UPDATE holding_versions SET held = 1200 WHERE issuer_id = :i"
                " AND holder_id = :h AND to_index IS NULL"
            ),
            {"i": investor["issuer_id"], "h": investor["holder_id"]},
        )
    page = _open(browser, live_server)
    expect(page.locator("tbody tr").first).to_contain_text("1,200")
    _verify(page)
    expect(_status(page)).to_have_text(
        "Verification FAILED: the page shows 1,200 ORD but the log gives 700",
        timeout=VERIFY_WAIT_MS,
    )
    page.close()


def _remember(page: Page, change: Callable[[dict], None]) -> None:
    """Rewrite the checkpoint this browser remembers for the log."""
    origin = page.locator("#log-check").get_attribute("data-origin")
    key = f"shareledger.trust/{origin}"
    record = json.loads(page.evaluate("key => localStorage.getItem(key)", key))
    change(record["checkpoint"])
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [key, json.dumps(record)])


def _larger(checkpoint: dict) -> None:
    checkpoint["size"] += 5


def _other_root(checkpoint: dict) -> None:
    checkpoint["root"] = base64.b64encode(hashlib.sha256(b"another tree").digest()).decode()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (_larger, "the log is shorter than a checkpoint you verified before: it was rolled back"),
        (_other_root, "the log forked"),
    ],
    ids=["rollback", "fork"],
)
def test_a_log_that_does_not_extend_the_remembered_checkpoint_is_reported(
    browser, live_server, investor, change, said
):
    page = _open(browser, live_server)
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    _remember(page, change)
    _verify(page)
    expect(_status(page)).to_contain_text(f"Verification FAILED: {said}", timeout=VERIFY_WAIT_MS)
    page.close()


def test_a_longer_log_is_checked_to_extend_the_remembered_checkpoint(
    app, browser, live_server, investor
):
    page = _open(browser, live_server)
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    with app.app_context():
        before = log.signed_size(db.session, investor["issuer_id"])
        transfer = transfer_request(
            investor["brunel_id"], investor["holder_id"], 50, instrument_reference="STF-9"
        )
        submit(investor["issuer_id"], transfers.lodge_transfer, transfer)
        after = log.signed_size(db.session, investor["issuer_id"])
    page.reload()
    _verify(page)
    expect(_status(page)).to_have_text(
        "Verified: all 4 of my entries are in the signed log.", timeout=VERIFY_WAIT_MS
    )
    expect(page.locator("#verify-report")).to_contain_text(
        f"The log of {after} entries extends the checkpoint of {before} entries you verified"
    )
    page.close()


def _download_receipt(page: Page) -> dict:
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my receipt").click()
    return json.loads(open(download.value.path(), encoding="utf-8").read())


def _load_receipt(page: Page, receipt: dict) -> None:
    page.get_by_label("Receipt file").set_input_files(
        {
            "name": "receipt.json",
            "mimeType": "application/json",
            "buffer": json.dumps(receipt).encode(),
        }
    )


def _check_receipt_offline(folder, receipt: dict, vkey: str) -> None:
    """The file the page saved is the one `python -m app.ledger.verify --receipt` checks."""
    path = folder / "receipt.json"
    path.write_text(json.dumps(receipt))
    assert verify.main(["--receipt", str(path), "--vkey", vkey, "--strict"]) == 0
    impostor = _impostor(vkey.split("+")[0])
    forged = dict(receipt)
    _resign(forged, impostor)
    forged["vkey"] = forged.pop("vkeys")[0]
    path.write_text(json.dumps(forged))
    assert verify.main(["--receipt", str(path), "--vkey", vkey, "--strict"]) == verify.EXIT_FAILED


def test_the_downloaded_receipt_verifies_when_loaded_back(
    app, browser, live_server, investor, tmp_path
):
    page = _open(browser, live_server)
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    receipt = _download_receipt(page)
    with app.app_context():
        size = log.signed_size(db.session, investor["issuer_id"])
        checkpoint = log.latest_checkpoint(db.session, investor["issuer_id"])
        origin = log.get_state(db.session, investor["issuer_id"]).origin
    assert receipt["format"] == "shareledger-receipt/1"
    assert (receipt["origin"], receipt["issuer_id"]) == (origin, investor["issuer_id"])
    assert receipt["holder_id"] == investor["holder_id"]
    assert (receipt["checkpoint"], receipt["vkey"]) == (checkpoint.note, _published_vkey(app))
    assert receipt["indexes"] == [entry["index"] for entry in receipt["entries"]]
    assert len(receipt["indexes"]) == 3 and max(receipt["indexes"]) < size
    assert receipt["balances"] == {"ORD": "700"}

    _load_receipt(page, receipt)
    status = page.locator("#receipt-status")
    expect(status).to_contain_text("Receipt verified", timeout=VERIFY_WAIT_MS)
    _check_receipt_offline(tmp_path, receipt, _published_vkey(app))

    receipt["balances"]["ORD"] = "900"
    _load_receipt(page, receipt)
    expect(status).to_have_text(
        "Receipt check FAILED: the receipt says 900 ORD but the log gives 700",
        timeout=VERIFY_WAIT_MS,
    )
    page.close()


def test_a_receipt_checks_against_the_key_this_browser_pinned(app, browser, live_server, investor):
    page = _open(browser, live_server)
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    receipt = _download_receipt(page)
    _resign(receipt, _impostor(_key_name(app)))
    receipt["vkey"] = receipt.pop("vkeys")[0]
    _load_receipt(page, receipt)
    expect(page.locator("#receipt-status")).to_contain_text(
        "Receipt check FAILED: the checkpoint is not signed by the key you pinned",
        timeout=VERIFY_WAIT_MS,
    )
    page.close()


def test_the_check_works_at_phone_width_and_by_keyboard(browser, live_server, investor):
    page = _open(browser, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Verify in my browser").focus()
    page.keyboard.press("Enter")
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Download my receipt")).to_be_focused()
    page.close()


def test_balances_are_recomputed_through_every_kind_that_changes_holdings(
    app, browser, live_server, investor
):
    issuer_id, ada, brunel = investor["issuer_id"], investor["holder_id"], investor["brunel_id"]
    whole = FractionTerms("2:1", "round_half_up")
    steps = [
        (classes.create_class, class_request(code="PREF", name="Preference shares")),
        (reorganisation.split_class, ReorganiseClass("ORD", whole)),  # 1,400
        (capital.cancel_shares, CancelShares("ORD", ada, 100, "forfeited")),  # 1,300
        (capital.repurchase_shares, RepurchaseShares("ORD", ada, 50, Decimal("1.10"), "GBP")),
        (
            capital.redeem_shares,
            RedeemShares("ORD", ada, 50, Consideration("products_or_services", description="ale")),
        ),  # 1,200
        (
            conversion.convert_shares,
            ConvertShares(ada, "ORD", "PREF", 200, FractionTerms("1:2", "round_half_up")),
        ),  # 1,000 ORD and 100 PREF
        (restrictions.freeze, ChangeFreeze("ORD", ada, 100, "court order 4")),
        (restrictions.forced_transfer, ForcedTransfer("ORD", ada, brunel, 150, "order 5")),
        (restrictions.register_pledge, RegisterPledge("PREF", ada, 20, "Bank plc facility 1")),
        (
            reorganisation.consolidate_class,
            ReorganiseClass("ORD", FractionTerms("1:10", "round_half_up")),
        ),  # 85
    ]
    with app.app_context():
        results = [submit(issuer_id, service, request) for service, request in steps]
        (pledge,) = (result for result in results if isinstance(result, Pledge))
        submit(issuer_id, restrictions.release_pledge, ReleasePledge(pledge_id=pledge.pledge_id))
    page = _open(browser, live_server)
    _verify(page)
    expect(_status(page)).to_contain_text("Verified: all", timeout=VERIFY_WAIT_MS)
    expect(page.locator("#verify-report")).to_contain_text(
        "The holdings shown above are what my entries on the log add up to."
    )
    assert _download_receipt(page)["balances"] == {"ORD": "85", "PREF": "100"}
    page.close()


def test_an_older_receipt_still_verifies_once_the_log_has_grown(
    app, browser, live_server, investor
):
    page = _open(browser, live_server)
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    receipt = _download_receipt(page)
    with app.app_context():
        older = log.signed_size(db.session, investor["issuer_id"])
        transfer = transfer_request(
            investor["holder_id"], investor["brunel_id"], 25, instrument_reference="STF-10"
        )
        submit(investor["issuer_id"], transfers.lodge_transfer, transfer)
        newer = log.signed_size(db.session, investor["issuer_id"])
    page.reload()
    _verify(page)
    expect(_status(page)).to_contain_text("Verified", timeout=VERIFY_WAIT_MS)
    _load_receipt(page, receipt)
    expect(page.locator("#receipt-status")).to_contain_text(
        "Receipt verified", timeout=VERIFY_WAIT_MS
    )
    expect(page.locator("#receipt-report")).to_contain_text(
        f"The checkpoint you verified since ({newer} entries) extends the other ({older})."
    )
    page.close()


def test_a_longer_log_that_rewrote_the_remembered_tree_is_a_fork(
    app, browser, live_server, investor
):
    page = _open(browser, live_server)
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    _remember(page, _other_root)  # as if the log had been rewritten before growing
    with app.app_context():
        remembered = log.signed_size(db.session, investor["issuer_id"])
        transfer = transfer_request(
            investor["brunel_id"], investor["holder_id"], 5, instrument_reference="STF-11"
        )
        submit(investor["issuer_id"], transfers.lodge_transfer, transfer)
    page.reload()
    _verify(page)
    expect(_status(page)).to_contain_text(
        f"is not consistent with the checkpoint of {remembered} entries you verified before: "
        "it forked",
        timeout=VERIFY_WAIT_MS,
    )
    page.close()


def test_checkpoint_extension_lines_after_the_root_are_signed_but_not_read(
    app, browser, live_server, investor
):
    with app.app_context():
        signer = current_ledger().signers[0]

    def extend(body: dict) -> None:
        lines = body["checkpoint"].split("\n\n")[0] + "\n"
        body["checkpoint"] = notes.sign_note(lines + "previous 4\n", [signer])

    page = _open(browser, live_server)
    _tamper(page, extend)
    _verify(page)
    expect(_status(page)).to_have_text(VERIFIED, timeout=VERIFY_WAIT_MS)
    page.close()
