"""`flask log verify` rehashes every stored document against the SHA-256 its disclosure entry
recorded: bytes changed or removed behind the service's back fail the check, by name."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app import append_only
from app.extensions import db
from tests.support.disclosures import (
    CSV,
    PDF,
    amend_disclosure,
    publish_disclosure,
    sha,
    use_filesystem_store,
)


@pytest.fixture
def issuer_id(new_issuer) -> str:
    return new_issuer()["id"]


def verify(runner):
    return runner.invoke(args=["log", "verify"])


def test_an_honest_store_rehashes_to_the_log(app, runner, issuer_id):
    first = publish_disclosure(app, issuer_id, attachments=(PDF, CSV))
    amend_disclosure(app, issuer_id, first.disclosure_id, body="Corrected report.")

    result = verify(runner)
    assert result.exit_code == 0, result.output
    # Two bodies, the PDF and the CSV (the amendment carries the same PDF again).
    assert "4 documents rehash to their logged SHA-256" in result.output


def test_a_changed_database_row_fails_verification_naming_the_document(app, runner, issuer_id):
    recorded = publish_disclosure(app, issuer_id, attachments=(PDF, CSV))
    with app.app_context(), db.engine.begin() as connection:
        for statement in append_only.drop_statements(connection.dialect.name, "documents"):
            connection.execute(text(statement))
        connection.execute(
            text("UPDATE documents SET content = :forged WHERE sha256 = :sha"),
            {"forged": b"year,revenue\n2026,9900000\n", "sha": sha(CSV.content)},
        )

    result = verify(runner)
    assert result.exit_code == 1
    assert f"document {sha(CSV.content)} is corrupt" in result.output
    assert f"figures.csv of disclosure {recorded.disclosure_id}" in result.output


@pytest.mark.parametrize("change", ["overwrite", "delete"])
def test_a_changed_or_missing_file_fails_verification(app, runner, issuer_id, tmp_path, change):
    use_filesystem_store(app, tmp_path / "documents")
    recorded = publish_disclosure(app, issuer_id)
    assert verify(runner).exit_code == 0
    path = tmp_path / "documents" / recorded.body_sha256[:2] / recorded.body_sha256
    if change == "overwrite":
        path.write_text("The directors present a different report.")
    else:
        path.unlink()

    result = verify(runner)
    assert result.exit_code == 1
    assert f"document {recorded.body_sha256} is corrupt" in result.output
    assert f"the body of disclosure {recorded.disclosure_id}" in result.output
    expected = "now hash to" if change == "overwrite" else "missing"
    assert expected in result.output
