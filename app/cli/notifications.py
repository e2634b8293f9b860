"""`flask --app wsgi notifications send [--loop] [--once]`: deliver the outbox by SMTP.

Once (the default) delivers what is due and stops, e.g. from cron; `--loop` keeps delivering,
looking for due rows every `--interval` seconds, until interrupted (`make run` starts it beside
the web server when SMTP_URL is set). Any number of senders may run at once: each row is
claimed by one (app.notifications.sender)."""

from __future__ import annotations

import signal
import threading

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db
from app.ledger.log import utc_now
from app.notifications.sender import RetryPolicy, Sender, SmtpSettings, SmtpUrlError
from app.notifications.sender import run as run_sender

notifications_cli = AppGroup("notifications", help="E-mail notifications (the outbox).")


def sender_for(app: Flask) -> Sender:
    """The app's sender, from its SMTP_* settings (a ClickException without SMTP_URL)."""
    url = app.config.get("SMTP_URL")
    if not url:
        raise click.ClickException("SMTP_URL is not set: notifications stay in the app only")
    try:
        smtp = SmtpSettings.from_url(
            url,
            app.config["MAIL_FROM"],
            starttls=app.config.get("SMTP_STARTTLS", False),
            username=app.config.get("SMTP_USERNAME") or None,
            password=app.config.get("SMTP_PASSWORD") or None,
        )
    except SmtpUrlError as error:
        raise click.ClickException(str(error)) from None
    return Sender(
        db.engine,
        smtp,
        public_url=app.config["PUBLIC_URL"],
        clock=app.config.get("LEDGER_CLOCK") or utc_now,
        policy=RetryPolicy(max_attempts=app.config["NOTIFICATION_MAX_ATTEMPTS"]),
    )


@notifications_cli.command("send")
@click.option("--loop", is_flag=True, help="Keep delivering until interrupted.")
@click.option("--once", is_flag=True, help="Deliver what is due, then stop (the default).")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between passes.")
def send(loop: bool, once: bool, interval: float) -> None:
    """Deliver the pending notifications that are due."""
    if loop and once:
        raise click.UsageError("give --loop or --once, not both")
    sender = sender_for(current_app)
    if not loop:
        report = sender.drain()
        click.echo(f"sent {report.sent}, to retry {report.retried}, failed {report.failed}")
        return
    stop = threading.Event()
    for signal_number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signal_number, lambda *_: stop.set())
    click.echo(f"delivering notifications via {sender.smtp.host}:{sender.smtp.port}")
    run_sender(sender, interval=interval, stop=stop)
