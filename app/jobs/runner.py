"""Running one job: claim it, hand it to its kind, record how it ended.

A kind (app.api.job_kinds) runs the job's command and, inside that command, calls
`JobRun.succeed` so that the job's success commits with what the command wrote. If the kind
raises instead, the command has rolled back and the job ends `failed` in a transaction of its
own: with the domain error's code and message, a `JobFailed`'s, or `internal_error` for a bug
(logged with its traceback; the caller sees no internals).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.jobs import queries, store
from app.jobs.errors import JobFailed, JobSuperseded
from app.jobs.progress import ProgressReporter
from app.models.jobs import Job
from app.register.errors import DomainError

logger = logging.getLogger(__name__)


@dataclass
class JobRun:
    """What a kind is given: the claimed job, its parameters and input, a progress reporter."""

    job: Job
    parameters: dict[str, Any]
    payload: bytes
    progress: ProgressReporter
    clock: Callable[[], datetime]
    succeeded: bool = field(default=False, init=False)

    def succeed(
        self,
        session: Session,
        result: dict[str, Any],
        *,
        result_file: Iterable[bytes] | None = None,
        media_type: str | None = None,
    ) -> None:
        """Mark the job succeeded in `session`'s transaction (the command's own)."""
        store.succeed(
            session, self.job, result, self.clock(), result_file=result_file, media_type=media_type
        )
        self.succeeded = True


Kind = Callable[[JobRun], None]
WriteTransaction = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class Runner:
    kinds: Mapping[str, Kind]
    # Opens a write transaction (commits when the block returns, rolls back if it raises).
    write: WriteTransaction
    engine: Engine
    clock: Callable[[], datetime]
    progress_every: int = 1000

    def run(self, job_id: str) -> bool:
        """Run the job if it is still queued (False: someone else claimed it, or it is over)."""
        with self.write() as session:
            claimed = store.claim(session, job_id, self.clock())
            payload = queries.read_payload(session, claimed) if claimed else b""
        return claimed is not None and self._run_claimed(claimed, payload)

    def run_next(self) -> bool:
        """Claim and run the oldest queued job (False: there was none)."""
        with self.write() as session:
            claimed = store.claim_next(session, self.clock())
            payload = queries.read_payload(session, claimed) if claimed else b""
        return claimed is not None and self._run_claimed(claimed, payload)

    def _run_claimed(self, job: Job, payload: bytes) -> bool:
        run = JobRun(job, json.loads(job.parameters), payload, self._reporter(job), self.clock)
        try:
            self.kinds[job.kind](run)
            if not run.succeeded:
                raise RuntimeError(f"job kind {job.kind!r} returned without succeeding")
        except JobSuperseded:
            logger.warning("job %s was claimed again; this run's work is undone", job.job_id)
        except JobFailed as failure:
            self._fail(job, failure.code, failure.message, failure.result)
        except DomainError as error:
            failure = JobFailed.of(error)
            self._fail(job, failure.code, failure.message, failure.result)
        except Exception:
            logger.exception("job %s (%s) failed", job.job_id, job.kind)
            self._fail(job, "internal_error", "the job failed unexpectedly; nothing was written")
        return True

    def _fail(
        self, job: Job, code: str, message: str, result: dict[str, Any] | None = None
    ) -> None:
        try:
            with self.write() as session:
                store.fail(session, job, code, message, self.clock(), result)
        except JobSuperseded:
            logger.warning("job %s was claimed again while it failed here", job.job_id)

    def requeue_lost(self, after_seconds: float) -> int:
        with self.write() as session:
            return store.requeue_lost(session, self.clock(), after_seconds)

    def _reporter(self, job: Job) -> ProgressReporter:
        # SQLite has one writer at a time and the job's command is it until the end: progress
        # written from another connection would wait for the command to finish. There the job
        # shows only its start and its end.
        if self.engine.dialect.name == "sqlite":
            return ProgressReporter(None)
        return ProgressReporter(
            partial(store.record_progress, self.engine, job), self.progress_every
        )
