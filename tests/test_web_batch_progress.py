"""Large CSV batches in the browser: over the API's job threshold the confirmed file
is imported by a job, and the secretary follows it on a progress page that ends with what it
recorded or why it failed (issue 11, "progress for large batches")."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.jobs import store
from app.models.jobs import FAILED, QUEUED, SUCCEEDED
from tests.support.jobs import job_row, run_jobs
from tests.support.logins import log_in, make_login
from tests.test_web_issuance import GOOD, HEADER, _secretary, _size, _upload

JOB_PAGE = re.compile(r"/issuers/([0-9a-f-]+)/jobs/([0-9a-f]{32})$")


@pytest.fixture
def small_batches(app):
    """Two data rows are a large batch."""
    app.config["JOB_THRESHOLD_ROWS"] = 1
    return app


def _checked_upload(client, issuer_id, text) -> str:
    page = _upload(client, issuer_id, text)
    return re.search(r'name="upload" type="hidden" value="([0-9a-f]{64})"', page).group(1)


def _confirm(client, issuer_id, upload):
    return client.post(f"/issuers/{issuer_id}/issue/csv/confirm", data={"upload": upload})


def _queued_job(app, client, issuer_id, text=HEADER + GOOD) -> str:
    answer = _confirm(client, issuer_id, _checked_upload(client, issuer_id, text))
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    found = JOB_PAGE.search(answer.headers["Location"])
    assert found and found.group(1) == issuer_id
    return found.group(2)


def test_a_batch_above_the_threshold_is_a_job_whose_page_shows_progress(
    small_batches, client, new_issuer
):
    app = small_batches
    issuer_id = _secretary(app, client, new_issuer)
    before = _size(app, issuer_id)
    job_id = _queued_job(app, client, issuer_id)
    job = job_row(app, job_id)
    assert (job.kind, job.state, job.progress_total) == ("import", QUEUED, 2)
    assert _size(app, issuer_id) == before, "nothing is imported before the worker runs it"

    page = client.get(f"/issuers/{issuer_id}/jobs/{job_id}").get_data(as_text=True)
    assert "Import of members and their shares" in page
    assert "Waiting for the worker to start it" in page
    assert '<label for="job-progress">Progress</label>' in page
    assert '<progress id="job-progress" max="2" value="0">0 of 2</progress>' in page
    assert 'http-equiv="refresh"' in page and "job-progress.js" in page

    # A running job's figures, as the worker writes them (on PostgreSQL, while it runs).
    with app.app_context():
        store.record_progress(db.engine, job, "rows checked against the register", 1500, 2400)
    page = client.get(f"/issuers/{issuer_id}/jobs/{job_id}").get_data(as_text=True)
    assert "rows checked against the register" in page
    assert '1,500</span> of <span id="job-total">2,400' in page
    assert '<progress id="job-progress" max="2400" value="1500">1,500 of 2,400</progress>' in page

    status = client.get(f"/issuers/{issuer_id}/jobs/{job_id}/status").get_json()
    assert status["state"] == QUEUED and status["progress"]["done"] == 1500


def test_the_finished_job_shows_what_it_recorded_with_links_to_the_proofs(
    small_batches, client, new_issuer
):
    app = small_batches
    issuer_id = _secretary(app, client, new_issuer)
    before = _size(app, issuer_id)
    job_id = _queued_job(app, client, issuer_id)
    assert run_jobs(app) == 1
    assert job_row(app, job_id).state == SUCCEEDED
    assert _size(app, issuer_id) == before + 4

    page = client.get(f"/issuers/{issuer_id}/jobs/{job_id}").get_data(as_text=True)
    assert "Done" in page and "http-equiv" not in page and "job-progress.js" not in page
    last = before + 3
    assert (
        f"Registered 2 members and recorded 2 allotments (4 log entries: {before:,} to {last:,})"
        in page
    )
    assert f'href="/issuers/{issuer_id}/entries/{before}"' in page
    assert f'href="/issuers/{issuer_id}/entries/{last}"' in page


def test_a_failed_job_says_why_in_plain_words(small_batches, client, new_issuer):
    app = small_batches
    issuer_id = _secretary(app, client, new_issuer)
    job_id = _queued_job(app, client, issuer_id)
    # Meanwhile someone registers one of the file's members by the API's way round: the
    # identifier is taken when the worker runs it.
    _upload_and_import_inline(app, client, issuer_id, HEADER + GOOD.splitlines()[0] + "\n")
    run_jobs(app)
    assert job_row(app, job_id).state == FAILED
    page = client.get(f"/issuers/{issuer_id}/jobs/{job_id}").get_data(as_text=True)
    assert "Failed: nothing was written" in page
    assert "The register refused the file, so nothing was written: it has 1 problem now" in page
    assert 'id="job-problems"' in page and "<td>line 2</td>" in page


def _upload_and_import_inline(app, client, issuer_id, text):
    app.config["JOB_THRESHOLD_ROWS"] = 500
    try:
        done = _confirm(client, issuer_id, _checked_upload(client, issuer_id, text))
        assert "/entries/" in done.headers["Location"]
    finally:
        app.config["JOB_THRESHOLD_ROWS"] = 1


def test_a_small_batch_is_still_imported_within_the_request(app, client, new_issuer):
    issuer_id = _secretary(app, client, new_issuer)
    before = _size(app, issuer_id)
    done = _confirm(client, issuer_id, _checked_upload(client, issuer_id, HEADER + GOOD))
    assert "/entries/" in done.headers["Location"]
    assert _size(app, issuer_id) == before + 4


def test_another_issuers_job_and_a_bad_id_are_not_found(small_batches, client, new_issuer):
    app = small_batches
    issuer_id = _secretary(app, client, new_issuer)
    job_id = _queued_job(app, client, issuer_id)
    other = new_issuer()["id"]
    make_login(app, "other@example.test", "secretary", other, display_name="Olive Other")
    for path in (f"/issuers/{issuer_id}/jobs/0123456789abcdef", f"/issuers/{issuer_id}/jobs/x"):
        assert client.get(path).status_code == 404
        assert client.get(f"{path}/status").status_code == 404
    outsider = app.test_client()
    log_in(outsider, "other@example.test")
    # Through the other issuer's own address: the job is not its.
    assert outsider.get(f"/issuers/{other}/jobs/{job_id}").status_code == 404
    assert outsider.get(f"/issuers/{other}/jobs/{job_id}/status").status_code == 404
    # Through the job's issuer: that register is not the other secretary's.
    assert outsider.get(f"/issuers/{issuer_id}/jobs/{job_id}").status_code == 403


def test_a_file_over_the_byte_threshold_is_a_job_whatever_its_rows(app, client, new_issuer):
    """The page and the API share one threshold: a few rows of a large file still go to a job."""
    issuer_id = _secretary(app, client, new_issuer)
    app.config["JOB_THRESHOLD_BYTES"] = len(HEADER + GOOD) - 1
    job_id = _queued_job(app, client, issuer_id)
    assert job_row(app, job_id).state == QUEUED
