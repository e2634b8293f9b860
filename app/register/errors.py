"""Domain errors. Each carries a stable machine code; the API and web layers pick the status."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class InvalidInput(DomainError):
    """Input that passed the schema but breaks a rule only the domain knows (e.g. a bad LEI)."""

    code = "invalid_input"


class Refused(DomainError):
    """A valid request the register refuses in its current state (insufficient shares, ...)."""

    code = "refused"

    def __init__(self, code: str, message: str, **details: Any) -> None:
        super().__init__(message, **details)
        self.code = code


class Duplicate(DomainError):
    code = "duplicate"
