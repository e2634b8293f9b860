"""Background jobs: work longer than a request (large imports and batches), run by a worker.

The `jobs` table is the queue and the record: a job's state, progress, result or error live
here, so that `GET /api/v1/jobs/{id}` reads the database whatever carried the wake-up. The
job's input (a CSV file, a batch's JSON body) and any result file (an OCF export) are stored
in `job_chunks`, a chunk per row, so that neither the web process nor the database driver has
to hold a whole upload as one value.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime
from app.models.log import ISSUER_ID

JOB_ID = String(32)
QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
STATES = (QUEUED, RUNNING, SUCCEEDED, FAILED)
PAYLOAD, RESULT = "payload", "result"


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # The worker claims the oldest queued job; GET /jobs/{id} finds a job by its id alone.
        Index("ix_jobs_state_created_at", "state", "created_at"),
        Index("ix_jobs_job_id", "job_id"),
    )

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    job_id: Mapped[str] = mapped_column(JOB_ID, primary_key=True)
    # What to run: "import", "issuance", "ocf_export" (app.api.job_kinds).
    kind: Mapped[str] = mapped_column(String(32))
    # The request's parameters as JSON (e.g. {"format": "csv", "dry_run": true}).
    parameters: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    progress_stage: Mapped[str | None] = mapped_column(String(100))
    progress_done: Mapped[int] = mapped_column(BigInteger, default=0)
    progress_total: Mapped[int | None] = mapped_column(BigInteger)
    # What the synchronous answer would have said, as JSON (an import's report, ...).
    result: Mapped[str | None] = mapped_column(Text)
    result_media_type: Mapped[str | None] = mapped_column(String(100))
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    # Who asked, as the log names actors ("token:<id>"): the worker acts as them.
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class JobChunk(Base):
    """One piece of a job's input (`payload`) or result file (`result`), in order."""

    __tablename__ = "job_chunks"

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    job_id: Mapped[str] = mapped_column(JOB_ID, primary_key=True)
    part: Mapped[str] = mapped_column(String(16), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
