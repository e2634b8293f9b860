"""Delivering the outbox by SMTP: claim due rows, send each, mark it sent or schedule a retry.

A row is claimed before it is sent, in a short transaction of its own, so that two senders
never send the same row: on PostgreSQL the due rows are picked with `SELECT ... FOR UPDATE
SKIP LOCKED` (a second sender skips the rows the first is claiming instead of waiting for
them); on both engines the claim is a conditional UPDATE (pending -> sending, with this pass's
claim token) that re-checks the row is still due, so only one claim can win. Only the holder
of the claim token may then mark the row sent or failed.

A sender that dies between claiming and marking leaves rows `sending`; they are due again once
their claim is older than `CLAIM_LEASE` (the message may then be sent twice: a crash cannot
tell whether the server took it, so delivery is at least once, never silently lost). Each
message carries a Message-ID derived from the row's id, so a receiver can spot such a repeat.

Failures (server down, refused recipient, ...) count an attempt and make the row due again
after an exponentially growing delay, until `max_attempts`, when it is marked failed.
"""

from __future__ import annotations

import smtplib
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from threading import Event
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, and_, or_, select, tuple_, update

from app.db import write_session
from app.ledger.log import utc_now
from app.models.notifications import FAILED, PENDING, SENDING, SENT, Notification
from app.models.user import User

# A claim older than this is taken to be from a sender that died mid-pass.
CLAIM_LEASE = timedelta(minutes=10)
# How much of an error the row keeps.
MAX_ERROR_LENGTH = 1000
# Refusals of one message; the connection stays usable for the next.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused)


