"""Substantial-holding notices: crossings up and down for each profile, crossings caused only
by a change of the denominator, commands that cross nothing, and replay."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app.append_only import drop_statements
from app.extensions import db
from app.models.notices import Notice
from app.notices.services import SetDisclosureProfile, set_disclosure_profile
from app.register import capital, classes, holders, issuance, transfers
from app.register.errors import InvalidInput
from app.register.replay import ReplayMismatch, replay_and_compare
from app.register.requests import AmendClass, CancelShares, IssueShares, RegisterIssuer
from tests.support.helpers import (
    HOLDER_A,
    HOLDER_B,
    HOLDER_C,
    ORDINARY,
    allocation,
    class_request,
    holder_request,
    issue_request,
    issuer_fields,
    transfer_request,
)
from tests.support.register_driver import Driver, dialect

PREFERENCE = {**ORDINARY, "code": "PREF", "name": "Preference shares"}


class Register:
    """An issuer with class ORD and holders a, b and c, driven one command at a time."""

    def __init__(self, app, jurisdiction: str = "DE", **fields) -> None:
        self.driver = Driver(app)
        fields = {"disclosure_profile": "standard", **fields}  # the jurisdiction's default
        request = RegisterIssuer(**issuer_fields(jurisdiction=jurisdiction, **fields))
        self.issuer_id = self.driver.submit(None, _register_issuer, request)
        with self.driver.command(self.issuer_id) as ctx:
            classes.create_class(ctx, class_request())
            self.a, self.b, self.c = (
                holders.register_holder(ctx, holder_request(details)).holder_id
                for details in (HOLDER_A, HOLDER_B, HOLDER_C)
            )

    def submit(self, service, request):
        return self.driver.submit(self.issuer_id, service, request)

    def issue(self, *allocations: tuple[str, int], class_code: str = "ORD") -> None:
        self.submit(issuance.issue_shares, issue_request(*allocations, class_code=class_code))

    def transfer(self, source: str, target: str, quantity: int) -> None:
        self.submit(transfers.lodge_transfer, transfer_request(source, target, quantity))

    def size(self) -> int:
        return self.driver.log_size(self.issuer_id)

    def notices(self, since: int = 0) -> list[dict]:
        """The notice entries from log index `since`, as the log carries them."""
        return [
            entry.envelope["data"] | {"index": entry.index}
            for entry in self.driver.read(lambda session: _entries(session, self.issuer_id))
            if entry.index >= since and entry.envelope["kind"] == "notice.threshold_crossed"
        ]

    def crossings(self, since: int = 0) -> dict[str, tuple[str, list[str]]]:
        """holder_id -> (direction, thresholds crossed in order) of the notices since `since`."""
        return {n["holder_id"]: (n["direction"], n["thresholds"]) for n in self.notices(since)}


def _register_issuer(ctx, request):
    from app.register.issuers import register_issuer

    return register_issuer(ctx, request).id


def _entries(session, issuer_id):
    from app.ledger.log import read_entries, signed_size

    return read_entries(session, issuer_id, 0, signed_size(session, issuer_id))


def percents(*values: int) -> list[str]:
    return [str(value) for value in values]


# --- each profile, up and down -------------------------------------------------------------


def test_eu_crossings_up_and_down(app):
    company = Register(app, "DE")
    company.issue((company.a, 100))
    (notice,) = company.notices()
    assert notice["holder_id"] == company.a
    assert notice["direction"] == "up"
    assert notice["thresholds"] == percents(5, 10, 15, 20, 25, 30, 50, 75)
    assert notice["threshold"] == "75"
    assert (notice["before"], notice["after"]) == ("0.0000", "100.0000")
    assert notice["profile"] == "eu" and notice["category"] == "substantial"
    start = company.size()
    company.transfer(company.a, company.b, 31)  # a 69%, b 31%
    (transfer_index,) = [start]
    assert company.crossings(start) == {
        company.a: ("down", ["75"]),
        company.b: ("up", percents(5, 10, 15, 20, 25, 30)),
    }
    assert {n["trigger_index"] for n in company.notices(start)} == {transfer_index}
    notice_b = next(n for n in company.notices(start) if n["holder_id"] == company.b)
    assert (notice_b["before"], notice_b["after"], notice_b["threshold"]) == (
        "0.0000",
        "31.0000",
        "30",
    )


def test_uk_every_one_percent_above_three(app):
    company = Register(app, "GB")
    company.issue((company.a, 9_000), (company.b, 1_000))
    assert company.crossings() == {
        company.a: ("up", percents(*range(3, 91))),
        company.b: ("up", percents(*range(3, 11))),
    }
    start = company.size()
    company.transfer(company.b, company.c, 750)  # b 2.5%, c 7.5%
    assert company.crossings(start) == {
        company.b: ("down", percents(10, 9, 8, 7, 6, 5, 4, 3)),
        company.c: ("up", percents(3, 4, 5, 6, 7)),
    }


def test_cn_reports_every_five_percent_and_change_notices_every_one(app):
    company = Register(app, "CN")
    company.issue((company.a, 10_000))
    start = company.size()
    company.transfer(company.a, company.b, 520)  # b 5.2%: a report
    company.transfer(company.a, company.b, 130)  # b 6.5%: a change notice
    notices = {n["after"]: n for n in company.notices(start) if n["holder_id"] == company.b}
    assert notices["5.2000"]["thresholds"] == ["5"]
    assert notices["5.2000"]["category"] == "substantial"
    assert notices["6.5000"]["thresholds"] == ["6"]
    assert notices["6.5000"]["category"] == "change"
    start = company.size()
    company.transfer(company.b, company.a, 200)  # b 4.5%: falls below 6 and 5
    (fall,) = [n for n in company.notices(start) if n["holder_id"] == company.b]
    assert (fall["direction"], fall["thresholds"], fall["category"]) == (
        "down",
        ["6", "5"],
        "substantial",
    )
    # a rose from 93.5% to 95.5%, through 94 and 95
    assert company.crossings(start)[company.a] == ("up", ["94", "95"])


def test_us_five_and_ten_percent(app):
    company = Register(app, "US-DE")
    company.issue((company.a, 1_000))
    assert company.crossings() == {company.a: ("up", ["5", "10"])}
    start = company.size()
    company.transfer(company.a, company.b, 120)  # b 12%, a 88%: a crosses nothing
    assert company.crossings(start) == {company.b: ("up", ["5", "10"])}
    start = company.size()
    company.transfer(company.b, company.c, 71)  # b 4.9%, c 7.1%
    assert company.crossings(start) == {
        company.b: ("down", ["10", "5"]),
        company.c: ("up", ["5"]),
    }


def test_a_share_just_below_a_threshold_has_not_reached_it(app):
    company = Register(app, "DE")
    company.issue((company.a, 249_999), (company.b, 750_001))  # a 24.9999%
    assert company.crossings()[company.a] == ("up", percents(5, 10, 15, 20))
    start = company.size()
    company.transfer(company.b, company.a, 1)  # exactly 25%
    (notice,) = company.notices(start)
    assert (notice["holder_id"], notice["thresholds"]) == (company.a, ["25"])
    assert (notice["before"], notice["after"]) == ("24.9999", "25.0000")


# --- the denominator -----------------------------------------------------------------------


def test_issuing_to_others_moves_every_holders_share(app):
    company = Register(app, "DE")
    company.issue((company.a, 30), (company.b, 70))
    start = company.size()
    company.issue((company.c, 100))  # a 15%, b 35%: neither named by the entry
    issued_at = start
    assert company.crossings(start) == {
        company.a: ("down", ["30", "25", "20"]),
        company.b: ("down", ["50"]),
        company.c: ("up", percents(5, 10, 15, 20, 25, 30, 50)),
    }
    assert {n["trigger_index"] for n in company.notices(start)} == {issued_at}


def test_cancelling_others_shares_raises_a_holders_share(app):
    company = Register(app, "DE")
    company.issue((company.a, 20), (company.b, 80))
    start = company.size()
    request = CancelShares(class_code="ORD", holder_id=company.b, quantity=40, reason="forfeit")
    company.submit(capital.cancel_shares, request)  # a 33.3333%, b 66.6666%
    assert company.crossings(start) == {
        company.a: ("up", ["25", "30"]),
        company.b: ("down", ["75"]),
    }
    notice_a = next(n for n in company.notices(start) if n["holder_id"] == company.a)
    assert notice_a["after"] == "33.3333"


def test_amending_votes_per_share_moves_the_shares_of_votes(app):
    company = Register(app, "DE")
    with company.driver.command(company.issuer_id) as ctx:
        classes.create_class(ctx, class_request(PREFERENCE))
    company.issue((company.a, 50))
    company.issue((company.b, 50), class_code="PREF")
    start = company.size()
    company.submit(classes.amend_class, AmendClass(code="PREF", votes_per_share=3))
    assert company.crossings(start) == {
        company.a: ("down", ["50", "30"]),  # 50% to 25%
        company.b: ("up", ["75"]),  # 50% to 75%
    }


def test_one_notice_per_holder_for_a_whole_batch(app):
    company = Register(app, "DE")
    batch = IssueShares(tuple(allocation(company.a, 10) for _ in range(10)))
    company.submit(issuance.issue_shares, batch)
    (notice,) = company.notices()
    assert notice["thresholds"] == percents(5, 10, 15, 20, 25, 30, 50, 75)
    assert notice["trigger_index"] == company.size() - 2  # the batch's last allocation


# --- nothing crossed, nothing written ------------------------------------------------------


def test_a_command_crossing_nothing_writes_no_notice(app):
    company = Register(app, "DE")
    company.issue((company.a, 60), (company.b, 40))
    start = company.size()
    company.transfer(company.a, company.b, 1)  # 59% and 41%
    kinds = company.driver.kinds_since(company.issuer_id, start, notices=True)
    assert kinds == ["transfer.settled"]
    with company.driver.command(company.issuer_id) as ctx:
        holders.register_holder(ctx, holder_request({**HOLDER_A, "identifier": "X-9"}))
    assert company.notices(start) == []


def test_a_refused_command_records_no_notice(app):
    company = Register(app, "DE")
    before = company.driver.trace(company.issuer_id)
    with pytest.raises(InvalidInput):
        with company.driver.command(company.issuer_id) as ctx:
            issuance.issue_shares(ctx, issue_request((company.a, 100)))
            raise InvalidInput("changed my mind")
    assert company.driver.trace(company.issuer_id) == before


# --- the profile ---------------------------------------------------------------------------


def test_the_profile_set_is_logged_and_used(app):
    company = Register(app, "GB")  # uk by default
    issuer = company.submit(set_disclosure_profile, SetDisclosureProfile("us"))
    assert issuer.disclosure_profile == "us"
    company.issue((company.a, 100))
    assert company.crossings() == {company.a: ("up", ["5", "10"])}
    assert company.notices()[0]["profile"] == "us"


def test_a_legacy_profile_means_the_jurisdictions_default(app):
    company = Register(app, "CN", disclosure_profile="crowdfunding")
    company.issue((company.a, 100))
    assert company.notices()[0]["profile"] == "cn"


def test_a_bad_or_unchanged_profile_is_refused_and_writes_nothing(app):
    company = Register(app, "DE")
    company.submit(set_disclosure_profile, SetDisclosureProfile("eu"))
    before = company.driver.trace(company.issuer_id)
    for bad in ("otc", "EU", "eu"):
        with pytest.raises(InvalidInput) as raised:
            company.submit(set_disclosure_profile, SetDisclosureProfile(bad))
        assert raised.value.details["field"] == "profile"
    assert company.driver.trace(company.issuer_id) == before


# --- replay --------------------------------------------------------------------------------


def _busy_register(app) -> Register:
    company = Register(app, "GB")
    company.issue((company.a, 600), (company.b, 400))
    company.transfer(company.a, company.c, 150)
    company.issue((company.c, 1_000))
    company.submit(set_disclosure_profile, SetDisclosureProfile("eu"))
    company.transfer(company.c, company.b, 700)
    return company


def test_replay_reproduces_the_notices_table(app):
    company = _busy_register(app)
    stored = company.driver.read(
        lambda session: session.scalars(
            select(Notice).where(Notice.issuer_id == company.issuer_id)
        ).all()
    )
    assert len(stored) == len(company.notices()) > 6
    company.driver.replay(company.issuer_id)
    company.driver.verify_log(company.issuer_id)


def test_replay_notices_a_notice_missing_from_the_table(app):
    company = _busy_register(app)
    with app.app_context():
        name = dialect(app)
        with db.engine.begin() as connection:
            for statement in drop_statements(name, "notices"):
                connection.execute(text(statement))
            connection.execute(text("DELETE FROM notices WHERE holder_id = :h"), {"h": company.c})
        with pytest.raises(ReplayMismatch, match="notices"):
            replay_and_compare(db.session, company.issuer_id)


def test_the_notices_table_is_append_only(app):
    company = Register(app, "DE")
    company.issue((company.a, 100))
    with app.app_context(), pytest.raises(Exception, match="append-only"):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE notices SET after = '1.0000'"))
