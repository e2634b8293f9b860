"""The SMTP sender against a real SMTP server (aiosmtpd): delivery, retries with backoff after
the server was down, giving up, a refused recipient, stale claims, concurrent senders that
deliver each message exactly once, and the CLI."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, select, update

from app.db import make_engine
from app.extensions import db
from app.models.notifications import FAILED, PENDING, SENDING, SENT, Notification
from app.notifications.sender import CLAIM_LEASE, RetryPolicy, Sender, run
from app.transfers import workflow
from tests.support.helpers import Clock, set_clock
from tests.support.notifications import Firm, make_firm
from tests.support.register_driver import dialect
from tests.support.smtp import SmtpServer, running_smtp_server

START = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
PUBLIC_URL = "https://register.example.test"


@pytest.fixture
def clock(app) -> Clock:
    return set_clock(app, START)


@pytest.fixture
def smtp_server():
    yield from running_smtp_server()


@pytest.fixture
def firm(app, clock, new_issuer) -> Firm:
    return make_firm(app, new_issuer(legal_name="Mailing Widgets plc")["id"])


def db_engine(app):
    with app.app_context():
        return db.engine


def sender_for(app, server, clock, **options) -> Sender:
    return Sender(db_engine(app), server.settings, public_url=PUBLIC_URL, clock=clock, **options)


def row(app, key: tuple[str, str]) -> Notification:
    with app.app_context():
        return db.session.get(Notification, key)


def test_delivery_sends_each_pending_row_once_and_marks_it_sent(app, firm, clock, smtp_server):
    firm.instruct(40)
    (queued,) = firm.rows("b")
    sender = sender_for(app, smtp_server, clock)
    clock.now = START + timedelta(seconds=30)
    report = sender.send_due()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    (received,) = smtp_server.received
    assert received.recipients == [firm.emails["b"]]
    assert received.message["To"] == firm.emails["b"]
    assert received.subject == "A transfer to you awaits your acceptance"
    assert received.message_id == f"<{queued.id}@register.example.test>"
    body = received.message.get_content()
    assert "40 ORD shares in Mailing Widgets plc" in body
    assert f"{PUBLIC_URL}/me/" in body
    sent = row(app, (firm.issuer_id, queued.id))
    assert (sent.state, sent.attempts, sent.sent_at, sent.claim_token) == (SENT, 1, clock.now, None)
    # Nothing is due any more: a second pass sends nothing.
    assert sender.send_due().attempted == 0
    assert len(smtp_server.received) == 1


def test_a_server_that_is_down_means_a_retry_later_with_backoff(app, firm, clock, smtp_server):
    firm.instruct(40)
    (queued,) = firm.rows("b")
    key = (firm.issuer_id, queued.id)
    sender = sender_for(app, smtp_server, clock)
    smtp_server.stop()
    report = sender.send_due()
    assert (report.sent, report.retried) == (0, 1)
    waiting = row(app, key)
    assert (waiting.state, waiting.attempts) == (PENDING, 1)
    assert waiting.next_attempt_at == START + timedelta(minutes=1)
    assert "ConnectionRefusedError" in waiting.last_error
    # Up again, but the retry is not due yet: nothing is tried.
    smtp_server.start()
    clock.now = START + timedelta(seconds=59)
    assert sender.send_due().attempted == 0
    assert smtp_server.received == []
    # Down again at the second attempt: the delay doubles.
    smtp_server.stop()
    clock.now = START + timedelta(minutes=1)
    assert sender.send_due().retried == 1
    assert row(app, key).next_attempt_at == clock.now + timedelta(minutes=2)
    smtp_server.start()
    clock.now += timedelta(minutes=2)
    assert sender.send_due().sent == 1
    delivered = row(app, key)
    assert (delivered.state, delivered.attempts) == (SENT, 3)
    assert [received.subject for received in smtp_server.received] == [queued.subject]


def test_a_row_is_given_up_after_the_last_attempt(app, firm, clock, smtp_server):
    firm.instruct(40)
    (queued,) = firm.rows("b")
    sender = sender_for(app, smtp_server, clock, policy=RetryPolicy(max_attempts=2))
    smtp_server.stop()
    assert sender.send_due().retried == 1
    clock.now += timedelta(minutes=1)
    assert sender.send_due().failed == 1
    given_up = row(app, (firm.issuer_id, queued.id))
    assert (given_up.state, given_up.attempts) == (FAILED, 2)
    smtp_server.start()
    clock.now += timedelta(days=1)
    assert sender.send_due().attempted == 0
    assert smtp_server.received == []


def test_a_refused_recipient_does_not_hold_back_the_others(app, firm, clock, smtp_server):
    tid = firm.instruct(40)
    firm.step(workflow.accept, tid, party=firm.b)  # both secretaries are told
    smtp_server.inbox.refuse.add(firm.emails["sec1"])
    report = sender_for(app, smtp_server, clock).send_due()
    assert (report.sent, report.retried) == (2, 1)
    assert [refused.state for refused in firm.rows("sec1")] == [PENDING]
    assert "SMTPRecipientsRefused" in firm.rows("sec1")[0].last_error
    assert [sent.state for sent in firm.rows("sec2")] == [SENT]
    assert {tuple(received.recipients) for received in smtp_server.received} == {
        (firm.emails["b"],),
        (firm.emails["sec2"],),
    }


# The test server takes plain-text AUTH on the loopback (it has no certificate) and says so.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_delivery_logs_in_when_the_server_wants_it(app, firm, clock):
    server = SmtpServer(credentials=("mailer", "s3cret-password"))
    server.start()
    try:
        firm.instruct(40)
        (queued,) = firm.rows("b")
        wrong = replace(server.settings, username="mailer", password="wrong")
        report = Sender(db_engine(app), wrong, public_url=PUBLIC_URL, clock=clock).send_due()
        assert report.retried == 1
        assert "SMTPAuthenticationError" in row(app, (firm.issuer_id, queued.id)).last_error
        clock.now += timedelta(minutes=1)
        right = replace(server.settings, username="mailer", password="s3cret-password")
        assert (
            Sender(db_engine(app), right, public_url=PUBLIC_URL, clock=clock).send_due().sent == 1
        )
        assert [received.subject for received in server.received] == [queued.subject]
    finally:
        server.stop()


def test_a_claim_left_by_a_sender_that_died_is_taken_over_after_its_lease(
    app, firm, clock, smtp_server
):
    firm.instruct(40)
    (queued,) = firm.rows("b")
    with app.app_context(), db.write() as session:
        session.execute(
            update(Notification)
            .where(Notification.id == queued.id)
            .values(state=SENDING, claim_token="dead" * 8, claimed_at=START)
        )
    sender = sender_for(app, smtp_server, clock)
    clock.now = START + CLAIM_LEASE - timedelta(seconds=1)
    assert sender.send_due().attempted == 0  # still the other sender's
    clock.now = START + CLAIM_LEASE + timedelta(seconds=1)
    assert sender.send_due().sent == 1
    assert row(app, (firm.issuer_id, queued.id)).state == SENT


def test_concurrent_senders_deliver_each_message_exactly_once(app, firm, clock, smtp_server):
    for _ in range(12):
        tid = firm.instruct(1)
        firm.step(workflow.accept, tid, party=firm.b)  # two secretaries told each time
    rows = firm.rows()
    assert len(rows) == 36
    url = app.config["DATABASE_URL"]
    statements: list[str] = []
    # Separate engines, as separate sender processes would have.
    engines = [make_engine(url) for _ in range(4)]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", _recorder(statements))
    start = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def deliver(engine) -> None:
        sender = Sender(
            engine, smtp_server.settings, public_url=PUBLIC_URL, clock=clock, batch_size=3
        )
        try:
            start.wait()
            sender.drain()
        except BaseException as error:  # reported below, on the test's thread
            errors.append(error)

    threads = [threading.Thread(target=deliver, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert errors == []
    ids = Counter(received.message_id for received in smtp_server.received)
    assert set(ids.values()) == {1}
    assert set(ids) == {f"<{queued.id}@register.example.test>" for queued in rows}
    assert {delivered.state for delivered in firm.rows()} == {SENT}
    assert {delivered.attempts for delivered in firm.rows()} == {1}
    if dialect(app) == "postgresql":
        assert any("FOR UPDATE SKIP LOCKED" in sql for sql in statements)


def _recorder(statements: list[str]):
    def record(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
        statements.append(statement)

    return record


def test_the_loop_delivers_what_commands_write_while_it_runs(app, firm, clock, smtp_server):
    stop = threading.Event()
    looping = threading.Thread(
        target=run,
        args=(sender_for(app, smtp_server, clock),),
        kwargs={"interval": 0.05, "stop": stop},
    )
    looping.start()
    try:
        firm.instruct(40)
        firm.instruct(2)
        arrived = wait_for(lambda: len(smtp_server.received) == 2)
    finally:
        stop.set()
        looping.join()
    assert arrived, smtp_server.received
    assert {delivered.state for delivered in firm.rows("b")} == {SENT}


def wait_for(condition, patience: float = 20.0) -> bool:
    """Poll `condition` until it holds or `patience` seconds have passed."""
    deadline = time.monotonic() + patience
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_the_cli_sends_what_is_due(app, runner, firm, clock, smtp_server):
    firm.instruct(40)
    app.config["SMTP_URL"] = smtp_server.url
    result = runner.invoke(args=["notifications", "send", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1, to retry 0, failed 0" in result.output
    assert len(smtp_server.received) == 1


def test_without_smtp_url_the_cli_says_notifications_stay_in_the_app(app, runner, firm):
    firm.instruct(40)
    app.config["SMTP_URL"] = ""
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code != 0
    assert "SMTP_URL is not set" in result.output
    with app.app_context():
        states = db.session.scalars(select(Notification.state)).all()
    assert states == [PENDING]


def test_a_bad_smtp_url_is_refused_clearly(app, runner):
    app.config["SMTP_URL"] = "http://mail.example.test"
    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code != 0
    assert "SMTP_URL must look like smtp://host:port" in result.output
