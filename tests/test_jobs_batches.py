"""Background jobs for batch issuances and OCF exports, how a job reports progress and
fails, and the jobs context's place in the layering."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select

from app.commands import command
from app.db import normalise_url
from app.extensions import db
from app.jobs import ProgressReporter, Runner, create_job, store
from app.jobs.errors import JobSuperseded
from app.ledger.log import utc_now
from app.models.jobs import FAILED, SUCCEEDED, Job
from app.register import holders
from tests.support.helpers import HOLDER_C, bearer, holder_request, seed_register
from tests.support.jobs import job_row, on_redis, run_jobs
from tests.support.register_driver import Driver
from tests.test_architecture import BLOCK_FLASK, ROOT


@pytest.fixture
def company(app, new_issuer, make_token):
    app.config["JOB_THRESHOLD_ROWS"] = 2
    issuer_id = new_issuer()["id"]
    a, b = seed_register(app, issuer_id, 100)
    return issuer_id, (a, b), bearer(make_token("secretary", issuer_id))


def _batch(holder_ids, quantity=10) -> dict:
    return {
        "allocations": [{"class": "ORD", "holder_id": h, "quantity": quantity} for h in holder_ids]
    }


def _holding(client, issuer_id, headers, holder_id) -> int:
    page = client.get(
        f"/api/v1/issuers/{issuer_id}/holdings",
        query_string={"holder_id": holder_id},
        headers=headers,
    ).get_json()
    return sum(row["held"] for row in page["holdings"])


def test_a_large_batch_issuance_is_one_job_and_one_transaction(app, client, company):
    issuer_id, (a, b), headers = company
    driver = Driver(app)
    size = driver.log_size(issuer_id)
    with on_redis(app):
        response = client.post(
            f"/api/v1/issuers/{issuer_id}/issuances", json=_batch([a, b, a]), headers=headers
        )
        assert response.status_code == 202, response.get_json()
        job = response.get_json()
        assert job["kind"] == "issuance" and job["progress"] == {
            "stage": None,
            "done": 0,
            "total": 3,
        }
        assert _holding(client, issuer_id, headers, a) == 100
        assert run_jobs(app) == 1
    done = client.get(response.headers["Location"], headers=headers).get_json()
    assert done["state"] == SUCCEEDED
    assert done["result"] == {"log_indexes": [size, size + 1, size + 2], "tree_size": size + 3}
    assert done["progress"]["done"] == 3
    assert _holding(client, issuer_id, headers, a) == 120
    assert driver.kinds_since(issuer_id, size) == ["shares.issued"] * 3


def test_a_batch_the_register_refuses_fails_and_writes_nothing(app, client, company):
    issuer_id, (a, b), headers = company
    driver = Driver(app)
    before = driver.trace(issuer_id)
    batch = _batch([a, b, "h_no_such_holder"])
    response = client.post(f"/api/v1/issuers/{issuer_id}/issuances", json=batch, headers=headers)
    assert response.status_code == 202
    run_jobs(app)
    failed = client.get(response.headers["Location"], headers=headers).get_json()
    assert failed["state"] == FAILED
    assert failed["error"]["code"] == "not_found"
    assert "h_no_such_holder" in failed["error"]["message"]
    assert driver.trace(issuer_id) == before


def test_a_large_batch_with_bad_rows_is_refused_at_the_door(app, client, company):
    issuer_id, (a, b), headers = company
    batch = _batch([a, b, a])
    batch["allocations"][2]["quantity"] = "7"
    response = client.post(f"/api/v1/issuers/{issuer_id}/issuances", json=batch, headers=headers)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalars(select(Job)).all() == []


def _members(data: bytes) -> dict[str, dict]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return {name: json.loads(archive.read(name)) for name in archive.namelist()}


def test_an_ocf_export_job_gives_the_snapshot_package(app, client, company, regulator_headers):
    issuer_id, _, _ = company
    tree_size = Driver(app).log_size(issuer_id)
    response = client.post(f"/api/v1/issuers/{issuer_id}/exports", headers=regulator_headers)
    assert response.status_code == 202, response.get_json()
    job_path = response.headers["Location"]
    pending = client.get(f"{job_path}/result", headers=regulator_headers)
    assert pending.status_code == 409 and pending.get_json()["code"] == "job_not_finished"

    run_jobs(app)
    done = client.get(job_path, headers=regulator_headers).get_json()
    assert done["state"] == SUCCEEDED, done
    assert done["parameters"] == {"format": "ocf", "tree_size": tree_size}
    assert done["result_url"] == f"{job_path}/result"
    download = client.get(done["result_url"], headers=regulator_headers)
    assert download.status_code == 200 and download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"].endswith(f'-{tree_size}.ocf.zip"')
    exported = _members(download.get_data())
    streamed = client.get(
        f"/api/v1/issuers/{issuer_id}/snapshot",
        query_string={"format": "ocf", "tree_size": tree_size},
        headers=regulator_headers,
    )
    expected = _members(streamed.get_data())
    assert exported.keys() == expected.keys()
    for name, content in expected.items():
        if name != "Manifest.ocf.json":  # it says when it was generated
            assert exported[name] == content
    accesses = client.get(f"/api/v1/issuers/{issuer_id}/access-log", headers=company[2]).get_json()[
        "accesses"
    ]
    assert any(access["resource"].startswith(f"{job_path}/result") for access in accesses)


def test_an_export_of_a_size_never_signed_is_refused_at_once(app, client, company):
    issuer_id, _, headers = company
    response = client.post(
        f"/api/v1/issuers/{issuer_id}/exports", query_string={"tree_size": 2}, headers=headers
    )
    assert response.status_code == 404 and response.get_json()["code"] == "no_checkpoint"


def _runner(app, kinds) -> Runner:
    return Runner(kinds=kinds, write=db.write, engine=db.engine, clock=utc_now, progress_every=1)


def _queue(app, issuer_id: str, kind: str) -> str:
    with app.app_context(), db.write() as session:
        return create_job(
            session,
            issuer_id=issuer_id,
            kind=kind,
            parameters={},
            created_by="test",
            now=utc_now(),
        ).job_id


def test_a_job_that_breaks_fails_without_internals_and_writes_nothing(app, company):
    issuer_id, _, _ = company
    driver = Driver(app)
    before = driver.trace(issuer_id)

    def broken(run):
        with command("test", issuer_id) as ctx:
            holders.register_holder(ctx, holder_request(HOLDER_C))
            raise ZeroDivisionError("secret internals")

    job_id = _queue(app, issuer_id, "broken")
    with app.app_context():
        assert _runner(app, {"broken": broken}).run(job_id)
    failed = job_row(app, job_id)
    assert (failed.state, failed.error_code) == (FAILED, "internal_error")
    assert "secret" not in failed.error_message
    assert driver.trace(issuer_id) == before


def test_progress_is_seen_while_the_command_runs(app, company, database_url):
    """Progress commits on its own connection, while the job's command holds its
    transaction; on SQLite (one writer) a job shows only its start and its end."""
    issuer_id, _, _ = company
    seen = []
    onlooker = create_engine(normalise_url(database_url))

    def probe(run):
        with command("test", issuer_id) as ctx:
            run.progress.step("holders registered", 1, 2)
            with onlooker.connect() as connection:
                seen.append(
                    connection.execute(
                        select(Job.progress_stage, Job.progress_done, Job.progress_total).where(
                            Job.job_id == run.job.job_id
                        )
                    ).one()
                )
            run.succeed(ctx.session, {"ok": True})

    job_id = _queue(app, issuer_id, "probe")
    with app.app_context():
        _runner(app, {"probe": probe}).run(job_id)
    onlooker.dispose()
    if app.extensions["db_engine"].dialect.name == "sqlite":
        assert seen == [(None, 0, None)]
    else:
        assert seen == [("holders registered", 1, 2)]
    assert job_row(app, job_id).state == SUCCEEDED


def test_the_jobs_context_imports_no_flask():
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_FLASK, "app.jobs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_a_job_whose_worker_was_lost_runs_again_and_the_lost_run_cannot_finish(app, company):
    issuer_id, _, _ = company
    driver = Driver(app)
    before = driver.trace(issuer_id)
    job_id = _queue(app, issuer_id, "register")
    with app.app_context(), db.write() as session:
        # A worker claimed it an hour ago and was never heard of again.
        lost = store.claim(session, job_id, utc_now() - timedelta(hours=1))

    def register(run):
        with command("test", issuer_id) as ctx:
            holders.register_holder(ctx, holder_request(HOLDER_C))
            run.succeed(ctx.session, {"registered": 1})

    with app.app_context():
        jobs = _runner(app, {"register": register})
        assert jobs.requeue_lost(after_seconds=600) == 1
        # Had the lost run only been slow, it could not finish the job now.
        with pytest.raises(JobSuperseded), command("test", issuer_id) as ctx:
            holders.register_holder(ctx, holder_request(HOLDER_C))
            store.succeed(ctx.session, lost, {"registered": 1}, utc_now())
        assert driver.trace(issuer_id) == before
        assert jobs.run(job_id)
    again = job_row(app, job_id)
    assert (again.state, again.attempts) == (SUCCEEDED, 2)
    assert driver.kinds_since(issuer_id, before.tree_size) == ["holder.registered"]


def test_progress_is_passed_on_every_so_often_however_the_steps_come():
    written = []
    reporter = ProgressReporter(lambda *figures: written.append(figures), every=1000)
    for done in range(1, 2501):
        reporter.step("rows read", done, 2500)
    for done in (5000, 5001, 20000):  # a batch at a time
        reporter.step("entries recorded", done, 20000)
    assert written == [
        ("rows read", 1, 2500),
        ("rows read", 1001, 2500),
        ("rows read", 2001, 2500),
        ("rows read", 2500, 2500),
        ("entries recorded", 5000, 20000),
        ("entries recorded", 20000, 20000),
    ]
