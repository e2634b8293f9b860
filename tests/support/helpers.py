"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import base64
import uuid


def b64d(text: str) -> bytes:
    return base64.b64decode(text)


def issuer_fields(**overrides) -> dict:
    fields = {
        "legal_name": "Acme Widgets Ltd",
        "registration_number": uuid.uuid4().hex[:8].upper(),
        "jurisdiction": "GB",
    }
    fields.update(overrides)
    return fields


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


HOLDER_A = {
    "name": "Ada Lovelace",
    "address": "12 St James's Square, London",
    "identifier": "GB-NI-QQ123456C",
    "country": "GB",
    "holder_type": "person",
    "email": "ada@example.test",
    "joint_holders": [],
}
HOLDER_B = {
    "name": "Brunel Engineering Ltd",
    "address": "1 Temple Meads, Bristol",
    "identifier": "GB-CRN-00000042",
    "country": "GB",
    "holder_type": "entity",
    "email": None,
    "joint_holders": [],
}

ORDINARY = {
    "code": "ORD",
    "name": "Ordinary shares",
    "votes_per_share": 1,
    "par_value": "0.01",
    "currency": "GBP",
    "authorised": None,
}


def seed_register(app, issuer_id: str, shares_for_a: int) -> tuple[str, str]:
    """Create class ORD and holders A and B on an issuer, and issue `shares_for_a` to A, in
    one command. Returns the holder ids of A and B."""
    from app.register import classes, holders, issuance
    from app.unit_of_work import command

    with app.app_context(), command() as (session, ledger):
        classes.create_class(session, ledger, "test", issuer_id, ORDINARY)
        a = holders.register_holder(session, ledger, "test", issuer_id, HOLDER_A).holder_id
        b = holders.register_holder(session, ledger, "test", issuer_id, HOLDER_B).holder_id
        allocation = {"class": "ORD", "holder_id": a, "quantity": shares_for_a}
        issuance.issue_shares(session, ledger, "test", issuer_id, [allocation])
    return a, b
