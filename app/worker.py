"""The job worker: app.jobs run inside this app.

`work()` is what `flask jobs work` runs: an RQ SimpleWorker (jobs run in this process, in
this app, one at a time) that re-announces queued jobs every JOB_SWEEP_SECONDS, or without
Redis a loop claiming queued rows from the database. Why the table is the queue: app.jobs.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app, has_app_context
from rq import Queue, SimpleWorker
from rq.job import Job

from app.api.job_kinds import JOB_KINDS
from app.extensions import db
from app.job_queue import announce, job_queue, uses_redis
from app.jobs import Runner, queued_job_ids
from app.ledger.log import utc_now

logger = logging.getLogger(__name__)


def runner(app: Flask) -> Runner:
    return Runner(
        kinds=JOB_KINDS,
        write=db.write,
        engine=db.engine,
        clock=app.config.get("LEDGER_CLOCK") or utc_now,
        progress_every=app.config["JOB_PROGRESS_EVERY"],
    )


def run_announced_job(job_id: str) -> None:
    """The RQ task: run the job if it is still queued (a second delivery does nothing)."""
    if has_app_context():
        runner(current_app).run(job_id)
        return
    # Run by a plain `rq worker` rather than `flask jobs work`: make the app first.
    from app import create_app

    app = create_app()
    with app.app_context():
        runner(app).run(job_id)


def sweep(app: Flask) -> None:
    """Queue again jobs whose worker was lost, then announce every job still queued (after
    a restart of Redis or of the worker)."""
    with app.app_context():
        runner(app).requeue_lost(app.config["JOB_LOST_AFTER_SECONDS"])
        ids = queued_job_ids(db.session)
        db.session.rollback()
    if ids:
        announce(app, ids)


def work(app: Flask, *, burst: bool = False) -> int:
    """Run jobs until stopped (or, with `burst`, until none is queued); the number run."""
    if uses_redis(app):
        return _work_with_rq(app, burst)
    return _work_from_database(app, burst)


def _work_from_database(app: Flask, burst: bool) -> int:
    done = 0
    jobs = runner(app)
    swept_at = float("-inf")
    while True:
        if time.monotonic() - swept_at >= app.config["JOB_SWEEP_SECONDS"]:
            jobs.requeue_lost(app.config["JOB_LOST_AFTER_SECONDS"])
            swept_at = time.monotonic()
        if jobs.run_next():
            done += 1
            continue
        db.session.remove()
        if burst:
            return done
        time.sleep(app.config["JOB_POLL_SECONDS"])


def _work_with_rq(app: Flask, burst: bool) -> int:
    sweep(app)
    stop = threading.Event()
    if not burst:
        threading.Thread(target=_sweep_every, args=(app, stop), daemon=True).start()
    queue = job_queue(app)
    worker = _CountingWorker([queue], connection=queue.connection)
    try:
        worker.work(burst=burst, logging_level="WARNING")
    finally:
        stop.set()
    return worker.executed


class _CountingWorker(SimpleWorker):
    """Counts the messages it handled (RQ keeps its own counts in Redis only)."""

    executed = 0

    def execute_job(self, job: Job, queue: Queue) -> None:
        super().execute_job(job, queue)
        self.executed += 1


def _sweep_every(app: Flask, stop: threading.Event) -> None:
    while not stop.wait(app.config["JOB_SWEEP_SECONDS"]):
        try:
            sweep(app)
        except Exception:  # a sweep that fails (database restarting) is tried again later
            logger.exception("sweeping queued jobs failed")
