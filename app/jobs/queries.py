"""Reads of jobs: find one, its input, its result file, what is still queued."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.jobs.errors import JobNotFound
from app.models.jobs import PAYLOAD, QUEUED, RESULT, Job, JobChunk


def read_chunks(session: Session, issuer_id: str, job_id: str, part: str) -> Iterator[bytes]:
    """The job's `part`, a chunk at a time (one query each, so only one is held)."""
    count = session.scalar(
        select(func.count()).where(
            JobChunk.issuer_id == issuer_id, JobChunk.job_id == job_id, JobChunk.part == part
        )
    )
    for sequence in range(count or 0):
        yield session.scalars(
            select(JobChunk.data).where(
                JobChunk.issuer_id == issuer_id,
                JobChunk.job_id == job_id,
                JobChunk.part == part,
                JobChunk.sequence == sequence,
            )
        ).one()


def read_payload(session: Session, job: Job) -> bytes:
    return b"".join(read_chunks(session, job.issuer_id, job.job_id, PAYLOAD))


def has_result_file(session: Session, job: Job) -> bool:
    return (
        session.scalar(
            select(func.count()).where(
                JobChunk.issuer_id == job.issuer_id,
                JobChunk.job_id == job.job_id,
                JobChunk.part == RESULT,
            )
        )
        > 0
    )


def result_file(session: Session, job: Job) -> Iterator[bytes]:
    return read_chunks(session, job.issuer_id, job.job_id, RESULT)


def find_job(session: Session, job_id: str) -> Job:
    job = session.scalars(select(Job).where(Job.job_id == job_id)).one_or_none()
    if job is None:
        raise JobNotFound(f"no job {job_id}")
    return job


def queued_job_ids(session: Session) -> list[str]:
    """Every queued job, oldest first (what a worker re-announces after a restart)."""
    return list(
        session.scalars(select(Job.job_id).where(Job.state == QUEUED).order_by(Job.created_at))
    )
