"""Job rows: create one with its input, claim it, finish it. Every function works in the
caller's transaction, except `record_progress`, which must be seen while the job's own
command is still running and so commits on a connection of its own."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import IO, Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from app.db import insert_many
from app.jobs.errors import JobSuperseded
from app.models.jobs import FAILED, PAYLOAD, QUEUED, RESULT, RUNNING, SUCCEEDED, Job, JobChunk

# Input and result files are stored in pieces of this size: the web process streams an upload
# into the table a piece at a time, and a download is streamed back the same way.
CHUNK_BYTES = 1024 * 1024
CHUNK_COLUMNS = ("issuer_id", "job_id", "part", "sequence", "data")


def create_job(
    session: Session,
    *,
    issuer_id: str,
    kind: str,
    parameters: dict[str, Any],
    created_by: str,
    now: datetime,
    payload: IO[bytes] | None = None,
    total: int | None = None,
) -> Job:
    """A queued job, its input read from `payload` a chunk at a time."""
    job = Job(
        issuer_id=issuer_id,
        job_id=uuid.uuid4().hex,
        kind=kind,
        parameters=json.dumps(parameters, sort_keys=True),
        state=QUEUED,
        progress_done=0,
        progress_total=total,
        created_by=created_by,
        created_at=now,
        attempts=0,
    )
    session.add(job)
    session.flush()
    if payload is not None:
        write_chunks(session, job, PAYLOAD, iter(lambda: payload.read(CHUNK_BYTES), b""))
    return job


def write_chunks(session: Session, job: Job, part: str, chunks: Iterable[bytes]) -> None:
    """Store `chunks` (in order) as the job's `part`, one row per chunk as it comes."""
    for sequence, data in enumerate(chunks):
        insert_many(
            session,
            JobChunk.__tablename__,
            CHUNK_COLUMNS,
            [(job.issuer_id, job.job_id, part, sequence, data)],
        )


def claim(session: Session, job_id: str, now: datetime) -> Job | None:
    """Mark the job running if it is still queued; None if someone else has it (or it is
    over). One UPDATE ... WHERE state = 'queued', so two workers cannot both claim it."""
    claimed = session.execute(
        update(Job)
        .where(Job.job_id == job_id, Job.state == QUEUED)
        .values(state=RUNNING, started_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return None
    return session.scalars(
        select(Job).where(Job.job_id == job_id).execution_options(populate_existing=True)
    ).one()


def claim_next(session: Session, now: datetime) -> Job | None:
    """Claim the oldest queued job, if any. On PostgreSQL the candidate row is locked with
    SKIP LOCKED, so workers claiming at once take different jobs; SQLite's write transaction
    (BEGIN IMMEDIATE) already serialises them."""
    job_id = session.scalars(
        select(Job.job_id)
        .where(Job.state == QUEUED)
        .order_by(Job.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    return None if job_id is None else claim(session, job_id, now)


def succeed(
    session: Session,
    job: Job,
    result: dict[str, Any],
    now: datetime,
    *,
    result_file: Iterable[bytes] | None = None,
    media_type: str | None = None,
) -> None:
    """End the job `succeeded`: in the job's command's transaction, so that what the command
    wrote and the job's success commit together."""
    if result_file is not None:
        write_chunks(session, job, RESULT, result_file)
    _finish(session, job, SUCCEEDED, now, result=result, media_type=media_type)


def fail(
    session: Session,
    job: Job,
    code: str,
    message: str,
    now: datetime,
    result: dict[str, Any] | None = None,
) -> None:
    _finish(session, job, FAILED, now, result=result, error=(code, message))


def _finish(
    session: Session,
    job: Job,
    state: str,
    now: datetime,
    *,
    result: dict[str, Any] | None = None,
    media_type: str | None = None,
    error: tuple[str, str] | None = None,
) -> None:
    values: dict[str, Any] = {"state": state, "finished_at": now}
    if result is not None:
        values["result"] = json.dumps(result, default=str)
        values["result_media_type"] = media_type
    if error is not None:
        values["error_code"], values["error_message"] = error
    if state == SUCCEEDED:
        values["progress_done"] = func.coalesce(Job.progress_total, Job.progress_done)
    finished = session.execute(
        update(Job)
        .where(
            Job.issuer_id == job.issuer_id,
            Job.job_id == job.job_id,
            Job.state == RUNNING,
            # The attempt is the fencing token: a run given up for lost and claimed again
            # cannot finish the job (its command rolls back instead).
            Job.attempts == job.attempts,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if finished.rowcount != 1:
        raise JobSuperseded(f"job {job.job_id} was claimed again; this run's work is undone")
    # The input may hold personal data (a CSV of holders): kept only until the job is over.
    session.execute(
        delete(JobChunk).where(
            JobChunk.issuer_id == job.issuer_id,
            JobChunk.job_id == job.job_id,
            JobChunk.part == PAYLOAD,
        )
    )


def requeue_lost(session: Session, now: datetime, after_seconds: float) -> int:
    """Queue again the jobs running for longer than `after_seconds`: their worker is taken
    for lost (killed, or its machine gone). Nothing a lost run did was committed, since a
    job's success commits with its command; if it was only slow, the attempt count fences it
    off. The number queued again."""
    requeued = session.execute(
        update(Job)
        .where(Job.state == RUNNING, Job.started_at < now - timedelta(seconds=after_seconds))
        .values(state=QUEUED)
        .execution_options(synchronize_session=False)
    )
    return requeued.rowcount


def record_progress(engine: Engine, job: Job, stage: str, done: int, total: int | None) -> None:
    """Write how far the job has got, committed at once on a connection of its own (the
    job's command holds its own transaction open until the end)."""
    with engine.begin() as connection:
        connection.execute(
            update(Job)
            .where(Job.issuer_id == job.issuer_id, Job.job_id == job.job_id)
            .values(progress_stage=stage[:100], progress_done=done, progress_total=total)
        )
