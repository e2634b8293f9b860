"""A real SMTP server for the tests (aiosmtpd, in a thread, on a free local port) that keeps
what it receives and can be stopped and started again on the same port."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from app.notifications.sender import SmtpSettings

MAIL_FROM = "ShareLedger <notifications@shareledger.test>"


@dataclass(frozen=True)
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


@dataclass
class Inbox:
    """The handler: keeps every message; refuses the recipients in `refuse`."""

    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.received.append(
                Received(
                    list(envelope.rcpt_tos),
                    email.message_from_bytes(envelope.content, policy=policy.default),
                )
            )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        """With `credentials` (user, password), the server takes mail only after AUTH."""
        self.inbox = Inbox()
        self.port = free_port()
        self.credentials = credentials
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def settings(self) -> SmtpSettings:
        return SmtpSettings.from_url(self.url, MAIL_FROM, timeout=5.0)

    @property
    def received(self) -> list[Received]:
        return list(self.inbox.received)

    def start(self) -> None:
        options = {}
        if self.credentials is not None:
            # Plain-text AUTH on the loopback only: the tests have no certificate.
            options = {"authenticator": self._authenticate, "auth_required": True}
            options["auth_require_tls"] = False
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()

    def _authenticate(self, _server, _session, _envelope, _mechanism, auth_data) -> AuthResult:
        given = (auth_data.login.decode(), auth_data.password.decode())
        accepted = isinstance(auth_data, LoginPassword) and given == self.credentials
        # Not handled here: the server answers 235 or 535 itself.
        return AuthResult(success=accepted, handled=False)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def running_smtp_server() -> Iterator[SmtpServer]:
    """For a fixture: `yield from running_smtp_server()`."""
    server = SmtpServer()
    server.start()
    yield server
    server.stop()
