"""Fixtures: every app-level test runs once on SQLite and, when TEST_DATABASE_URL is set, once
more on PostgreSQL, each time on a fresh database cloned from a migrated template."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import create_app
from app.auth.tokens import create_token
from app.db import normalise_url
from app.ledger import keys
from app.ledger.log import utc_now
from tests.support.helpers import STATED_PURPOSE, bearer, issuer_fields

PG_URL = os.environ.get("TEST_DATABASE_URL")
ENGINES = ["sqlite", *(["postgresql"] if PG_URL else [])]
KEY_PASSPHRASE = "test-passphrase-not-secret"
_counter = itertools.count()


def _migrate(url: str, instance: Path) -> None:
    app = create_app("test", _settings(url, instance))
    with app.app_context():
        from app.cli.database import upgrade_database

        upgrade_database()
        app.extensions["db_engine"].dispose()


def _settings(url: str, instance: Path, key_file: Path | None = None) -> dict:
    return {
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(instance),
        "SIGNING_KEY_FILE": str(key_file or instance / "signing-key.pem"),
        "SIGNING_KEY_PASSPHRASE": KEY_PASSPHRASE,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
    }


@pytest.fixture(scope="session")
def signing_key_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("keys") / "signing-key.pem"
    keys.save_key(keys.generate_key(), path, KEY_PASSPHRASE)
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    _migrate(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """The fresh database named by TEST_DATABASE_URL, migrated; each test clones it."""
    assert PG_URL, "TEST_DATABASE_URL is not set"
    _migrate(PG_URL, Path("/tmp"))
    yield make_url(normalise_url(PG_URL)).database


def _pg_admin():
    url = make_url(normalise_url(PG_URL)).set(database="postgres")
    return create_engine(url, isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_database(request, engine: str, folder: Path) -> Iterator[str]:
    """The URL of a fresh database on the engine, cloned from the migrated template."""
    if engine == "sqlite":
        path = folder / "shareledger.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"{template}_{os.getpid()}_{next(_counter)}"
    admin = _pg_admin()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield make_url(normalise_url(PG_URL)).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def app_on(url: str, folder: Path, key_file: Path, **overrides) -> Iterator[Flask]:
    application = create_app("test", {**_settings(url, folder, key_file), **overrides})
    # The throttles count in one in-memory store per process: each test starts with none.
    from app.extensions import limiter

    with application.app_context():
        limiter.reset()
    yield application
    application.extensions["db_engine"].dispose()


@pytest.fixture(params=ENGINES)
def database_url(request, tmp_path) -> Iterator[str]:
    with fresh_database(request, request.param, tmp_path) as url:
        yield url


@pytest.fixture
def app(database_url, tmp_path, signing_key_file) -> Iterator[Flask]:
    with app_on(database_url, tmp_path, signing_key_file) as application:
        yield application


@pytest.fixture(scope="module")
def module_app_overrides() -> dict:
    """Settings for `module_app`; a module overrides this fixture to change them."""
    return {}


@pytest.fixture(scope="module", params=ENGINES)
def module_app(
    request, tmp_path_factory, signing_key_file, module_app_overrides
) -> Iterator[Flask]:
    """One app and fresh database shared by a module's tests (for a world seeded once and read
    by many tests), on each engine."""
    folder = tmp_path_factory.mktemp("module-app")
    with (
        fresh_database(request, request.param, folder) as url,
        app_on(url, folder, signing_key_file, **module_app_overrides) as application,
    ):
        yield application


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_token(app):
    """make_token(role, issuer_id=None) -> the bearer secret of a new token."""

    def make(role: str, issuer_id: str | None = None) -> str:
        from app.extensions import db

        with app.app_context(), db.write() as session:
            _, secret = create_token(
                session, role=role, label=f"test {role}", issuer_id=issuer_id, now=utc_now()
            )
        return secret

    return make


# Operators and regulators state why they read personal data (tests/test_purpose.py); these
# clients state it on every request, as a supervisor's configured client would.
@pytest.fixture
def operator_headers(make_token) -> dict[str, str]:
    return {**bearer(make_token("operator")), **STATED_PURPOSE}


@pytest.fixture
def regulator_headers(make_token) -> dict[str, str]:
    return {**bearer(make_token("regulator")), **STATED_PURPOSE}


@pytest.fixture
def new_issuer(client, operator_headers):
    """new_issuer(**fields) -> the JSON of a freshly registered issuer."""

    def create(**overrides) -> dict:
        response = client.post(
            "/api/v1/issuers", json=issuer_fields(**overrides), headers=operator_headers
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create
