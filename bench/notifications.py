"""Benchmark the notifications sender: outbox rows e-mailed to a real local SMTP server.

    .venv/bin/python -m bench.notifications [--engine sqlite|postgresql|both] [--quick]

On a fresh database per engine, one issuer's outbox holds N pending rows; 1, 2 and 4 senders
(threads, each with its own engine, as separate processes would have) drain it at once into
the tests' aiosmtpd server. Between runs every row is made pending again. Figures: messages per
second (one SMTP connection per pass of 50; each message marked sent in its own transaction,
so that a crash repeats at most the message being sent), the SQL statements per message, and
whether every message arrived exactly once (the claim: SKIP LOCKED on PostgreSQL, a
conditional UPDATE on both). Progress lines go to stderr, figures to stdout.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import event, update

from app.auth.users import create_user
from app.db import make_engine
from app.extensions import db
from app.ledger.log import utc_now
from app.models.notifications import PENDING, SENT, Notification
from app.notifications.sender import Sender
from bench.common import flask_app, migrated_database, print_table, step
from bench.register_commands import load_average, new_issuer
from tests.support.smtp import SmtpServer

FULL_ROWS = 2_000
QUICK_ROWS = 300
SENDER_COUNTS = (1, 2, 4)
BATCH_SIZE = 50
HEADERS = ["engine", "senders", "messages", "seconds", "messages/s", "SQL/message", "once each"]


def fill_outbox(issuer_id: str, user_id: int, count: int) -> None:
    now = utc_now()
    with db.write() as session:
        session.add_all(
            Notification(
                issuer_id=issuer_id,
                id=uuid.uuid4().hex,
                user_id=user_id,
                kind="bench",
                log_index=number,
                subject=f"Benchmark message {number}",
                body="A notification body of a typical length. " * 4,
                link="/me/",
                created_at=now,
                state=PENDING,
                attempts=0,
                next_attempt_at=now,
            )
            for number in range(count)
        )


def reset_outbox() -> None:
    with db.write() as session:
        session.execute(
            update(Notification).values(state=PENDING, attempts=0, sent_at=None, claim_token=None)
        )


def run_senders(url: str, server: SmtpServer, count: int) -> tuple[float, int]:
    """Drain the outbox with `count` senders at once: seconds, and SQL statements run."""
    engines = [make_engine(url) for _ in range(count)]
    statements = Counter()

    def counted(*_args) -> None:
        statements["all"] += 1

    for engine in engines:
        event.listen(engine, "before_cursor_execute", counted)
    start = threading.Barrier(count + 1)

    def deliver(engine) -> None:
        sender = Sender(engine, server.settings, public_url="http://bench", batch_size=BATCH_SIZE)
        start.wait()
        sender.drain()

    threads = [threading.Thread(target=deliver, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    for engine in engines:
        engine.dispose()
    return seconds, statements["all"]


def bench_engine(name: str, rows: int) -> list[list[object]]:
    table = []
    server = SmtpServer()
    server.start()
    try:
        with migrated_database(name) as url, flask_app(url) as app:
            step(f"{name}: {rows:,} outbox rows")
            issuer_id = new_issuer("Bench Notify")
            with db.write() as session:
                user = create_user(
                    session,
                    email="bench@example.test",
                    display_name="Bench",
                    password="bench-password-1",
                    role="regulator",
                    issuer_id=None,
                    now=utc_now(),
                )
            fill_outbox(issuer_id, user.id, rows)
            for count in SENDER_COUNTS:
                reset_outbox()
                server.inbox.received.clear()
                step(f"{name}: {count} sender(s)")
                seconds, statements = run_senders(app.config["DATABASE_URL"], server, count)
                ids = Counter(received.message_id for received in server.received)
                with db.write() as session:
                    sent = session.query(Notification).filter(Notification.state == SENT).count()
                once = len(ids) == rows == sent and set(ids.values()) == {1}
                table.append([
                    name, count, f"{rows:,}", f"{seconds:.2f}", f"{rows / seconds:,.0f}",
                    f"{statements / rows:.1f}", "yes" if once else "NO",
                ])  # fmt: skip
    finally:
        server.stop()
    return table


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--quick", action="store_true", help="fewer messages (under a minute)")
    args = parser.parse_args(argv)
    names = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    rows = QUICK_ROWS if args.quick else FULL_ROWS
    started = time.perf_counter()
    info = [("load average at start", load_average())]
    table = [line for name in names for line in bench_engine(name, rows)]
    info.append(("load average at end", load_average()))
    print_table("Environment", ["item", "value"], info)
    print_table("Notifications sender: outbox rows e-mailed to a local SMTP server", HEADERS, table)
    mode = "quick" if args.quick else "full"
    print(f"\ntotal time {time.perf_counter() - started:.0f} s ({mode})")


if __name__ == "__main__":
    main()
