"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import base64
import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from app.commands import command
from app.extensions import db
from app.register import classes, holders, issuance
from app.register.access_log import record_access
from app.register.requests import (
    Allocation,
    CreateClass,
    HolderDetails,
    IssueShares,
    LodgeTransfer,
    RegisterHolder,
)

ACTOR = "test"


def b64d(text: str) -> bytes:
    return base64.b64decode(text)


def issuer_fields(**overrides) -> dict:
    fields = {
        "legal_name": "Acme Widgets Ltd",
        "registration_number": uuid.uuid4().hex[:8].upper(),
        "jurisdiction": "GB",
        # Most tests are about other things than notices, which would add entries to every
        # command that moves votes; the notices tests choose a profile.
        "disclosure_profile": "none",
    }
    fields.update(overrides)
    return fields


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# What a regulator, auditor or operator sends to read personal data (tests/test_purpose.py).
STATED_PURPOSE = {"X-Purpose": "test suite: checking the register"}


HOLDER_A = {
    "name": "Ada Lovelace",
    "address": "12 St James's Square, London",
    "identifier": "GB-NI-QQ123456C",
    "country": "GB",
    "holder_type": "person",
    "email": "ada@example.test",
    "joint_holders": [],
}
HOLDER_C = {**HOLDER_A, "name": "Charles Babbage", "identifier": "GB-NI-QQ654321A"}
# Offerees and a newcomer for the pre-emption tests.
HOLDER_E = {**HOLDER_A, "name": "Emmy Noether", "identifier": "DE-1"}
HOLDER_N = {**HOLDER_A, "name": "Newcomer", "identifier": "GB-NEW-1"}
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


# --- typed requests with the defaults tests share ------------------------------------------


def holder_request(
    details: Mapping[str, Any] = HOLDER_A, registered_on: date | None = None
) -> RegisterHolder:
    return RegisterHolder(HolderDetails.of(details), registered_on)


def class_request(fields: Mapping[str, Any] = ORDINARY, **changes: Any) -> CreateClass:
    """A share class from JSON-shaped fields (par value as a string, as the API takes it)."""
    values = {**fields, **changes}
    return CreateClass(**{**values, "par_value": Decimal(str(values.get("par_value", "0")))})


def allocation(holder_id: str, quantity: int, class_code: str = "ORD", **extra: Any) -> Allocation:
    return Allocation(class_code=class_code, holder_id=holder_id, quantity=quantity, **extra)


def issue_request(*allocations: tuple[str, int], class_code: str = "ORD") -> IssueShares:
    """Shares of one class to (holder_id, quantity) pairs."""
    return IssueShares(tuple(allocation(h, q, class_code) for h, q in allocations))


@dataclass
class Clock:
    """A ledger clock the test sets (`app.config["LEDGER_CLOCK"] = Clock(start)`)."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now


def set_clock(app, now: datetime) -> Clock:
    """Stamp every command's entries and checkpoint from now on with a time the test sets
    (and moves, through the returned clock's `now`)."""
    clock = Clock(now)
    app.config["LEDGER_CLOCK"] = clock
    return clock


_instrument_numbers = itertools.count(1)


def transfer_request(
    source: str,
    target: str,
    quantity: int,
    class_code: str = "ORD",
    instrument_reference: str | None = None,
    **extra: Any,
) -> LodgeTransfer:
    """A lodged transfer; each gets its own instrument reference unless one is given (a
    reference is refused the second time, as `duplicate_instrument`)."""
    if instrument_reference is None:
        instrument_reference = f"stock transfer form {next(_instrument_numbers)}"
    return LodgeTransfer(
        class_code=class_code,
        from_holder_id=source,
        to_holder_id=target,
        quantity=quantity,
        instrument_reference=instrument_reference,
        **extra,
    )


def instruction_body(source: str, target: str, quantity: int = 30, **extra: Any) -> dict:
    """The JSON of an investor's transfer instruction (or a `can-transfer` dry run) of ORD,
    with the risk notice acknowledged."""
    return {
        "class": "ORD",
        "from_holder_id": source,
        "to_holder_id": target,
        "quantity": quantity,
        "risk_acknowledged": True,
        **extra,
    }


# --- commands on an issuer, inside the caller's app context ---------------------------------


def submit(issuer_id: str, service, request):
    """Run `service(ctx, request)` as one command on the issuer."""
    with command(ACTOR, issuer_id) as ctx:
        return service(ctx, request)


def add_holders(issuer_id: str, *details_list: Mapping[str, Any]) -> list[str]:
    """Register holders in one command; their ids in order."""
    with command(ACTOR, issuer_id) as ctx:
        return [
            holders.register_holder(ctx, holder_request(details)).holder_id
            for details in details_list
        ]


def issue(issuer_id: str, *allocations: tuple[str, int], class_code: str = "ORD") -> None:
    with command(ACTOR, issuer_id) as ctx:
        issuance.issue_shares(ctx, issue_request(*allocations, class_code=class_code))


def seed_register(app, issuer_id: str, shares_for_a: int) -> tuple[str, str]:
    """Create class ORD and holders A and B on an issuer, and issue `shares_for_a` to A, in
    one command. Returns the holder ids of A and B."""
    with app.app_context(), command(ACTOR, issuer_id) as ctx:
        classes.create_class(ctx, class_request())
        a = holders.register_holder(ctx, holder_request(HOLDER_A)).holder_id
        b = holders.register_holder(ctx, holder_request(HOLDER_B)).holder_id
        issuance.issue_shares(ctx, issue_request((a, shares_for_a)))
    return a, b


def seed_offerees(app, issuer_id: str) -> tuple[str, str, str, str, str]:
    """`seed_register` and more: A holds 100 ORD, B 50, C 30, E 20, and newcomer N none.
    Returns the holder ids of A, B, C, E and N."""
    a, b = seed_register(app, issuer_id, shares_for_a=100)
    with app.app_context():
        c, e, n = add_holders(issuer_id, HOLDER_C, HOLDER_E, HOLDER_N)
        issue(issuer_id, (b, 50), (c, 30), (e, 20))
    return a, b, c, e, n


def investor_token(runner, issuer_id: str, holder_id: str | None) -> dict[str, str]:
    """The headers of a new investor's token (`flask tokens create --role investor`) acting for
    `holder_id` (none: a token that acts for no holder)."""
    holder = ["--holder", holder_id] if holder_id else []
    args = ["tokens", "create", "--role", "investor", "--label", "investor", "--issuer", issuer_id]
    result = runner.invoke(args=[*args, *holder])
    assert result.exit_code == 0, result.output
    return bearer(result.output.strip().splitlines()[-1])


def record_reads(app, issuer_id: str, *reads: tuple[datetime, str | None, str]) -> None:
    """Outsiders' reads as the disclosure records them, at chosen moments: (when, holder_id or
    None for the whole register, purpose)."""
    with app.app_context(), db.write() as session:
        for when, holder_id, purpose in reads:
            record_access(
                session,
                issuer_id=issuer_id,
                actor="operator:demo",
                role="regulator",
                resource=f"/api/v1/issuers/{issuer_id}/holders",
                holder_id=holder_id,
                now=when,
                purpose=purpose,
            )
