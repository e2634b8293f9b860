"""Flask CLI commands: `flask --app wsgi <group> <command>`."""

from __future__ import annotations

from flask import Flask


def register_cli(app: Flask) -> None:
    from app.cli import (
        database,
        demo,
        distributions,
        holders,
        idempotency,
        jobs,
        keys,
        log,
        notifications,
        register,
        tokens,
        transfers,
    )

    for group in (
        database.db_cli,
        demo.demo_cli,
        distributions.distributions_cli,
        holders.holders_cli,
        idempotency.idempotency_cli,
        jobs.jobs_cli,
        keys.keys_cli,
        log.log_cli,
        notifications.notifications_cli,
        register.register_cli,
        tokens.tokens_cli,
        tokens.users_cli,
        transfers.transfers_cli,
    ):
        app.cli.add_command(group)