class SmtpUrlError(ValueError):
    pass


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to deliver: SMTP_URL (`smtp://host:port`, or `smtps://` for implicit
    TLS), SMTP_STARTTLS, SMTP_USERNAME and SMTP_PASSWORD, MAIL_FROM."""

    host: str
    port: int
    mail_from: str
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str, mail_from: str, **options) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise SmtpUrlError(f"SMTP_URL must look like smtp://host:port, not {url!r}")
        try:
            port = parts.port
        except ValueError:
            raise SmtpUrlError(f"SMTP_URL has a bad port: {url!r}") from None
        implicit_tls = parts.scheme == "smtps"
        credentials = {}
        if parts.username:  # smtp://user:password@host:port also works
            credentials = {"username": unquote(parts.username)}
            credentials["password"] = unquote(parts.password or "")
        return cls(
            host=parts.hostname,
            port=port or (465 if implicit_tls else 25),
            mail_from=mail_from,
            implicit_tls=implicit_tls,
            **{**credentials, **{key: value for key, value in options.items() if value}},
        )

    @contextmanager
    def connect(self) -> Iterator[smtplib.SMTP]:
        kind = smtplib.SMTP_SSL if self.implicit_tls else smtplib.SMTP
        with kind(self.host, self.port, timeout=self.timeout) as server:
            if self.starttls:
                server.starttls()
            if self.username:
                server.login(self.username, self.password or "")
            yield server


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    first_delay: timedelta = timedelta(minutes=1)
    longest_delay: timedelta = timedelta(hours=6)

    def delay_after(self, attempts: int) -> timedelta:
        """The wait before the next attempt, after `attempts` failed ones: 1, 2, 4, ... min."""
        return min(self.first_delay * 2 ** (attempts - 1), self.longest_delay)


@dataclass(frozen=True)
class Claimed:
    issuer_id: str
    id: str
    attempts: int
    to: str
    subject: str
    body: str
    link: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.issuer_id, self.id)


@dataclass
class PassReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.failed


class Sender:
    def __init__(
        self,
        engine: Engine,
        smtp: SmtpSettings,
        *,
        public_url: str,
        clock: Callable[[], datetime] = utc_now,
        policy: RetryPolicy = RetryPolicy(),
        batch_size: int = 50,
    ) -> None:
        self.engine = engine
        self.smtp = smtp
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        self.policy = policy
        self.batch_size = batch_size

    def send_due(self) -> PassReport:
        """Claim up to `batch_size` due rows and try to deliver each once."""
        token = uuid.uuid4().hex
        report = PassReport()
        unsent = deque(self.claim(token))
        if not unsent:
            return report
        try:
            with self.smtp.connect() as server:
                while unsent:
                    row = unsent[0]
                    try:
                        server.send_message(self.message(row))
                    except MESSAGE_ERRORS as error:  # this message only
                        self._failed(row, token, error, report)
                    else:
                        self._mark_sent(row, token)
                        report.sent += 1
                    unsent.popleft()
        except (OSError, smtplib.SMTPException) as error:
            # The connection failed: the rows not yet tried are retried later.
            for row in unsent:
                self._failed(row, token, error, report)
        return report

    def drain(self) -> PassReport:
        """Pass after pass until fewer rows are due than a pass takes; the totals."""
        total = PassReport()
        while True:
            report = self.send_due()
            total.sent += report.sent
            total.retried += report.retried
            total.failed += report.failed
            if report.attempted < self.batch_size:
                return total

    def message(self, row: Claimed) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.smtp.mail_from
        message["To"] = row.to
        message["Subject"] = row.subject
        domain = urlsplit(self.public_url).hostname or "shareledger.localhost"
        message["Message-ID"] = f"<{row.id}@{domain}>"
        message.set_content(f"{row.body}\n\n{self.public_url}{row.link}\n")
        return message

    # --- claiming and marking, each its own short transaction --------------------------------

    def _due(self, now: datetime):
        return or_(
            and_(Notification.state == PENDING, Notification.next_attempt_at <= now),
            and_(Notification.state == SENDING, Notification.claimed_at < now - CLAIM_LEASE),
        )

    def claim(self, token: str) -> list[Claimed]:
        now = self.clock()
        with write_session(self.engine) as session:
            candidates = (
                select(Notification.issuer_id, Notification.id)
                .where(self._due(now))
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(self.batch_size)
            )
            if session.get_bind().dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
            keys = [tuple(key) for key in session.execute(candidates)]
            if not keys:
                return []
            session.execute(
                update(Notification)
                .where(tuple_(Notification.issuer_id, Notification.id).in_(keys))
                .where(self._due(now))
                .values(state=SENDING, claim_token=token, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            rows = session.execute(
                select(Notification, User.email)
                .join(User, User.id == Notification.user_id)
                .where(Notification.claim_token == token)
                .order_by(Notification.next_attempt_at, Notification.id)
            )
            return [
                Claimed(n.issuer_id, n.id, n.attempts, email, n.subject, n.body, n.link)
                for n, email in rows
            ]

    def _finish(self, row: Claimed, token: str, **values) -> None:
        with write_session(self.engine) as session:
            session.execute(
                update(Notification)
                .where(tuple_(Notification.issuer_id, Notification.id) == row.key)
                .where(Notification.claim_token == token)
                .values(claim_token=None, attempts=row.attempts + 1, **values)
                .execution_options(synchronize_session=False)
            )

    def _mark_sent(self, row: Claimed, token: str) -> None:
        self._finish(row, token, state=SENT, sent_at=self.clock(), last_error=None)

    def _failed(self, row: Claimed, token: str, error: Exception, report: PassReport) -> None:
        attempts = row.attempts + 1
        text = f"{type(error).__name__}: {error}"[:MAX_ERROR_LENGTH]
        if attempts >= self.policy.max_attempts:
            self._finish(row, token, state=FAILED, last_error=text)
            report.failed += 1
            return
        retry_at = self.clock() + self.policy.delay_after(attempts)
        self._finish(row, token, state=PENDING, next_attempt_at=retry_at, last_error=text)
        report.retried += 1


def run(sender: Sender, *, interval: float, stop: Event) -> None:
    """Deliver until `stop` is set: everything due, then again every `interval` seconds."""
    while not stop.is_set():
        sender.drain()
        stop.wait(interval)
