"""`flask demo`: load demonstration registers and logins (once), then print how to log in.

The registers are built through the real commands, as a secretary would, with the ledger's
clock set back so that the history spans the last few months (a distribution needs a record
date that has passed).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.auth.tokens import create_token
from app.auth.users import create_user
from app.cli.demo_data import cn_person, gb_person
from app.commands import command
from app.extensions import db
from app.ledger.log import utc_now
from app.register import (
    capital,
    classes,
    distributions,
    holders,
    issuance,
    issuers,
    queries,
    reorganisation,
    restrictions,
    transfers,
)
from app.register.requests import (
    Allocation,
    ChangeFreeze,
    Consideration,
    CreateClass,
    DeclareDistribution,
    FractionTerms,
    HolderDetails,
    IssueShares,
    LodgeTransfer,
    RedeemShares,
    RegisterHolder,
    RegisterIssuer,
    RegisterPledge,
    ReorganiseClass,
    RepurchaseShares,
)

DEMO_PASSWORD = "demo-password"
ACTOR = "operator:demo"
DAYS_OF_HISTORY = 120

BREWERY = {
    "legal_name": "Harbour Lights Brewing Ltd",
    "registration_number": "09876543",
    "jurisdiction": "GB",
    "disclosure_profile": "crowdfunding",
}
TECH = {
    "legal_name": "Jade River Technology Co., Ltd.",
    "registration_number": "91330100MA2H3K4L5X",
    "jurisdiction": "CN",
    "disclosure_profile": "otc",
}


class DemoClock:
    """A clock the demo moves forward by hand, from some months ago."""

    def __init__(self) -> None:
        self.now = (utc_now() - timedelta(days=DAYS_OF_HISTORY)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        self.now = min(self.now + timedelta(days=days), utc_now())


@click.command("demo")
@with_appcontext
def demo_cli() -> None:
    """Load demonstration registers and logins (once), then print how to log in."""
    for line in load_demo():
        click.echo(line)


def _credentials_file() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.txt"


def load_demo() -> list[str]:
    """Create the demo data unless it exists; return the lines that tell how to log in."""
    exists = queries.issuer_named(db.session, BREWERY["legal_name"])
    if exists is None or not _credentials_file().exists():
        clock = DemoClock()
        current_app.config["LEDGER_CLOCK"] = clock
        try:
            brewery = build_brewery(clock, random.Random(7))
            tech = build_tech(clock, random.Random(11))
        finally:
            current_app.config.pop("LEDGER_CLOCK")
        lines = _create_logins(brewery, tech)
        _credentials_file().parent.mkdir(parents=True, exist_ok=True)
        _credentials_file().write_text("\n".join(lines) + "\n")
    return _credentials_file().read_text().splitlines()


def _submit(clock: DemoClock, days: float, issuer_id: str | None, service, request):
    """Run one command `days` after the previous one (a service taking a typed request)."""
    clock.advance(days)
    with command(ACTOR, issuer_id) as ctx:
        return service(ctx, request)


def _register_issuer(clock: DemoClock, fields: dict) -> str:
    return _submit(clock, 0.5, None, issuers.register_issuer, RegisterIssuer(**fields)).id


def _allot(
    holder_id: str,
    quantity: int,
    reference: str,
    price: str | None = None,
    currency: str | None = None,
    class_code: str = "ORD",
) -> Allocation:
    return Allocation(
        class_code=class_code,
        holder_id=holder_id,
        quantity=quantity,
        price_per_share=None if price is None else Decimal(price),
        currency=currency,
        reference=reference,
    )


def _register_people(clock: DemoClock, issuer_id: str, people: list[dict]) -> list[str]:
    def register_all(ctx, requests):
        return [holders.register_holder(ctx, request).holder_id for request in requests]

    requests = [RegisterHolder(HolderDetails.of(person)) for person in people]
    return _submit(clock, 1, issuer_id, register_all, requests)


def _issue(clock: DemoClock, days: float, issuer_id: str, allocations: list[Allocation]):
    return _submit(clock, days, issuer_id, issuance.issue_shares, IssueShares(tuple(allocations)))


def build_brewery(clock: DemoClock, rng: random.Random) -> dict:
    """A crowdfunded brewery: founders, a crowd round, B shares, trading, a split, a pledge,
    a freeze, a redemption for beer and a dividend."""
    issuer_id = _register_issuer(clock, BREWERY)
    for share_class in (
        CreateClass(code="ORD", name="Ordinary shares", votes_per_share=1,
                    par_value=Decimal("0.01"), currency="GBP", authorised=5_000_000),
        CreateClass(code="B", name="B shares (non-voting, beer club)", votes_per_share=0,
                    par_value=Decimal("0.01"), currency="GBP", authorised=200_000),
    ):  # fmt: skip
        _submit(clock, 0.1, issuer_id, classes.create_class, share_class)
    founders = [
        {**gb_person(rng, 1), "name": "Maggie Thornton"},
        {**gb_person(rng, 2), "name": "Dev Anand", "joint_holders": ["Priya Anand"]},
    ]
    crowd = [gb_person(rng, n) for n in range(3, 48)]
    founder_ids = _register_people(clock, issuer_id, founders)
    crowd_ids = _register_people(clock, issuer_id, crowd)
    incorporation = [
        _allot(founder_ids[0], 600_000, "Incorporation"),
        _allot(founder_ids[1], 400_000, "Incorporation"),
    ]
    _issue(clock, 1, issuer_id, incorporation)
    crowd_round = [
        _allot(
            holder_id, rng.randrange(500, 20_000, 50), "Crowd round 2026", "1.20", currency="GBP"
        )
        for holder_id in crowd_ids
    ]
    _issue(clock, 14, issuer_id, crowd_round)
    beer_club = [
        _allot(holder_id, 1_000, "Beer club", "1.00", currency="GBP", class_code="B")
        for holder_id in crowd_ids[:8]
    ]
    _issue(clock, 3, issuer_id, beer_club)
    for n in range(8):
        seller, buyer = rng.sample(crowd_ids, 2)
        _submit(clock, 2, issuer_id, transfers.lodge_transfer, LodgeTransfer(
            class_code="ORD", from_holder_id=seller, to_holder_id=buyer, quantity=250,
            instrument_reference=f"STF-2026-{n + 1:03d}", consideration=Decimal("330.00"),
            currency="GBP",
        ))  # fmt: skip
    _submit(clock, 5, issuer_id, reorganisation.split_class,
            ReorganiseClass("ORD", FractionTerms("2:1", "round_half_up")))  # fmt: skip
    _submit(clock, 3, issuer_id, restrictions.register_pledge,
            RegisterPledge(class_code="ORD", holder_id=founder_ids[0], quantity=200_000,
                           pledgee="Northern Bank plc, facility 2026-77"))  # fmt: skip
    _submit(clock, 2, issuer_id, restrictions.freeze,
            ChangeFreeze(class_code="ORD", holder_id=crowd_ids[4], quantity=1_000,
                         reason="Court order 2026/123 (probate)"))  # fmt: skip
    beer = Consideration(type="products_or_services",
                         description="48 bottles of Harbour Lights IPA")  # fmt: skip
    _submit(clock, 4, issuer_id, capital.redeem_shares,
            RedeemShares(class_code="B", holder_id=crowd_ids[0], quantity=200,
                         consideration=beer))  # fmt: skip
    record_date = (clock.now - timedelta(days=1)).date()
    _submit(clock, 3, issuer_id, distributions.declare_distribution,
            DeclareDistribution(class_code="ORD", amount_per_share=Decimal("0.015"),
                                currency="GBP", record_date=record_date))  # fmt: skip
    return {"issuer_id": issuer_id, "investor": crowd_ids[1], "investor_details": crowd[1]}


def build_tech(clock: DemoClock, rng: random.Random) -> dict:
    """An OTC-traded technology company: issuance, trading, a buy-back and a freeze."""
    issuer_id = _register_issuer(clock, TECH)
    _submit(clock, 0.1, issuer_id, classes.create_class, CreateClass(
        code="ORD", name="普通股 Ordinary shares", votes_per_share=1, par_value=Decimal("1.00"),
        currency="CNY", authorised=100_000_000,
    ))  # fmt: skip
    people = [cn_person(rng, n) for n in range(1, 26)]
    holder_ids = _register_people(clock, issuer_id, people)
    series_a = [
        _allot(holder_id, rng.randrange(10_000, 2_000_000, 100), "Series A", "3.50", currency="CNY")
        for holder_id in holder_ids
    ]
    _issue(clock, 1, issuer_id, series_a)
    for n in range(10):
        seller, buyer = rng.sample(holder_ids, 2)
        _submit(clock, 1.5, issuer_id, transfers.lodge_transfer, LodgeTransfer(
            class_code="ORD", from_holder_id=seller, to_holder_id=buyer, quantity=5_000,
            instrument_reference=f"OTC-{n + 1:04d}", consideration=Decimal("21000.00"),
            currency="CNY",
        ))  # fmt: skip
    _submit(clock, 2, issuer_id, capital.repurchase_shares,
            RepurchaseShares(class_code="ORD", holder_id=holder_ids[3], quantity=2_000,
                             price_per_share=Decimal("4.10"), currency="CNY"))  # fmt: skip
    _submit(clock, 1, issuer_id, restrictions.freeze,
            ChangeFreeze(class_code="ORD", holder_id=holder_ids[7], quantity=3_000,
                         reason="Regulatory hold CSRC-2026-88"))  # fmt: skip
    return {"issuer_id": issuer_id, "investor": holder_ids[0], "investor_details": people[0]}


def _create_logins(brewery: dict, tech: dict) -> list[str]:
    now = utc_now()
    accounts = [
        ("operator@demo.shareledger.test", "Olive Operator", "operator", None, None),
        ("regulator@demo.shareledger.test", "Rita Regulator", "regulator", None, None),
        ("secretary@harbourlights.test", "Sam Secretary", "secretary", brewery["issuer_id"], None),
        ("secretary@jaderiver.test", "Lin Secretary", "secretary", tech["issuer_id"], None),
        ("investor@harbourlights.test", brewery["investor_details"]["name"], "investor",
         brewery["issuer_id"], brewery["investor"]),
        ("investor@jaderiver.test", tech["investor_details"]["name"], "investor",
         tech["issuer_id"], tech["investor"]),
    ]  # fmt: skip
    lines = [f"Demo logins at http://127.0.0.1:5000/login (password for all: {DEMO_PASSWORD}):"]
    with db.write() as session:
        for email, name, role, issuer_id, holder_id in accounts:
            create_user(
                session,
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                role=role,
                issuer_id=issuer_id,
                holder_id=holder_id,
                now=now,
            )
            lines.append(f"  {role:10} {email}")
        _, secret = create_token(
            session, role="regulator", label="demo regulator", issuer_id=None, now=now
        )
    lines += [
        "Demo regulator API token (Authorization: Bearer <token>):",
        f"  {secret}",
        f"  e.g. curl -H 'Authorization: Bearer {secret}' "
        f"http://127.0.0.1:5000/api/v1/issuers/{brewery['issuer_id']}/snapshot",
    ]
    return lines
