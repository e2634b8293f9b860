"""How long keys live, and the clock that dates them (the app's LEDGER_CLOCK when tests set
one)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from app.ledger.log import utc_now

DEFAULT_KEY_TTL_SECONDS = 24 * 60 * 60


def key_ttl() -> timedelta:
    return timedelta(
        seconds=int(current_app.config.get("IDEMPOTENCY_KEY_TTL", DEFAULT_KEY_TTL_SECONDS))
    )


def now() -> datetime:
    return (current_app.config.get("LEDGER_CLOCK") or utc_now)()
