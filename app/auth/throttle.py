"""Counters of what an attacker repeats (failed logins, bad tokens, API calls), kept by
flask-limiter's storage (Redis when REDIS_URL is set, memory otherwise). Each limit is a
config key holding a rate such as "5 per 15 minutes"."""

from __future__ import annotations

import math
import time

from flask import current_app
from limits import RateLimitItem, parse

from app.extensions import limiter


class Throttled(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


def _limit(config_key: str) -> RateLimitItem:
    return parse(current_app.config[config_key])


def _retry_after(limit: RateLimitItem, identity: tuple[str, ...]) -> int:
    reset_at = limiter.limiter.get_window_stats(limit, *identity).reset_time
    return max(1, math.ceil(reset_at - time.time()))


def refuse_if_exhausted(config_key: str, *identity: str) -> None:
    """Raise `Throttled` when this identity has used up the limit (nothing is counted)."""
    limit = _limit(config_key)
    key = (config_key, *identity)
    if not limiter.limiter.test(limit, *key):
        raise Throttled(_retry_after(limit, key))


def count(config_key: str, *identity: str) -> None:
    """Count one more; raise `Throttled` once the limit is used up."""
    limit = _limit(config_key)
    key = (config_key, *identity)
    if not limiter.limiter.hit(limit, *key):
        raise Throttled(_retry_after(limit, key))
