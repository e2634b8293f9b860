"""Many writers at once: threads lodge random transfers among the holders of one issuer.

Each command locks the issuer's log before reading (`SELECT ... FOR UPDATE` on PostgreSQL,
`BEGIN IMMEDIATE` on SQLite), so concurrent transfers must serialise: no share is created or
lost, no balance goes negative, the log stays gapless with a checkpoint per command, and the
register still equals its replayed log.
"""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.commands import command
from app.models.log import LogCheckpoint, LogLeaf
from app.models.register import HoldingVersion
from app.register import classes, holders, issuance, transfers
from app.register.errors import Refused
from tests.support.helpers import (
    HOLDER_A,
    class_request,
    holder_request,
    issue_request,
    submit,
    transfer_request,
)
from tests.support.register_driver import ACTOR, Driver, dialect

HOLDERS = 50
SHARES_EACH = 100
# (threads, transfers per thread). SQLite has one writer at a time (BEGIN IMMEDIATE, waiting
# on a busy timeout), so it gets a lighter load; the point there is that nothing fails.
LOAD = {"postgresql": (8, 40), "sqlite": (4, 25)}
# Bounds so that a deadlock fails the test instead of hanging it.
BARRIER_TIMEOUT = 60
WORKER_TIMEOUT = 600


def member(n: int) -> dict:
    """Holder A's details with a name and identifier of their own (identifiers are unique
    among an issuer's live members)."""
    return {**HOLDER_A, "name": f"Member {n}", "identifier": f"GB-NI-CC{n:06d}"}


def _seed_register(driver: Driver) -> tuple[str, list[str]]:
    """One issuer, one class, HOLDERS holders with SHARES_EACH shares each."""
    issuer_id = driver.new_issuer()

    with driver.command(issuer_id) as ctx:
        classes.create_class(ctx, class_request())
        holder_ids = [
            holders.register_holder(ctx, holder_request(member(n))).holder_id
            for n in range(HOLDERS)
        ]
        issuance.issue_shares(ctx, issue_request(*((h, SHARES_EACH) for h in holder_ids)))
    return issuer_id, holder_ids


