"""`flask demo` builds realistic registers through the real commands, once."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.ledger import log
from app.models.issuer import Issuer
from app.models.log import LogCheckpoint
from app.models.register import Holder, HolderDetails, Pledge
from app.models.user import User
from tests.support.helpers import bearer

BREWERY = "Harbour Lights Brewing Ltd"
TECH = "Jade River Technology Co., Ltd."
TOKEN = re.compile(r"^\s+(\w+)\s+(.+): (slt_\S+)$")


@pytest.fixture
def demo(app, runner) -> dict:
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        issuers = {issuer.legal_name: issuer.id for issuer in db.session.scalars(select(Issuer))}
    tokens = {
        (match[1], match[2]): match[3]
        for match in (TOKEN.match(line) for line in result.output.splitlines())
        if match
    }
    return {"output": result.output, "issuers": issuers, "tokens": tokens}


def test_demo_builds_verifiable_registers_once(app, runner, demo):
    assert "investor@harbourlights.test" in demo["output"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Holder)) >= 50
        assert db.session.scalar(select(func.count()).select_from(Pledge)) == 1
        assert db.session.scalar(select(func.count()).select_from(User)) == 6
    verify = runner.invoke(args=["log", "verify"])
    assert verify.exit_code == 0, verify.output
    assert verify.output.count("register replayed") == 2
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert again.output == demo["output"]  # nothing created twice; same logins printed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 6


def test_the_regulator_and_each_secretary_get_a_working_token_and_a_dividend_waits(client, demo):
    tokens, issuers = demo["tokens"], demo["issuers"]
    assert set(tokens) == {
        ("regulator", "every issuer"),
        ("secretary", BREWERY),
        ("secretary", TECH),
    }
    regulator = bearer(tokens[("regulator", "every issuer")])
    for issuer_id in issuers.values():
        response = client.get(f"/api/v1/issuers/{issuer_id}/classes", headers=regulator)
        assert response.status_code == 200
    for name, issuer_id in issuers.items():
        secretary = bearer(tokens[("secretary", name)])
        (other,) = set(issuers.values()) - {issuer_id}
        own = client.get(f"/api/v1/issuers/{issuer_id}/holders", headers=secretary)
        assert own.status_code == 200
        assert client.get(f"/api/v1/issuers/{other}/holders", headers=secretary).status_code == 404
    # One dividend is paid; another is declared ahead of its record date.
    listing = client.get(f"/api/v1/issuers/{issuers[BREWERY]}/distributions", headers=regulator)
    assert [d["status"] for d in listing.get_json()["distributions"]] == ["fixed", "declared"]


def _members(issuer_id: str) -> list[tuple[Holder, HolderDetails]]:
    query = (
        select(Holder, HolderDetails)
        .join(
            HolderDetails,
            (HolderDetails.issuer_id == Holder.issuer_id)
            & (HolderDetails.holder_id == Holder.holder_id),
        )
        .where(Holder.issuer_id == issuer_id)
    )
    return [(holder, details) for holder, details in db.session.execute(query)]


def _entries(issuer_id: str) -> list[dict]:
    size = log.signed_size(db.session, issuer_id)
    return [entry.envelope for entry in log.read_entries(db.session, issuer_id, 0, size)]


def _check_members(app, demo: dict, name: str) -> None:
    with app.app_context():
        members = _members(demo["issuers"][name])
    details = [d for _, d in members]
    entities = [d.name for d in details if d.holder_type == "entity"]
    assert len(entities) >= 4
    assert sum(d.holder_type == "person" for d in details) >= 25
    assert len({d.country for d in details}) >= 4
    assert any(holder.ceased_on is not None for holder, _ in members)
    names = Counter(d.name for d in details)
    namesakes = {n: count for n, count in names.items() if count > 1}
    if name == BREWERY:
        assert any("Trust" in entity for entity in entities)
        assert any(d.joint_holders for d in details)
        # The one pair of namesakes, meant, and printed with their member numbers.
        assert namesakes == {"James Wilson": 2}
        # Member numbers are the order of entry (the register's own numbering).
        entered = sorted(members, key=lambda m: (m[0].registered_index, m[0].holder_id))
        numbers = {holder.holder_id: n for n, (holder, _) in enumerate(entered, start=1)}
        for holder, d in members:
            if d.name == "James Wilson":
                number = numbers[holder.holder_id]
                assert f"member No. {number} ({d.address})" in demo["output"]
    else:
        assert namesakes == {}
    identifiers = Counter(d.identifier for d in details)
    assert max(identifiers.values()) == 1


def _check_history(app, demo: dict, name: str) -> None:
    issuer_id = demo["issuers"][name]
    with app.app_context():
        entries = _entries(issuer_id)
        signed = list(
            db.session.scalars(
                select(LogCheckpoint.created_at).where(LogCheckpoint.issuer_id == issuer_id)
            )
        )
    minutes = [moment.replace(second=0, microsecond=0) for moment in signed]
    assert len(set(minutes)) == len(minutes)  # no two commands in the same minute
    assert max(signed) - min(signed) > timedelta(days=45)
    trades = [e["data"] for e in entries if e["kind"] == "transfer.settled"]
    assert len(trades) >= 12
    sizes = {int(t["quantity"]) for t in trades}
    prices = {Decimal(t["consideration"]) / int(t["quantity"]) for t in trades}
    assert len(sizes) >= 10
    assert len({price.quantize(Decimal("0.01")) for price in prices}) >= 8
    assert max(sizes) >= 10 * min(sizes)
    assert any(e["kind"] == "holder.ceased" for e in entries)


def test_members_are_people_companies_and_trusts_of_several_countries_trading_for_months(app, demo):
    """Each issuer: entities and people from several countries, ceased members, no namesakes
    but the pair meant; a history over months, no two commands in a minute, trades of varied
    sizes and prices."""
    for name in (BREWERY, TECH):
        _check_members(app, demo, name)
        _check_history(app, demo, name)


def test_the_printed_addresses_are_where_the_demo_is_served(app, runner):
    """`make run PORT=5055` serves on 5055: the logins and the example must say so."""
    app.config["PUBLIC_URL"] = "http://127.0.0.1:5055"
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Demo logins at http://127.0.0.1:5055/login" in result.output
    assert "http://127.0.0.1:5055/api/v1/issuers/" in result.output
    assert ":5000" not in result.output
