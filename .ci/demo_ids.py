"""Prints, as shell assignments, ids of the demo brewery's register for .ci/schemathesis to aim
its requests at: the issuer, a holder, a transfer instruction, a distribution and a pledge
(a random id, unknown to the register, for what the demo has none of)."""

from __future__ import annotations

import shlex
import uuid

from sqlalchemy import select

from app.extensions import db
from app.models.register import Distribution, Holder, Pledge
from app.models.transfers import TransferInstruction
from app.register.queries import issuer_named
from wsgi import app

BREWERY = "Harbour Lights Brewing Ltd"


def first(column, issuer_column, issuer_id: str) -> str:
    found = db.session.scalar(select(column).where(issuer_column == issuer_id).limit(1))
    return str(uuid.uuid4()) if found is None else str(found)


with app.app_context():
    issuer_id = issuer_named(db.session, BREWERY).id
    ids = {
        "issuer_id": issuer_id,
        "holder_id": first(Holder.holder_id, Holder.issuer_id, issuer_id),
        "instruction_id": first(
            TransferInstruction.instruction_id, TransferInstruction.issuer_id, issuer_id
        ),
        "distribution_id": first(Distribution.distribution_id, Distribution.issuer_id, issuer_id),
        "pledge_id": first(Pledge.pledge_id, Pledge.issuer_id, issuer_id),
    }
for name, value in ids.items():
    print(f"{name}={shlex.quote(value)}")
