"""Errors of the jobs context."""

from __future__ import annotations

from typing import Any

from app.register.errors import DomainError, NotFound


class JobNotFound(NotFound):
    """No such job, or one the caller may not see (they answer alike)."""


class JobFailed(Exception):
    """Raised by a job's kind to end it `failed` with a machine code, a message and, when the
    synchronous answer would have carried one, a result (an import's list of problems)."""

    def __init__(self, code: str, message: str, result: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.result = result

    @classmethod
    def of(cls, error: DomainError) -> JobFailed:
        return cls(error.code, error.message, {"details": error.details} if error.details else None)


class JobSuperseded(RuntimeError):
    """A run of a job that was taken for lost and claimed again tried to finish it."""
