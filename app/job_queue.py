"""The web side's wake-up for background jobs: with REDIS_URL set, a queued job's id goes on
RQ once the transaction that queued it commits (why the table, not Redis, is the queue: see
app.jobs)."""

from __future__ import annotations

import logging
from typing import IO, Any

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from app.extensions import db
from app.jobs import create_job
from app.ledger.log import utc_now
from app.models.jobs import Job

logger = logging.getLogger(__name__)
# The RQ task, named rather than imported: the worker imports the API's job kinds, which
# import the views that queue jobs.
RUN_TASK = "app.worker.run_announced_job"


def uses_redis(app: Flask) -> bool:
    return bool(app.config.get("REDIS_URL"))


def job_queue(app: Flask) -> Queue:
    return Queue(app.config["JOB_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))


def over_job_threshold(rows: int | None = None, size: int = 0) -> bool:
    """Whether work of `rows` rows or `size` bytes goes to a job rather than the request: one
    threshold for the API's imports and batches and the web's uploads."""
    config = current_app.config
    return (rows is not None and rows > config["JOB_THRESHOLD_ROWS"]) or size > config[
        "JOB_THRESHOLD_BYTES"
    ]


def csv_data_rows(newlines: int) -> int:
    """A CSV's data lines, after the header. Lines, not records: a quoted value may span
    lines, which only brings the job sooner."""
    return max(newlines - 1, 0)


def queue_job(
    actor: str,
    issuer_id: str,
    kind: str,
    parameters: dict[str, Any],
    payload: IO[bytes] | None = None,
    total: int | None = None,
) -> Job:
    """Queue a job of `kind` with its input (in the request's transaction when there is one:
    a retried Idempotency-Key gets this very job back) and wake the worker once it commits.
    The API's 202 answers and the web's large imports both queue through here."""
    with db.write() as session:
        job = create_job(
            session,
            issuer_id=issuer_id,
            kind=kind,
            parameters=parameters,
            created_by=actor,
            now=utc_now(),
            payload=payload,
            total=total,
        )
    announce_after_commit(job.job_id)
    return job


def announce_after_commit(job_id: str) -> None:
    app = current_app._get_current_object()
    if uses_redis(app):
        db.after_commit(lambda: announce(app, [job_id]))


def announce(app: Flask, job_ids: list[str]) -> None:
    """Put the jobs' ids on RQ. A failure is only logged: the rows stay queued, and the
    worker's sweep (or the database loop) still finds them."""
    try:
        queue = job_queue(app)
        for job_id in job_ids:
            queue.enqueue(
                RUN_TASK,
                job_id,
                job_id=f"shareledger-{job_id}",
                job_timeout=app.config["JOB_TIMEOUT_SECONDS"],
                result_ttl=0,
            )
    except RedisError:
        logger.warning("could not announce jobs %s on Redis; the worker's sweep will", job_ids)
