"""Log entries in words: people by name, members by name and number, numbers with separators."""

from __future__ import annotations

from app.commands import command
from app.extensions import db
from app.ledger import log
from app.register import holders, issuance
from app.web.entry_words import describe
from tests.support.helpers import (
    HOLDER_A,
    holder_request,
    issue_request,
    seed_register,
)


def _described(app, issuer_id):
    with app.app_context():
        size = log.latest_checkpoint(db.session, issuer_id).tree_size
        envelopes = [e.envelope for e in log.read_entries(db.session, issuer_id, 0, size)]
        return describe(db.session, issuer_id, envelopes)


def test_namesakes_are_told_apart_by_member_number(app, new_issuer):
    issuer_id = new_issuer()["id"]
    first, _ = seed_register(app, issuer_id, shares_for_a=10)
    with app.app_context(), command("operator:demo", issuer_id) as ctx:
        namesake = holders.register_holder(
            ctx, holder_request({**HOLDER_A, "identifier": "GB-NI-QQ999999Z"})
        ).holder_id
        issuance.issue_shares(ctx, issue_request((namesake, 2_966_400)))
    words = [entry.words for entry in _described(app, issuer_id)]
    assert "The operator issued 2,966,400 ORD to Ada Lovelace (No. 3)." in words
    assert "Test issued 10 ORD to Ada Lovelace (No. 1)." in words
    assert first != namesake


def test_an_entry_without_a_sentence_is_shown_by_its_kind(app, new_issuer):
    issuer_id = new_issuer()["id"]
    entries = describe_in_app(app, issuer_id, {"kind": "future.thing", "data": {}})
    assert entries[0].words == "A scheduled task recorded future.thing."


def describe_in_app(app, issuer_id, fields):
    envelope = {"index": 0, "recorded_at": "2026-01-01T00:00:00Z", "actor": "cli:x", **fields}
    with app.app_context():
        return describe(db.session, issuer_id, [envelope])


def test_notices_and_disclosures_are_told_in_words(app, new_issuer):
    issuer_id = new_issuer(disclosure_profile="us")["id"]
    seed_register(app, issuer_id, shares_for_a=10)
    words = [entry.words for entry in _described(app, issuer_id)]
    assert (
        "Test recorded that the votes of Ada Lovelace (No. 1) went up past 10% "
        "(from 0.0000% to 100.0000%)." in words
    )
    disclosure = describe_in_app(
        app, issuer_id, {"kind": "disclosure.published", "data": {"title": "Annual report"}}
    )
    assert disclosure[0].words == "A scheduled task published “Annual report”."


def test_a_price_on_the_log_is_told_with_the_entry(app, new_issuer):
    """An investor's history names the price where the log has one (issue 11: "date, what
    happened, quantity, counterparty, price"), and says nothing of a price it does not have."""
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, shares_for_a=10)
    parties = {"class": "ORD", "from_holder_id": a, "to_holder_id": b, "quantity": "250"}
    sold, given = (
        describe_in_app(app, issuer_id, {"kind": "transfer.settled", "data": data})[0].words
        for data in ({**parties, "consideration": "12500.00", "currency": "GBP"}, parties)
    )
    assert sold.endswith("to Brunel Engineering Ltd (No. 2) for GBP 12,500.00.")
    assert given.endswith("to Brunel Engineering Ltd (No. 2).")
    allotted = {"class": "ORD", "holder_id": a, "quantity": "1000", "price_per_share": "1.25"}
    issued = describe_in_app(
        app, issuer_id, {"kind": "shares.issued", "data": {**allotted, "currency": "GBP"}}
    )[0].words
    assert issued.endswith("issued 1,000 ORD to Ada Lovelace (No. 1) at GBP 1.25 a share.")
