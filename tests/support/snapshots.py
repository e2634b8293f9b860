"""A register to take snapshots of: two classes, six holders, a batch, transfers, an erasure;
shared by the snapshot and OCF export tests."""

from __future__ import annotations

from dataclasses import dataclass

from app.commands import command
from app.extensions import db
from app.ledger import log
from app.register import classes, holders, issuance, transfers
from app.register.replay import replay_and_compare
from app.register.requests import CeaseHolder, EraseHolder, IssueShares, LodgeTransfer
from tests.support.helpers import (
    ACTOR,
    HOLDER_A,
    HOLDER_B,
    ORDINARY,
    allocation,
    class_request,
    holder_request,
    submit,
    transfer_request,
)

PREFERENCE = {**ORDINARY, "code": "PREF", "name": "Preference shares", "votes_per_share": 2}
HOLDER_C = {
    **HOLDER_B,
    "name": "Carol Cheng",
    "identifier": "GB-NI-QQ246810C",
    "holder_type": "person",
    "email": None,
}
HOLDER_D = {**HOLDER_A, "name": "Dora Dee", "identifier": "GB-NI-QQ999999D"}
HOLDER_E = {**HOLDER_A, "name": "Eve Evans", "identifier": "GB-NI-QQ555555E"}
ADA_TWIN = {**HOLDER_A, "address": "1 Marylebone Road, London", "identifier": "GB-NI-QQ7"}


@dataclass(frozen=True)
class Register:
    issuer_id: str
    ids: dict[str, str]  # ada, ada2, brunel, carol, dora, eve
    issued_size: int  # after the first batch of allocations
    transferred_size: int  # after ada transferred 200 ORD to carol
    latest_size: int  # after dora transferred everything to ada, ceased and was erased


def build_register(app, issuer_id: str) -> Register:
    """Two classes (PREF has two votes a share) and six holders, two named Ada Lovelace;
    ORD 1,000 shares and PREF 75 issued in one batch (Eve holds only PREF); then a transfer;
    then Dora sells out to Ada, ceases and is erased."""
    with app.app_context():
        with command(ACTOR, issuer_id) as ctx:
            classes.create_class(ctx, class_request())
            classes.create_class(ctx, class_request(PREFERENCE))
            ids = {
                key: holders.register_holder(ctx, holder_request(details)).holder_id
                for key, details in (
                    ("ada", HOLDER_A),
                    ("ada2", ADA_TWIN),
                    ("brunel", HOLDER_B),
                    ("carol", HOLDER_C),
                    ("dora", HOLDER_D),
                    ("eve", HOLDER_E),
                )
            }
        allocations = [
            ("ORD", "ada", 500),
            ("ORD", "ada2", 100),
            ("ORD", "brunel", 300),
            ("ORD", "carol", 92),
            ("ORD", "dora", 8),
            ("PREF", "brunel", 50),
            ("PREF", "eve", 25),
        ]
        request = IssueShares(tuple(allocation(ids[h], q, c) for c, h, q in allocations))
        entries = submit(issuer_id, issuance.issue_shares, request)
        issued_size = entries[-1].index + 1
        transfer = _transfer(ids["ada"], ids["carol"], 200)
        transferred_size = submit(issuer_id, transfers.lodge_transfer, transfer).index + 1
        with command(ACTOR, issuer_id) as ctx:
            transfers.lodge_transfer(ctx, _transfer(ids["dora"], ids["ada"], 8))
            holders.cease_holder(ctx, CeaseHolder(ids["dora"]))
            holders.erase_holder(ctx, EraseHolder(ids["dora"]))
        latest_size = log.signed_size(db.session, issuer_id)
        replay_and_compare(db.session, issuer_id)
    return Register(issuer_id, ids, issued_size, transferred_size, latest_size)


def _transfer(source: str, target: str, quantity: int) -> LodgeTransfer:
    return transfer_request(source, target, quantity, instrument_reference=f"STF-{quantity}")


def read(response):
    """Consume a streamed response now: its request context stays open until then."""
    response.get_data()
    response.close()
    return response
