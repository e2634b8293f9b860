"""`flask demo`: load demonstration registers and logins (once), then print how to log in.

The registers are built through the real commands, as a secretary would, with the ledger's
clock set back so that the history spans the last few months, command after command at
varied times of day (a paid distribution needs a record date that has passed).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.auth.tokens import create_token
from app.auth.users import create_user
from app.cli.demo_data import (
    BREWERY_ENTITIES,
    CN,
    DE,
    FR,
    GB,
    HK,
    IE,
    SG,
    TECH_ENTITIES,
    US,
    People,
)
from app.cli.demo_market import Market, spread
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
    members,
    queries,
    reorganisation,
    restrictions,
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
    RedeemShares,
    RegisterHolder,
    RegisterIssuer,
    RegisterPledge,
    ReorganiseClass,
    RepurchaseShares,
)

DEMO_PASSWORD = "demo-password"
ACTOR = "operator:demo"
DAYS_OF_HISTORY = 200
OPENS, CLOSES = 8, 18  # office hours (UTC) of the demo's secretaries
NAMESAKES = ("14 Church Street, Leeds LS1", "7 Marine Parade, Scarborough YO11")

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
    """A clock the demo moves forward by hand, from some months ago, in steps of days plus a
    few minutes and seconds (so that no two commands share a minute), within office hours on
    working days."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = (utc_now() - timedelta(days=DAYS_OF_HISTORY)).replace(
            hour=OPENS, minute=0, second=0, microsecond=0
        )

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: float) -> None:
        jitter = timedelta(minutes=self.rng.randint(3, 95), seconds=self.rng.randint(0, 59))
        moment = self.now + timedelta(days=days) + jitter
        if moment.hour >= CLOSES:
            moment = (moment + timedelta(days=1)).replace(hour=OPENS) + jitter
        elif moment.hour < OPENS:
            moment = moment.replace(hour=OPENS) + jitter
        while moment.weekday() >= 5:  # Saturday, Sunday
            moment += timedelta(days=1)
        self.now = min(moment, utc_now())


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
        clock = DemoClock(random.Random(3))
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
    """A crowdfunded brewery: founders, angels and a family trust, a crowd round from several
    countries, B shares, trading, members who sold out and ceased, a split, a pledge, a
    freeze, a redemption for beer, a dividend paid and one declared ahead of its record
    date."""
    issuer_id = _register_issuer(clock, BREWERY)
    for share_class in (
        CreateClass(code="ORD", name="Ordinary shares", votes_per_share=1,
                    par_value=Decimal("0.01"), currency="GBP", authorised=5_000_000),
        CreateClass(code="B", name="B shares (non-voting, beer club)", votes_per_share=0,
                    par_value=Decimal("0.01"), currency="GBP", authorised=200_000),
    ):  # fmt: skip
        _submit(clock, 0.1, issuer_id, classes.create_class, share_class)
    people = People(rng)
    founders = [
        people.person(
            GB, name="Maggie Thornton", address="Cliff House, 2 East Terrace, Whitby YO21"
        ),
        people.person(GB, name="Dev Anand", joint_holders=["Priya Anand"]),
    ]
    crowd = people.crowd([(GB, 0.7), (IE, 0.1), (FR, 0.07), (DE, 0.07), (US, 0.06)], 40)
    # Namesakes, meant: two members called James Wilson, told apart by member number.
    crowd += [people.person(GB, name="James Wilson", address=address) for address in NAMESAKES]
    crowd.append(people.person(GB, name="Rosie Hall", joint_holders=["Tom Hall"]))
    founder_ids = _register_people(clock, issuer_id, founders)
    entity_ids = _register_people(clock, issuer_id, BREWERY_ENTITIES)
    angels, trust, energy, dekat, hops = entity_ids
    market = Market(partial(_submit, clock), issuer_id, "GBP", "STF-HLB")
    rounds = [
        ([_allot(founder_ids[0], 600_000, "Incorporation"),
          _allot(founder_ids[1], 400_000, "Incorporation")], 1),
        ([_allot(angels, 120_000, "Seed round 2025", "0.50", "GBP"),
          _allot(trust, 50_000, "Seed round 2025", "0.50", "GBP")], 6.5),
    ]  # fmt: skip
    for allocations, days in rounds:
        _issue(clock, days, issuer_id, allocations)
        market.allotted(allocations)
    crowd_ids = _register_people(clock, issuer_id, crowd)
    crowd_round = [
        _allot(holder_id, spread(rng, 250, 40_000, 50), "Crowd round 2026", "1.20", "GBP")
        for holder_id in crowd_ids
    ] + [
        _allot(holder_id, quantity, "Crowd round 2026", "1.20", "GBP")
        for holder_id, quantity in ((energy, 25_000), (dekat, 60_000), (hops, 8_000))
    ]
    _issue(clock, 13.5, issuer_id, crowd_round)
    market.allotted(crowd_round)
    beer_club = [
        _allot(holder_id, rng.choice((500, 1_000, 1_000, 2_000)), "Beer club", "1.00", "GBP",
               class_code="B")
        for holder_id in crowd_ids[:8]
    ]  # fmt: skip
    _issue(clock, 3, issuer_id, beer_club)
    traders = [*crowd_ids[8:30], angels, dekat]
    market.random_trades(rng, traders, 12, ("1.15", "1.65"))
    market.sell_out_and_cease(2.5, crowd_ids[30], crowd_ids[31], Decimal("1.48"))
    market.sell_out_and_cease(3.2, hops, dekat, Decimal("1.52"))
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
                                currency="GBP", record_date=record_date,
                                payment_date=record_date + timedelta(days=14)))  # fmt: skip
    interim_record_date = utc_now().date() + timedelta(days=21)  # declared ahead: not fixed yet
    _submit(clock, 6, issuer_id, distributions.declare_distribution,
            DeclareDistribution(class_code="ORD", amount_per_share=Decimal("0.0075"),
                                currency="GBP", record_date=interim_record_date,
                                payment_date=interim_record_date + timedelta(days=14)))  # fmt: skip
    namesakes = [holder_id for holder_id, person in zip(crowd_ids, crowd, strict=True)
                 if person["name"] == "James Wilson"]  # fmt: skip
    return {
        "issuer_id": issuer_id,
        "investor": crowd_ids[1],
        "investor_details": crowd[1],
        "namesakes": [(holder_id, NAMESAKES[n]) for n, holder_id in enumerate(namesakes)],
    }


