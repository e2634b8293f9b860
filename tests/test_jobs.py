"""Background jobs: a large import or batch is answered 202 with a job, a worker runs the same
command, and `GET /api/v1/jobs/{id}` tells how it went (issue 10, "Background jobs")."""

from __future__ import annotations

import pytest

from app.models.jobs import FAILED, QUEUED, SUCCEEDED
from tests.support.helpers import bearer
from tests.support.jobs import chunk_count, job_row, on_redis, run_jobs
from tests.support.register_driver import Driver
from tests.test_import_csv import GOOD, _post, holdings_by_name
from tests.test_import_ocf import EXPECTED_COUNTS, write_package, zipped
from tests.test_import_ocf import _post as post_package

BAD_ROW = "nobody,,,,,,,,,ORD,,,,,,10,,"


@pytest.fixture
def small_jobs(app):
    """Jobs from three data rows or allocations up, so that a test's input is 'large'."""
    app.config["JOB_THRESHOLD_ROWS"] = 2
    return app


@pytest.fixture
def secretary(app, new_issuer, make_token):
    issuer_id = new_issuer()["id"]
    return issuer_id, bearer(make_token("secretary", issuer_id))


def _accepted(response) -> dict:
    assert response.status_code == 202, response.get_json()
    job = response.get_json()
    assert response.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    return job


def test_a_large_csv_import_is_a_job_the_worker_runs(small_jobs, client, secretary):
    app = small_jobs
    issuer_id, headers = secretary
    driver = Driver(app)
    size = driver.log_size(issuer_id)

    job = _accepted(_post(client, issuer_id, GOOD, headers))
    assert job["state"] == QUEUED and job["kind"] == "import"
    assert job["parameters"] == {"format": "csv", "dry_run": False, "checksums": True}
    assert driver.log_size(issuer_id) == size, "nothing is imported before the worker runs it"
    assert chunk_count(app, job["id"]) == {"payload": 1}

    assert run_jobs(app) == 1
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()
    assert done["state"] == SUCCEEDED and done["error"] is None
    assert done["result"]["imported"] is True
    assert done["result"]["counts"] == {
        "classes": 2,
        "holders": 3,
        "issuances": 4,
        "log_entries": 9,
    }
    assert (done["result"]["first_log_index"], done["result"]["last_log_index"]) == (
        size,
        size + 8,
    )
    assert done["started_at"] and done["finished_at"]
    assert holdings_by_name(app, issuer_id)[("Ada Lovelace", "ORD")] == 1000
    assert driver.log_size(issuer_id) == size + 9
    assert chunk_count(app, job["id"]) == {}, "the uploaded file is not kept once done"
    assert run_jobs(app) == 0


def test_a_small_import_still_answers_at_once(app, client, secretary):
    issuer_id, headers = secretary
    assert _post(client, issuer_id, GOOD, headers).status_code == 201


def test_a_large_dry_run_is_a_job_that_writes_nothing(small_jobs, client, secretary):
    issuer_id, headers = secretary
    driver = Driver(small_jobs)
    before = driver.trace(issuer_id)
    job = _accepted(_post(client, issuer_id, GOOD, headers, dry_run="true"))
    run_jobs(small_jobs)
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()
    assert done["state"] == SUCCEEDED
    assert done["result"]["dry_run"] is True and done["result"]["imported"] is False
    assert done["result"]["counts"]["log_entries"] == 9
    assert driver.trace(issuer_id) == before


def test_an_import_with_problems_fails_with_them_and_writes_nothing(small_jobs, client, secretary):
    issuer_id, headers = secretary
    driver = Driver(small_jobs)
    before = driver.trace(issuer_id)
    job = _accepted(_post(client, issuer_id, f"{GOOD}\n{BAD_ROW}", headers))
    run_jobs(small_jobs)
    failed = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()
    assert failed["state"] == FAILED
    assert failed["error"]["code"] == "import_rejected"
    assert failed["result"]["ok"] is False
    assert [problem["where"] for problem in failed["result"]["problems"]] == ["line 7"]
    assert driver.trace(issuer_id) == before
    assert chunk_count(small_jobs, job["id"]) == {}


