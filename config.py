"""Configuration classes, read from environment variables.

`create_app()` picks one by `SHARELEDGER_ENV` (development, test, production); every value can
be overridden by the environment variable of the same name.
"""

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("SHARELEDGER_INSTANCE", BASE_DIR / "instance"))


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


class Config:
    INSTANCE_PATH = str(INSTANCE_DIR)
    SECRET_KEY = _env("SECRET_KEY", "dev-only-secret-change-me")
    DATABASE_URL = _env("DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'shareledger.sqlite3'}")
    LOG_ORIGIN = _env("LOG_ORIGIN", "shareledger.localhost")
    # Where people reach the service (the demo prints its logins at this address).
    PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:5000")
    SIGNING_KEY_FILE = _env("SIGNING_KEY_FILE", str(INSTANCE_DIR / "signing-key.pem"))
    SIGNING_KEY_PASSPHRASE = _env("SIGNING_KEY_PASSPHRASE", "development-passphrase")
    # Only development and test may create a signing key on first use; production must be given one.
    SIGNING_KEY_AUTOCREATE = True
    SQL_ECHO = False

    API_TITLE = "ShareLedger API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = None
    API_SPEC_OPTIONS: ClassVar[dict] = {
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
    }

    # Request bodies: JSON up to 16 MiB (100,000 allocations of class, holder and quantity are
    # about 8 MiB); a file uploaded for import up to 64 MiB. Larger bodies answer 413 unread.
    MAX_CONTENT_LENGTH = int(_env("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))
    UPLOAD_MAX_CONTENT_LENGTH = int(_env("UPLOAD_MAX_CONTENT_LENGTH", str(64 * 1024 * 1024)))

    # How long an Idempotency-Key's first answer is kept for retries, in seconds.
    IDEMPOTENCY_KEY_TTL = int(_env("IDEMPOTENCY_KEY_TTL", str(24 * 60 * 60)))

    # Where disclosures' documents are kept: "database" (in the documents table) or
    # "filesystem" (files named by their SHA-256 under DOCUMENT_DIR, default instance/documents).
    DOCUMENT_STORE = _env("DOCUMENT_STORE", "database")
    DOCUMENT_DIR = os.environ.get("DOCUMENT_DIR")
    MAX_ATTACHMENT_BYTES = int(_env("MAX_ATTACHMENT_BYTES", str(20 * 1024 * 1024)))
    # Comma-separated media types a disclosure may attach (empty: the built-in list, see
    # app.disclosures.documents.DEFAULT_ALLOWED_TYPES).
    ALLOWED_ATTACHMENT_TYPES = tuple(
        kind.strip() for kind in _env("ALLOWED_ATTACHMENT_TYPES", "").split(",") if kind.strip()
    )
    # E-mail notifications: without SMTP_URL (smtp://host:port, or smtps://) they are only in
    # the app; `flask notifications send --loop` delivers them when it is set.
    SMTP_URL = _env("SMTP_URL", "")
    SMTP_STARTTLS = _env("SMTP_STARTTLS", "false").lower() in ("1", "true", "yes")
    SMTP_USERNAME = _env("SMTP_USERNAME", "")
    SMTP_PASSWORD = _env("SMTP_PASSWORD", "")
    MAIL_FROM = _env("MAIL_FROM", "ShareLedger <notifications@shareledger.localhost>")
    # Attempts at delivering one message (retried with a doubling delay) before it is failed.
    NOTIFICATION_MAX_ATTEMPTS = int(_env("NOTIFICATION_MAX_ATTEMPTS", "8"))
    # Background jobs (app.jobs). Without REDIS_URL the worker polls the jobs table itself;
    # with it, RQ on that Redis wakes the worker at once.
    REDIS_URL = _env("REDIS_URL", "")
    JOB_QUEUE = _env("JOB_QUEUE", "shareledger-jobs")
    # An import (CSV data rows) or a batch issuance (allocations) larger than this runs as a
    # job and is answered 202; so does an upload larger than JOB_THRESHOLD_BYTES.
    JOB_THRESHOLD_ROWS = int(_env("JOB_THRESHOLD_ROWS", "10000"))
    JOB_THRESHOLD_BYTES = int(_env("JOB_THRESHOLD_BYTES", str(8 * 1024 * 1024)))
    JOB_POLL_SECONDS = float(_env("JOB_POLL_SECONDS", "1"))
    # How often an idle RQ worker re-announces jobs still queued (a lost wake-up).
    JOB_SWEEP_SECONDS = float(_env("JOB_SWEEP_SECONDS", "30"))
    # RQ stops a job running longer than this (the command rolls back; the job fails).
    JOB_TIMEOUT_SECONDS = int(_env("JOB_TIMEOUT_SECONDS", str(2 * 60 * 60)))
    # A job running longer than this is taken for lost (its worker killed) and queued again.
    JOB_LOST_AFTER_SECONDS = int(_env("JOB_LOST_AFTER_SECONDS", str(2 * 60 * 60 + 300)))
    JOB_PROGRESS_EVERY = int(_env("JOB_PROGRESS_EVERY", "1000"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A browser session ends after this long without a request, and this long after login.
    SESSION_IDLE_MINUTES = int(_env("SESSION_IDLE_MINUTES", "30"))
    SESSION_MAX_HOURS = int(_env("SESSION_MAX_HOURS", "12"))

    # Throttling (flask-limiter): counters in Redis when REDIS_URL is set, else in memory
    # (one process only). Failed logins per account and per address; bad bearer tokens per
    # address; every request per token (high by default, so only abuse meets it).
    RATELIMIT_STORAGE_URI = _env("REDIS_URL", "memory://")
    LOGIN_FAILURES_PER_ACCOUNT = _env("LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_FAILURES_PER_ADDRESS = _env("LOGIN_FAILURES_PER_ADDRESS", "20 per 15 minutes")
    BAD_TOKENS_PER_ADDRESS = _env("BAD_TOKENS_PER_ADDRESS", "30 per 5 minutes")
    API_RATE_LIMIT = _env("API_RATE_LIMIT", "100000 per minute")
    WTF_CSRF_TIME_LIMIT = None


class DevelopmentConfig(Config):
    pass


class TestConfig(Config):
    TESTING = True
    DATABASE_URL = _env("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = True


class ProductionConfig(Config):
    SIGNING_KEY_AUTOCREATE = False
    SESSION_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("SHARELEDGER_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        known = ", ".join(sorted(CONFIGS))
        raise ValueError(f"unknown SHARELEDGER_ENV {name!r}; use one of {known}") from None
