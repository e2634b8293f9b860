"""The app's error handlers: one JSON shape for the API, the HTML error page for pages.

API errors are `{"code": machine code, "message": human text, "errors"?, "details"?}`. Domain
errors are translated here, so services never know about HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app.disclosures.errors import AttachmentTooLarge, DocumentCorrupt, UnsupportedMediaType
from app.ledger.log import LogNotFound, LogRangeError
from app.register.errors import DomainError, Duplicate, InvalidInput, NotFound, Refused

API_PREFIX = "/api/"

DOMAIN_STATUS: dict[type[DomainError], int] = {
    AttachmentTooLarge: 413,
    UnsupportedMediaType: 415,
    # The store changed behind the service's back: the server's fault, loudly.
    DocumentCorrupt: 500,
    NotFound: 404,
    InvalidInput: 422,
    Refused: 409,
    Duplicate: 409,
}


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, errors: Any = None, details: Any = None
) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if errors:
        body["errors"] = errors
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    return response


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _wants_json() -> bool:
    return request.path.startswith(API_PREFIX)


# Codes for HTTP errors whose generic name says less than it should.
HTTP_CODES = {413: "too_large"}


def _flatten(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(field path, message) for every message in marshmallow's nested shapes: a list of
    texts, a dict by field (or by row index, for a list of rows), or a bare text."""
    if isinstance(messages, Mapping):
        for name, inner in messages.items():
            yield from _flatten(inner, f"{prefix}.{name}" if prefix else str(name))
    elif isinstance(messages, list | tuple):
        for inner in messages:
            yield from _flatten(inner, prefix)
    else:
        yield prefix or "_schema", str(messages)


def _field_errors(messages: Any) -> Any:
    """webargs keys its messages by location ({"json": {...}}); a single location's messages
    are the fields' own."""
    if isinstance(messages, Mapping) and len(messages) == 1:
        return next(iter(messages.values()))
    return messages


def _validation_error(status: int, messages: Any) -> Response:
    fields = _field_errors(messages)
    if messages == {"json": ["Invalid JSON body."]}:
        return error_response(400, "invalid_json", "the body is not valid JSON")
    code = "invalid_parameters" if status == 400 else "invalid_input"
    summary = "; ".join(f"{name}: {text}" for name, text in _flatten(fields))
    errors = _string_keys(fields) if isinstance(fields, Mapping) else {"_schema": [summary]}
    return error_response(status, code, f"invalid request: {summary}", errors)


def _string_keys(messages: Any) -> Any:
    """Row indexes become "17", as JSON keys must (and sorting mixed keys would fail)."""
    if isinstance(messages, Mapping):
        return {str(name): _string_keys(inner) for name, inner in messages.items()}
    return messages


def handle_http_exception(error: HTTPException) -> Response | tuple[str, int]:
    status = error.code or 500
    if not _wants_json():
        return render_template("error.html", status=status, error=error), status
    data = getattr(error, "data", None)
    messages = data.get("messages") if isinstance(data, Mapping) else None
    if messages is not None:
        return _validation_error(status, messages)
    code = HTTP_CODES.get(status) or _slug(error.name)
    return error_response(status, code, error.description or error.name)


def handle_api_error(error: ApiError) -> Response:
    response = error_response(error.status, error.code, error.message, error.errors)
    response.headers.update(error.headers)
    return response


def domain_status(error: DomainError) -> int:
    return next((code for kind, code in DOMAIN_STATUS.items() if isinstance(error, kind)), 409)


def handle_domain_error(error: DomainError) -> Response | tuple[str, int]:
    status = domain_status(error)
    if status >= 500:
        current_app.logger.error("%s %s: %s (%s)", request.method, request.path, error, error.code)
    if not _wants_json():
        return render_template("error.html", status=status, error=error), status
    return domain_error_response(error)


def domain_error_response(error: DomainError) -> Response:
    """The JSON answer to a domain error, for the API and for a page's JSON route."""
    status = domain_status(error)
    details = dict(error.details)
    field = details.pop("field", None)
    errors = {field: [error.message]} if field else None
    return error_response(status, error.code, error.message, errors, details)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(
        LogNotFound, lambda e: error_response(404, "not_found", f"no log for issuer {e}")
    )
    app.register_error_handler(LogRangeError, lambda e: error_response(400, "out_of_range", str(e)))
    app.register_error_handler(
        IntegrityError,
        lambda e: error_response(
            409, "conflict", "the change conflicts with another one made at the same time"
        ),
    )
