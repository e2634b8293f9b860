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
