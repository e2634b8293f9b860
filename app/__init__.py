"""ShareLedger: a signed, append-only, verifiable share register.

The factory imports Flask and the rest lazily, inside the functions, so that the pure ledger
(`python -m app.ledger.verify`) runs with no Flask and no database driver installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config_name: str | None = None, overrides: Mapping[str, Any] | None = None) -> Flask:
    from flask import Flask

    from config import config_for

    settings = config_for(config_name)
    overrides = dict(overrides or {})
    # No app-wide /static route: the pages' assets are the web blueprint's, under /assets.
    app = Flask(
        __name__,
        instance_path=overrides.get("INSTANCE_PATH", settings.INSTANCE_PATH),
        static_folder=None,
    )
    app.config.from_object(settings)
    app.config.update(overrides)
    # The SQLite file, the development key and the demo credentials live here.
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _check_production_settings(app)
    register_extensions(app)
    register_security(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _check_production_settings(app: Flask) -> None:
    if app.config.get("SIGNING_KEY_AUTOCREATE") or app.config.get("TESTING"):
        return
    if app.config["SECRET_KEY"] == "dev-only-secret-change-me":
        raise RuntimeError("SECRET_KEY must be set in production")


def register_extensions(app: Flask) -> None:
    from app import (
        disclosures,  # noqa: F401  (installs the disclosures' appliers)
        models,  # noqa: F401  (registers every table on the metadata)
        notices,  # noqa: F401  (installs the notices' appliers and command finisher)
        notifications,  # noqa: F401  (installs the outbox's entry listener)
        transfers,  # noqa: F401  (installs the workflow's appliers)
    )
    from app.api.errors import ErrorSchema
    from app.auth.sessions import init_login
    from app.document_store import install_document_store
    from app.extensions import api, csrf, db, limiter, login_manager

    db.init_app(app)
    # The OpenAPI document describes every error with the API's own error body.
    api.ERROR_SCHEMA = ErrorSchema
    api.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    init_login(login_manager)
    install_document_store(app)
    limiter.init_app(app)


def register_security(app: Flask) -> None:
    from app.security import init_security

    init_security(app)


def register_blueprints(app: Flask) -> None:
    from app.api.blueprints import register_api
    from app.extensions import api, csrf
    from app.web import register_web

    register_api(api, csrf)
    register_web(app)


def register_errorhandlers(app: Flask) -> None:
    from app.errors import register_error_handlers
    from app.request_guard import register_request_guards

    register_error_handlers(app)
    register_request_guards(app)


def register_commands(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)
