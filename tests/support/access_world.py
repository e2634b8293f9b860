"""The world the authorisation matrix asks about: issuers A and B with distinctive names, a
finished transfer with a pre-emption offer, a released pledge and a distribution on A, and a
token or login for every caller of tests.support.access_matrix.

Everything the path of a route can name exists, and every step, answer or release it could
take is already finished, so an allowed request is refused on its state or its input (409,
422) and the matrix writes nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from app.auth.tokens import create_token
from app.auth.users import find_user
from app.commands import command
from app.extensions import db
from app.ledger.log import utc_now
from app.models.notifications import Notification
from app.models.user import ApiToken
from app.register import classes, restrictions
from app.register.requests import RegisterPledge, ReleasePledge
from tests.support.access_matrix import API_CALLERS, INVESTOR_A, WEB_CALLERS, Caller, Seen
from tests.support.disclosures import PDF, publish_disclosure, sha
from tests.support.helpers import (
    ACTOR,
    HOLDER_A,
    add_holders,
    bearer,
    class_request,
    issue,
    issuer_fields,
)
from tests.support.logins import log_in, make_login

PURPOSE = {"X-Purpose": "authorisation matrix"}
ISSUER_NAMES = {"A": "Aardvark Quillon Holdings plc", "B": "Bumblebee Yarrowby Ventures Ltd"}
HOLDER_NAMES = {
    "A": {
        "investor": "Zenobia Quarterfield",
        "offeree": "Ulysses Fenwhistle",
        "transferee": "Cressida Thornbeck",
        "stranger": "Ottoline Vexmoor",
    },
    "B": {"investor": "Wilhelmina Draxley", "stranger": "Thaddeus Pocklewaite"},
}
# The holders an issuer's investor deals with (its own, and the parties of its transfer).
INVESTOR_DEALS_WITH = {"A": ("investor", "offeree", "transferee"), "B": ("investor",)}


@dataclass
class World:
    issuers: dict[str, str]  # "A"/"B" -> issuer id
    holders: dict[str, dict[str, str]]  # issuer -> label -> holder id
    instruction_id: str  # investor A's holder sold: it is party to it
    offer_id: str  # an instruction whose pre-emption offer went to investor A's holder
    pledge_id: str
    distribution_id: str
    disclosure_id: str  # a public disclosure of issuer A, with one attachment
    document_sha256: str
    notification_id: str  # one of investor A's login
    job_id: str  # an OCF export of issuer A, queued by the operator
    throwaway_token_id: str  # a token the operator's cells may revoke
    headers: dict[str, dict[str, str]]  # caller name -> request headers
    clients: dict[str, FlaskClient] = field(default_factory=dict)  # caller name -> logged in

    def seen(self) -> Seen:
        names = {}
        for issuer, issuer_id in self.issuers.items():
            texts = {"issuer": issuer_id, "issuer name": ISSUER_NAMES[issuer]}
            for label, holder_id in self.holders[issuer].items():
                texts[label] = holder_id
                texts[f"{label} name"] = HOLDER_NAMES[issuer][label]
            names[issuer] = texts
        visible = {
            issuer: frozenset(
                {"issuer", "issuer name"}
                | {f"{label}{suffix}" for label in labels for suffix in ("", " name")}
            )
            for issuer, labels in INVESTOR_DEALS_WITH.items()
        }
        return Seen(names, visible)


def _holder(issuer: str, label: str, number: int) -> dict:
    return {**HOLDER_A, "name": HOLDER_NAMES[issuer][label], "identifier": f"MX-{issuer}{number}"}


def _register(app: Flask, issuer: str, issuer_id: str) -> dict[str, str]:
    labels = list(HOLDER_NAMES[issuer])
    with app.app_context():
        with command(ACTOR, issuer_id) as ctx:
            classes.create_class(ctx, class_request())
        ids = add_holders(
            issuer_id, *(_holder(issuer, label, n) for n, label in enumerate(labels, 1))
        )
        holders = dict(zip(labels, ids, strict=True))
        shares = [(holders["investor"], 100)]
        if "offeree" in holders:
            shares.append((holders["offeree"], 50))
        issue(issuer_id, *shares)
    return holders


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _finished_transfer(
    client: FlaskClient, issuer_id: str, seller: str, buyer: str, headers: dict
) -> str:
    """A transfer through every step: instructed, accepted, its pre-emption offer (to a
    newcomer, there is one) waived by every offeree, approved and settled."""
    steps = f"/api/v1/issuers/{issuer_id}/instructions"
    body = {
        "class": "ORD",
        "from_holder_id": seller,
        "to_holder_id": buyer,
        "quantity": 5,
        "risk_acknowledged": True,
    }
    instruction_id = _ok(client.post(steps, json=body, headers=headers), 201)["instruction_id"]
    steps += f"/{instruction_id}"
    _ok(client.post(f"{steps}/accept", headers=headers))
    offer = client.get(f"{steps}/offers", headers=headers)
    for offeree in offer.get_json()["offerees"] if offer.status_code == 200 else []:
        _ok(client.post(f"{steps}/offers/{offeree['holder_id']}/waive", headers=headers))
    for action in ("approve", "settle"):
        _ok(client.post(f"{steps}/{action}", headers=headers))
    return instruction_id


def _released_pledge(app: Flask, issuer_id: str, holder_id: str) -> str:
    with app.app_context():
        with command(ACTOR, issuer_id) as ctx:
            pledge = restrictions.register_pledge(
                ctx, RegisterPledge("ORD", holder_id, 10, pledgee="Matrix Bank plc facility 1")
            )
        with command(ACTOR, issuer_id) as ctx:
            restrictions.release_pledge(ctx, ReleasePledge(pledge.pledge_id))
    return pledge.pledge_id


def _token(app: Flask, caller: Caller, issuers: dict, holders: dict) -> dict[str, str]:
    if caller.role is None:
        return dict(PURPOSE)
    issuer_id = issuers.get(caller.issuer)
    holder_id = holders[caller.issuer]["investor"] if caller.role == "investor" else None
    with app.app_context(), db.write() as session:
        token, secret = create_token(
            session,
            role=caller.role,
            label=f"matrix {caller.name}",
            issuer_id=issuer_id,
            holder_id=holder_id,
            now=utc_now(),
        )
        if caller.token == "revoked":
            token.revoked_at = utc_now()
        if caller.token == "expired" and hasattr(ApiToken, "expires_at"):
            # The column arrives with the `access` branch; until then this token is valid
            # and its cells are expected to fail.
            token.expires_at = utc_now() - timedelta(days=1)
    return {**bearer(secret), **PURPOSE}


def _login(app: Flask, caller: Caller, issuers: dict, holders: dict) -> FlaskClient:
    if caller.role is not None:
        holder_id = holders[caller.issuer]["investor"] if caller.role == "investor" else None
        make_login(
            app,
            _email(caller),
            caller.role,
            issuers.get(caller.issuer),
            holder_id,
            display_name=f"Matrix {caller.name}",
        )
    return new_login(app, caller)


def _email(caller: Caller) -> str:
    return f"{caller.name}@matrix.test"


def build_world(app: Flask) -> World:
    client = app.test_client()
    operator = {**bearer(_operator_secret(app)), **PURPOSE}
    issuers = {
        issuer: _ok(
            client.post("/api/v1/issuers", json=issuer_fields(legal_name=name), headers=operator),
            201,
        )["id"]
        for issuer, name in ISSUER_NAMES.items()
    }
    holders = {issuer: _register(app, issuer, issuer_id) for issuer, issuer_id in issuers.items()}
    a = holders["A"]
    settings = {"approval_required": True, "acceptance_days": 14, "pre_emption": True}
    _ok(
        client.put(
            f"/api/v1/issuers/{issuers['A']}/classes/ORD/transfer-settings",
            json=settings,
            headers=operator,
        )
    )
    # Investor A's holder is offered the shares another holder sells to a newcomer (so it has
    # an offer of its own) ...
    offer_id = _finished_transfer(client, issuers["A"], a["offeree"], a["transferee"], operator)
    # ... and sells to the transferee, a member by then (so no offer), itself.
    instruction_id = _finished_transfer(
        client, issuers["A"], a["investor"], a["transferee"], operator
    )
    pledge_id = _released_pledge(app, issuers["A"], holders["A"]["investor"])
    distribution = {
        "class": "ORD",
        "amount_per_share": "0.125",
        "currency": "GBP",
        "record_date": utc_now().date().isoformat(),
    }
    distribution_id = _ok(
        client.post(
            f"/api/v1/issuers/{issuers['A']}/distributions", json=distribution, headers=operator
        ),
        201,
    )["distribution_id"]
    disclosure = publish_disclosure(app, issuers["A"])
    headers = {caller.name: _token(app, caller, issuers, holders) for caller in API_CALLERS}
    world = World(
        issuers,
        holders,
        instruction_id,
        offer_id,
        pledge_id,
        distribution_id,
        disclosure.disclosure_id,
        sha(PDF.content),
        "",
        _ok(
            client.post(f"/api/v1/issuers/{issuers['A']}/exports?format=ocf", headers=operator), 202
        )["id"],
        str(_throwaway_token(app)),
        headers,
    )
    world.clients = {caller.name: _login(app, caller, issuers, holders) for caller in WEB_CALLERS}
    world.notification_id = _notification_for(app, issuers["A"], _email(INVESTOR_A))
    return world


def _notification_for(app: Flask, issuer_id: str, email: str) -> str:
    """A notification of the login's own (the transfers above ran before it existed)."""
    with app.app_context(), db.write() as session:
        user = find_user(session, email.lower())
        now = utc_now()
        row = Notification(
            issuer_id=issuer_id,
            id=uuid.uuid4().hex,
            user_id=user.id,
            kind="transfer.instructed",
            log_index=0,
            subject="A transfer to you awaits your acceptance",
            body="Matrix notification",
            link="/me/",
            created_at=now,
            next_attempt_at=now,
        )
        session.add(row)
    return row.id


def new_login(app: Flask, caller: Caller) -> FlaskClient:
    """A client logged in as the web caller (anonymous: not logged in)."""
    client = app.test_client()
    if caller.role is not None:
        log_in(client, _email(caller))
    return client


def _throwaway_token(app: Flask) -> int:
    with app.app_context(), db.write() as session:
        token, _ = create_token(
            session, role="auditor", label="matrix throwaway", issuer_id=None, now=utc_now()
        )
    return token.id


def _operator_secret(app: Flask) -> str:
    with app.app_context(), db.write() as session:
        _, secret = create_token(
            session, role="operator", label="matrix seeding", issuer_id=None, now=utc_now()
        )
    return secret
