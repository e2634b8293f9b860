"""The secretary's rules editor through the Flask test client: a preview of the holders the
proposed rules would put in breach (writing nothing), saving them as one `rules.changed`,
bad input said next to its field, and who may open the page."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.ledger import log
from app.ledger.log import utc_now
from app.transfers import checks, rules
from tests.support.logins import make_login
from tests.test_web_workflow import ADA, SECRETARY, build_register, log_in, words

REGULATOR = "reg@example.test"
EMPTY_RULES = {
    "lockup_until": "",
    "allowed_countries": "",
    "blocked_countries": "",
    "max_holders": "",
    "max_vote_percentage": "",
    "minimum_lot": "",
    "approval_above": "",
}


@pytest.fixture
def register(app, new_issuer):
    built = build_register(app, new_issuer)
    make_login(app, REGULATOR, "regulator", display_name="Regulator")
    return built


def _url(register) -> str:
    return f"/issuers/{register.issuer_id}/classes/ORD/rules"


def _log_size(app, register) -> int:
    with app.app_context():
        return log.get_state(db.session, register.issuer_id).tree_size


def _kinds(app, register) -> list[str]:
    with app.app_context():
        size = log.get_state(db.session, register.issuer_id).tree_size
        entries = log.read_entries(db.session, register.issuer_id, 0, size)
        return [entry.envelope["kind"] for entry in entries]


def _token(page: str) -> str:
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)


def _text(page: str) -> str:
    """What a reader sees of a page: its words without the markup."""
    return words(re.sub(r"<[^>]+>", " ", page))


def _proposal(client, register, action: str, **fields) -> tuple[int, str]:
    token = _token(client.get(_url(register)).get_data(as_text=True))
    data = {**EMPTY_RULES, "form_token": token, "action": action, **fields}
    response = client.post(_url(register), data=data)
    return response.status_code, _text(response.get_data(as_text=True))


def test_preview_names_the_breaching_holder_and_writes_nothing(app, client, register):
    log_in(client, SECRETARY)
    before = _log_size(app, register)
    status, text = _proposal(client, register, "preview", kyc_required="y", minimum_lot="100")
    assert status == 200
    assert _log_size(app, register) == before
    assert "1 current holder would breach the proposed rules" in text
    assert f"Ada Lovelace {register.ada_number:,}" in text
    assert "Ada Lovelace's identity has not been verified (KYC)" in text
    assert register.ada not in text
    assert "Brunel Engineering Ltd" not in text.split("Holders who would breach")[1]
    with app.app_context():
        assert rules.current_rules(db.session, register.issuer_id, "ORD").version == 0


def test_preview_uses_the_checks_of_a_rule_change(app, register):
    proposed = rules.RuleSet(blocked_countries=("GB",), max_holders=1)
    with app.app_context():
        found = checks.preview_breaches(db.session, register.issuer_id, "ORD", proposed)
        saved = checks.breaches(db.session, register.issuer_id, "ORD", rules.Versioned(1, proposed))
    assert found == saved
    assert [(breach.holder_id, breach.rule) for breach in found] == [
        (register.ada, "blocked_countries")
    ]


def test_save_writes_one_rules_change_and_reports_the_breaches(app, client, register):
    log_in(client, SECRETARY)
    before = _kinds(app, register)
    status, text = _proposal(
        client, register, "save", kyc_required="y", allowed_countries="gb, ie", minimum_lot="50"
    )
    assert status == 200
    assert _kinds(app, register) == [*before, "rules.changed"]
    log_index = len(before)
    assert f"The rules are now version 1, log entry {log_index}" in text
    assert f"Ada Lovelace {register.ada_number:,}" in text
    assert f"1 {utc_now():%Y-%m-%d}" in text.split("Version history")[1]
    with app.app_context():
        current = rules.current_rules(db.session, register.issuer_id, "ORD")
    assert current.version == 1
    assert current.rules == rules.RuleSet(
        kyc_required=True, allowed_countries=("GB", "IE"), minimum_lot=50
    )


def test_the_same_save_sent_twice_is_carried_out_once(app, client, register):
    log_in(client, SECRETARY)
    token = _token(client.get(_url(register)).get_data(as_text=True))
    data = {**EMPTY_RULES, "form_token": token, "action": "save", "minimum_lot": "10"}
    assert client.post(_url(register), data=data).status_code == 200
    again = client.post(_url(register), data=data)
    assert again.status_code == 409
    assert "already sent" in _text(again.get_data(as_text=True))
    assert _kinds(app, register).count("rules.changed") == 1


@pytest.mark.parametrize("action", ["preview", "save"])
def test_bad_input_is_said_next_to_its_field_and_writes_nothing(app, client, register, action):
    log_in(client, SECRETARY)
    before = _log_size(app, register)
    status, text = _proposal(client, register, action, allowed_countries="GB, XX", minimum_lot="-5")
    assert status == 422
    assert _log_size(app, register) == before
    page = client.post(
        _url(register),
        data={**EMPTY_RULES, "action": action, "allowed_countries": "GB, XX", "minimum_lot": "-5"},
    ).get_data(as_text=True)
    lot_errors = re.search(r'id="minimum_lot-errors">(.*?)</ul>', page, re.S).group(1)
    assert "at least 1 share" in _text(lot_errors)
    countries_errors = re.search(r'id="allowed_countries-errors">(.*?)</ul>', page, re.S)
    assert "XX is not an ISO 3166-1 country code" in _text(countries_errors.group(1))
    assert 'aria-describedby="minimum_lot-hint minimum_lot-errors"' in page
    assert "Holders who would breach" not in text


def test_contradicting_countries_are_refused_by_the_rules_own_checks(app, client, register):
    log_in(client, SECRETARY)
    status, text = _proposal(
        client, register, "save", allowed_countries="GB", blocked_countries="GB"
    )
    assert status == 422
    assert "countries both allowed and blocked: GB" in text
    assert "rules.changed" not in _kinds(app, register)


def test_a_supervisor_reads_the_rules_but_may_not_change_them(app, client, register):
    log_in(client, SECRETARY)
    _proposal(client, register, "save", minimum_lot="25")
    log_in(client, REGULATOR)
    page = client.get(_url(register))
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<fieldset disabled" in text and 'value="25"' in text
    assert 'name="action"' not in text
    refused = client.post(_url(register), data={**EMPTY_RULES, "action": "save"})
    assert refused.status_code == 403
    assert _kinds(app, register).count("rules.changed") == 1


def test_an_investor_and_an_anonymous_user_are_refused(app, client, register):
    before = _log_size(app, register)
    anonymous = client.post(_url(register), data={**EMPTY_RULES, "action": "save"})
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get(_url(register)).status_code == 302
    log_in(client, ADA)
    assert client.get(_url(register)).status_code == 403
    data = {**EMPTY_RULES, "action": "save", "trading_halted": "y"}
    assert client.post(_url(register), data=data).status_code == 403
    assert _log_size(app, register) == before


def test_the_register_links_to_each_class_rules(client, register):
    log_in(client, SECRETARY)
    page = client.get(f"/issuers/{register.issuer_id}").get_data(as_text=True)
    assert f'href="{_url(register)}"' in page
    log_in(client, SECRETARY)
    assert client.get(f"/issuers/{register.issuer_id}/classes/NOPE/rules").status_code == 404