def _transfer_randomly(
    driver: Driver, issuer_id: str, holder_ids: list[str], count: int, seed: int, start
) -> tuple[int, int]:
    """Lodge `count` random transfers, each its own command; some ask for more shares than
    the transferor has and must be refused. Any other error propagates and fails the test.
    Returns (settled, refused)."""
    chooser = random.Random(seed)
    settled = refused = 0
    with driver.app.app_context():
        start.wait(BARRIER_TIMEOUT)
        for n in range(count):
            source, recipient = chooser.sample(holder_ids, 2)
            quantity = chooser.randint(1, SHARES_EACH + SHARES_EACH // 2)
            transfer = transfer_request(
                source, recipient, quantity, instrument_reference=f"concurrent {seed}-{n}"
            )
            try:
                submit(issuer_id, transfers.lodge_transfer, transfer)
            except Refused as error:
                if error.code != "insufficient_available":
                    raise
                refused += 1
            else:
                settled += 1
    return settled, refused


def _log_facts(session, issuer_id: str) -> tuple[list[int], list[int], int]:
    """(leaf indexes, checkpoint sizes, shares held) of the issuer."""
    indexes = list(
        session.scalars(
            select(LogLeaf.index).where(LogLeaf.issuer_id == issuer_id).order_by(LogLeaf.index)
        )
    )
    sizes = list(
        session.scalars(
            select(LogCheckpoint.tree_size)
            .where(LogCheckpoint.issuer_id == issuer_id)
            .order_by(LogCheckpoint.tree_size)
        )
    )
    held = session.scalar(
        select(func.sum(HoldingVersion.held)).where(
            HoldingVersion.issuer_id == issuer_id, HoldingVersion.to_index.is_(None)
        )
    )
    return indexes, sizes, held


def test_concurrent_transfers_conserve_shares_and_keep_the_log_whole(app):
    threads, per_thread = LOAD[dialect(app)]
    driver = Driver(app)
    issuer_id, holder_ids = _seed_register(driver)
    seeded_size = driver.log_size(issuer_id)
    start = threading.Barrier(threads)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        futures = [
            pool.submit(_transfer_randomly, driver, issuer_id, holder_ids, per_thread, seed, start)
            for seed in range(threads)
        ]
        outcomes = [future.result(timeout=WORKER_TIMEOUT) for future in futures]
    settled = sum(done for done, _ in outcomes)
    assert sum(refused for _, refused in outcomes) + settled == threads * per_thread
    assert settled > 0

    indexes, sizes, held = driver.read(lambda session: _log_facts(session, issuer_id))
    assert held == HOLDERS * SHARES_EACH
    assert indexes == list(range(len(indexes)))
    # Every transfer was one command: its entry, then the notices of the thresholds it made
    # holders cross, sealed by its own checkpoint.
    kinds = driver.kinds_since(issuer_id, seeded_size, notices=True)
    commands_end = [
        seeded_size + position
        for position, kind in enumerate(kinds)
        if kind == "transfer.settled" and position > 0
    ] + [len(indexes)]
    assert [size for size in sizes if size > seeded_size] == commands_end
    assert driver.kinds_since(issuer_id, seeded_size) == ["transfer.settled"] * settled
    driver.replay(issuer_id)  # also: issued equals held, nothing negative or over-committed
    driver.verify_log()


def test_first_commands_on_a_new_database_publish_the_key_once(app):
    """Every worker's first command on a fresh database tries to publish the signing key."""
    from app.ledger.keyring import published_keys
    from app.register import issuers
    from app.register.requests import RegisterIssuer
    from tests.support.helpers import issuer_fields

    barrier = threading.Barrier(4, timeout=BARRIER_TIMEOUT)

    def first_command() -> str:
        with app.app_context():
            barrier.wait()
            with command(ACTOR) as ctx:
                return issuers.register_issuer(ctx, RegisterIssuer(**issuer_fields())).id

    with ThreadPoolExecutor(4) as pool:
        issuer_ids = list(pool.map(lambda _: first_command(), range(4)))
    assert len(set(issuer_ids)) == 4
    with app.app_context():
        from app.extensions import db

        assert len(published_keys(db.session)) == 1


# --- duplicates and once-only entries under concurrent requests ----------------------------

RACERS = 4


def _race(app, request) -> list:
    """Run `request(client)` from RACERS threads at once, each with its own client."""
    barrier = threading.Barrier(RACERS, timeout=BARRIER_TIMEOUT)

    def run(_):
        client = app.test_client()
        barrier.wait()
        return request(client)

    with ThreadPoolExecutor(RACERS) as pool:
        return list(pool.map(run, range(RACERS), timeout=WORKER_TIMEOUT))


def _seeded_api(app, make_token) -> tuple[str, dict, str, str]:
    """An issuer with ORD, two members (the first holding 100) and its secretary's headers."""
    from tests.support.helpers import bearer

    driver = Driver(app)
    issuer_id = driver.new_issuer()
    with driver.command(issuer_id) as ctx:
        classes.create_class(ctx, class_request())
        a, b = (holders.register_holder(ctx, holder_request(member(n))).holder_id for n in (1, 2))
        issuance.issue_shares(ctx, issue_request((a, 100)))
    return issuer_id, bearer(make_token("secretary", issuer_id)), a, b


def test_concurrent_transfers_on_one_instrument_register_it_once(app, make_token):
    issuer_id, headers, a, b = _seeded_api(app, make_token)
    body = {"class": "ORD", "from_holder_id": a, "to_holder_id": b, "quantity": 1,
            "instrument_reference": "STF-race"}  # fmt: skip
    url = f"/api/v1/issuers/{issuer_id}/transfers"
    answers = _race(app, lambda client: client.post(url, json=body, headers=headers))
    codes = sorted((r.status_code, (r.get_json() or {}).get("code")) for r in answers)
    assert codes == [(201, None)] + [(409, "duplicate_instrument")] * (RACERS - 1)
    assert Driver(app).kinds_since(issuer_id, 0).count("transfer.settled") == 1


def test_concurrent_registrations_of_one_identifier_register_one_member(app, make_token):
    issuer_id, headers, _, _ = _seeded_api(app, make_token)
    details = {**member(3), "email": None}
    url = f"/api/v1/issuers/{issuer_id}/holders"
    answers = _race(app, lambda client: client.post(url, json=details, headers=headers))
    codes = sorted((r.status_code, (r.get_json() or {}).get("code")) for r in answers)
    assert codes == [(201, None)] + [(409, "duplicate_identifier")] * (RACERS - 1)
    assert Driver(app).kinds_since(issuer_id, 0).count("holder.registered") == 3


def test_concurrent_first_reads_after_the_record_date_fix_the_entitlements_once(app, make_token):
    from datetime import UTC, datetime, timedelta

    issuer_id, headers, _, _ = _seeded_api(app, make_token)
    now = [datetime(2026, 5, 4, 12, 0, tzinfo=UTC)]
    app.config["LEDGER_CLOCK"] = lambda: now[0]
    base = f"/api/v1/issuers/{issuer_id}/distributions"
    body = {"class": "ORD", "amount_per_share": "0.333", "currency": "GBP",
            "record_date": "2026-05-05"}  # fmt: skip
    declared = app.test_client().post(base, json=body, headers=headers)
    assert declared.status_code == 201, declared.get_json()
    assert declared.get_json()["status"] == "declared"
    now[0] += timedelta(days=2)
    url = f"{base}/{declared.get_json()['distribution_id']}"
    answers = _race(app, lambda client: client.get(url, headers=headers))
    assert {r.status_code for r in answers} == {200}
    # Every reader sees the same fixed distribution, whichever of them fixed it.
    seen = [r.get_json() for r in answers]
    assert seen == [seen[0]] * RACERS
    assert seen[0]["status"] == "fixed"
    assert Driver(app).kinds_since(issuer_id, 0).count("distribution.entitlements_fixed") == 1
    Driver(app).replay(issuer_id)
