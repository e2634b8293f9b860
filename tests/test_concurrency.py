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


def _seed_register(driver: Driver) -> tuple[str, list[str]]:
    """One issuer, one class, HOLDERS holders with SHARES_EACH shares each."""
    issuer_id = driver.new_issuer()

    with driver.command(issuer_id) as ctx:
        classes.create_class(ctx, class_request())
        holder_ids = [
            holders.register_holder(ctx, holder_request(HOLDER_A)).holder_id for _ in range(HOLDERS)
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
        for _ in range(count):
            source, recipient = chooser.sample(holder_ids, 2)
            quantity = chooser.randint(1, SHARES_EACH + SHARES_EACH // 2)
            transfer = transfer_request(
                source, recipient, quantity, instrument_reference=f"concurrent {seed}"
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
    assert indexes == list(range(seeded_size + settled))
    # Every transfer was one command of one entry, each sealed by its own checkpoint.
    assert [size for size in sizes if size > seeded_size] == list(
        range(seeded_size + 1, seeded_size + settled + 1)
    )
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
