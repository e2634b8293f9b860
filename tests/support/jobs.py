"""Running background jobs in tests: in-process, in burst mode, with or without real Redis."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from app import worker
from app.extensions import db
from app.job_queue import job_queue
from app.models.jobs import Job, JobChunk

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def run_jobs(app: Flask) -> int:
    """Run every queued job (the worker's burst mode); the number run."""
    with app.app_context():
        return worker.work(app, burst=True)


@contextmanager
def on_redis(app: Flask) -> Iterator[None]:
    """Point the app at the real Redis, on a queue of its own (other tests share the server)."""
    app.config.update(REDIS_URL=REDIS_URL, JOB_QUEUE=f"shareledger-test-{uuid.uuid4().hex}")
    try:
        yield
    finally:
        with app.app_context():
            job_queue(app).delete(delete_jobs=True)


def job_row(app: Flask, job_id: str) -> Job:
    with app.app_context():
        return db.session.query(Job).filter_by(job_id=job_id).one()


def chunk_count(app: Flask, job_id: str) -> dict[str, int]:
    with app.app_context():
        parts: dict[str, int] = {}
        for chunk in db.session.query(JobChunk).filter_by(job_id=job_id):
            parts[chunk.part] = parts.get(chunk.part, 0) + 1
        return parts
