"""`flask jobs work`: the worker that runs background jobs (app.jobs, app.worker)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app import worker

jobs_cli = AppGroup("jobs", help="Run background jobs (large imports, batches, exports).")


@jobs_cli.command("work")
@click.option("--burst", is_flag=True, help="Run the jobs queued now, then exit.")
def work_command(burst: bool) -> None:
    """Run queued jobs: woken by RQ when REDIS_URL is set, else polling the database."""
    app = current_app._get_current_object()
    mode = "woken by RQ on Redis" if worker.uses_redis(app) else "polling the database"
    click.echo(f"job worker ({mode}){' in burst mode' if burst else ''}", err=True)
    done = worker.work(app, burst=burst)
    click.echo(f"{done} job(s) run", err=True)