def build_tech(clock: DemoClock, rng: random.Random) -> dict:
    """An OTC-traded technology company with holders in China, Hong Kong, Singapore and the
    US: founders, a Series A with funds among the investors, trading, a member who sold out,
    a buy-back and a freeze."""
    issuer_id = _register_issuer(clock, TECH)
    _submit(clock, 0.1, issuer_id, classes.create_class, CreateClass(
        code="ORD", name="普通股 Ordinary shares", votes_per_share=1, par_value=Decimal("1.00"),
        currency="CNY", authorised=100_000_000,
    ))  # fmt: skip
    people = People(rng)
    founders = [people.person(CN) for _ in range(2)]
    investors = people.crowd([(CN, 0.75), (HK, 0.1), (SG, 0.08), (US, 0.07)], 28)
    founder_ids = _register_people(clock, issuer_id, founders)
    market = Market(partial(_submit, clock), issuer_id, "CNY", "OTC-JRT")
    incorporation = [_allot(founder_ids[0], 12_000_000, "Incorporation"),
                     _allot(founder_ids[1], 8_000_000, "Incorporation")]  # fmt: skip
    _issue(clock, 1, issuer_id, incorporation)
    market.allotted(incorporation)
    holder_ids = _register_people(clock, issuer_id, investors)
    fund_ids = _register_people(clock, issuer_id, TECH_ENTITIES)
    series_a = [
        _allot(holder_id, spread(rng, 10_000, 2_000_000, 100), "Series A", "3.50", "CNY")
        for holder_id in holder_ids
    ] + [
        _allot(holder_id, spread(rng, 1_500_000, 6_000_000, 10_000), "Series A", "3.50", "CNY")
        for holder_id in fund_ids
    ]
    _issue(clock, 2, issuer_id, series_a)
    market.allotted(series_a)
    # The investor login, the buy-back and the freeze below keep out of the market.
    traders = holder_ids[8:] + fund_ids
    market.random_trades(rng, traders, 14, ("3.80", "5.60"))
    seller = next(
        holder_id
        for holder_id, person in zip(holder_ids, investors, strict=True)
        if holder_id in traders and person["country"] != "CN" and market.held[holder_id]
    )
    market.sell_out_and_cease(2.7, seller, fund_ids[0], Decimal("5.10"))
    _submit(clock, 2, issuer_id, capital.repurchase_shares,
            RepurchaseShares(class_code="ORD", holder_id=holder_ids[3], quantity=2_000,
                             price_per_share=Decimal("4.10"), currency="CNY"))  # fmt: skip
    _submit(clock, 1, issuer_id, restrictions.freeze,
            ChangeFreeze(class_code="ORD", holder_id=holder_ids[7], quantity=3_000,
                         reason="Regulatory hold CSRC-2026-88"))  # fmt: skip
    return {"issuer_id": issuer_id, "investor": holder_ids[0], "investor_details": investors[0]}


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
    tokens = [
        ("regulator", None, "every issuer"),
        ("secretary", brewery["issuer_id"], BREWERY["legal_name"]),
        ("secretary", tech["issuer_id"], TECH["legal_name"]),
    ]
    served_at = current_app.config["PUBLIC_URL"]
    lines = [f"Demo logins at {served_at}/login (password for all: {DEMO_PASSWORD}):"]
    token_lines = ["Demo API tokens (Authorization: Bearer <token>):"]
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
        secrets = {}
        for role, issuer_id, of in tokens:
            label = f"demo {role} of {of}"
            _, secrets[(role, issuer_id)] = create_token(
                session, role=role, label=label, issuer_id=issuer_id, now=now
            )
            token_lines.append(f"  {role:10} {of}: {secrets[(role, issuer_id)]}")
        namesakes = "; ".join(
            f"member No. {members.member_number(session, brewery['issuer_id'], holder_id)} "
            f"({address})"
            for holder_id, address in brewery["namesakes"]
        )
    regulator = secrets[("regulator", None)]
    return [
        *lines,
        f"Namesakes meant: two members called James Wilson at {BREWERY['legal_name']}: {namesakes}",
        *token_lines,
        f"  e.g. curl -H 'Authorization: Bearer {regulator}' -H 'X-Purpose: demo review' "
        f"{served_at}/api/v1/issuers/{brewery['issuer_id']}/snapshot",
    ]
