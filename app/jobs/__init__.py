"""Background jobs: work longer than a request should take, run by a worker process.

A large import, a batch issuance over `JOB_THRESHOLD_ROWS` allocations or a large OCF export
is answered `202 Accepted` with a job resource; a worker (`flask jobs work`) runs the very
command the synchronous path runs (one command, one transaction) and keeps the job's state,
progress, result or error in the `jobs` table, where `GET /api/v1/jobs/{id}` reads them.

Why the database is the queue and RQ only the wake-up. The job row is written in the
request's own transaction (so an Idempotency-Key retry gets the same job back, and a refused
request leaves none), and the job is marked succeeded in the command's transaction (so the
register's change and "succeeded" commit together or not at all). A Redis message cannot take
part in either transaction: it can be lost (Redis restarted, unreachable at enqueue) or
delivered twice. So the row is the truth and the message carries only the job's id:

- with `REDIS_URL` set, the web process enqueues the id on RQ after the commit, and the worker
  runs an RQ SimpleWorker that claims the row (`queued` -> `running`, atomically: a second
  delivery finds it claimed and does nothing); before it waits for messages, and again every
  `JOB_SWEEP_SECONDS` it is idle, it re-enqueues rows still queued, so a lost message delays a
  job but never strands it;
- without it (embedded mode, `make run` without Redis) the worker claims queued rows itself,
  polling every `JOB_POLL_SECONDS`.

Either way the same `Runner` claims and runs a job. This package is Flask-free: the kinds of
job (what each runs) are given to it by the entry points (app.api.job_kinds), the worker loop
that drives it lives in app.worker.
"""

from app.jobs.errors import JobFailed, JobNotFound
from app.jobs.progress import ProgressReporter
from app.jobs.queries import queued_job_ids
from app.jobs.runner import JobRun, Kind, Runner
from app.jobs.store import claim, claim_next, create_job

__all__ = [
    "JobFailed",
    "JobNotFound",
    "JobRun",
    "Kind",
    "ProgressReporter",
    "Runner",
    "claim",
    "claim_next",
    "create_job",
    "queued_job_ids",
]