def test_a_job_is_seen_by_its_issuer_and_the_operator_only(
    small_jobs, client, secretary, new_issuer, make_token, operator_headers
):
    issuer_id, headers = secretary
    job = _accepted(_post(client, issuer_id, GOOD, headers))
    other = new_issuer()["id"]
    path = f"/api/v1/jobs/{job['id']}"
    assert client.get(path, headers=operator_headers).status_code == 200
    assert client.get(path, headers=bearer(make_token("secretary", issuer_id))).status_code == 200
    unknown = client.get("/api/v1/jobs/0123456789abcdef", headers=operator_headers)
    for outsider in (make_token("secretary", other), make_token("regulator")):
        refused = client.get(path, headers=bearer(outsider))
        # As for a job that does not exist: an id cannot be probed.
        assert refused.status_code == unknown.status_code == 404
        assert refused.get_json()["code"] == "not_found"
    assert client.get(path).status_code == 401


def test_a_retried_request_gets_the_same_job(small_jobs, client, secretary):
    issuer_id, headers = secretary
    retry_safe = {**headers, "Idempotency-Key": "import-once"}
    first = _accepted(_post(client, issuer_id, GOOD, retry_safe))
    again = _post(client, issuer_id, GOOD, retry_safe)
    assert again.status_code == 202 and again.headers["Idempotency-Replayed"] == "true"
    assert again.get_json()["id"] == first["id"]
    assert run_jobs(small_jobs) == 1


def test_the_worker_on_redis_runs_what_it_is_told(small_jobs, client, secretary):
    issuer_id, headers = secretary
    with on_redis(small_jobs):
        job = _accepted(_post(client, issuer_id, GOOD, headers))
        assert run_jobs(small_jobs) == 1
    assert job_row(small_jobs, job["id"]).state == SUCCEEDED
    assert holdings_by_name(small_jobs, issuer_id)[("Brunel Engineering Ltd", "ORD")] == 5000


def test_a_job_whose_wake_up_was_lost_is_still_run(small_jobs, client, secretary):
    issuer_id, headers = secretary
    # Queued while Redis was not configured (or unreachable): no message was sent.
    job = _accepted(_post(client, issuer_id, GOOD, headers))
    with on_redis(small_jobs):
        assert run_jobs(small_jobs) == 1
    assert job_row(small_jobs, job["id"]).state == SUCCEEDED


def test_a_job_delivered_twice_runs_once(small_jobs, client, secretary):
    from app.job_queue import announce

    issuer_id, headers = secretary
    with on_redis(small_jobs):
        job = _accepted(_post(client, issuer_id, GOOD, headers))
        announce(small_jobs, [job["id"], job["id"]])
        run_jobs(small_jobs)
    assert job_row(small_jobs, job["id"]).attempts == 1
    assert holdings_by_name(small_jobs, issuer_id)[("Ada Lovelace", "ORD")] == 1000


def test_the_worker_command_in_burst_mode(small_jobs, client, secretary, runner):
    issuer_id, headers = secretary
    job = _accepted(_post(client, issuer_id, GOOD, headers))
    result = runner.invoke(args=["jobs", "work", "--burst"])
    assert result.exit_code == 0, result.output
    assert "1 job(s) run" in result.output
    assert job_row(small_jobs, job["id"]).state == SUCCEEDED


def test_a_large_ocf_package_is_imported_by_a_job(app, client, secretary, tmp_path):
    issuer_id, headers = secretary
    write_package(tmp_path / "acme")
    data = zipped(tmp_path / "acme")
    app.config["JOB_THRESHOLD_BYTES"] = len(data) - 1
    job = _accepted(post_package(client, issuer_id, data, headers))
    assert job["parameters"]["format"] == "ocf"
    run_jobs(app)
    done = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()
    assert done["state"] == SUCCEEDED, done["error"]
    assert done["result"]["counts"] == EXPECTED_COUNTS


def test_a_large_upload_that_is_no_package_fails_as_rejected(app, client, secretary):
    issuer_id, headers = secretary
    app.config["JOB_THRESHOLD_BYTES"] = 10
    job = _accepted(post_package(client, issuer_id, b"not a zip, only long enough", headers))
    run_jobs(app)
    failed = client.get(f"/api/v1/jobs/{job['id']}", headers=headers).get_json()
    assert failed["state"] == FAILED and failed["error"]["code"] == "import_rejected"
    assert [(p["where"], p["code"]) for p in failed["result"]["problems"]] == [
        ("package", "invalid_zip")
    ]
