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
