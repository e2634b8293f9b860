"""The app's error handlers: one JSON shape for the API, the HTML error page for pages.

API errors are `{"code": machine code, "message": human text, "errors"?, "details"?}`. Domain
errors are translated here, so services never know about HTTP.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, abort, jsonify, render_template, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from app.ledger.log import LogNotFound, LogRangeError
from app.register.errors import DomainError, Duplicate, InvalidInput, NotFound, Refused

API_PREFIX = "/api/"

DOMAIN_STATUS: dict[type[DomainError], int] = {
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


def handle_http_exception(error: HTTPException) -> Response | tuple[str, int]:
    status = error.code or 500
    if not _wants_json():
        return render_template("error.html", status=status, error=error), status
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if messages is not None:
        # webargs puts validation messages by location: {"query": {"index": [...]}}
        fields = next(iter(messages.values())) if len(messages) == 1 else messages
        code = "invalid_parameters" if status == 400 else "invalid_input"
        summary = "; ".join(
            f"{name}: {' '.join(map(str, texts)) if isinstance(texts, list) else texts}"
            for name, texts in fields.items()
        )
        return error_response(status, code, f"invalid request: {summary}", fields)
    return error_response(status, _slug(error.name), error.description or error.name)


def handle_api_error(error: ApiError) -> Response:
    response = error_response(error.status, error.code, error.message, error.errors)
    response.headers.update(error.headers)
    return response


def domain_status(error: DomainError) -> int:
    return next((code for kind, code in DOMAIN_STATUS.items() if isinstance(error, kind)), 409)


def handle_domain_error(error: DomainError) -> Response | tuple[str, int]:
    status = domain_status(error)
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


def reject_nul_characters() -> None:
    """No register value contains NUL, and PostgreSQL cannot store one in text: refuse it at
    the door, in the path, the query, a form or a JSON body."""
    suspects = [request.path, *request.args.keys(), *request.args.values()]
    suspects += request.form.values() if request.form else []
    if request.is_json:
        suspects.append(request.get_data(as_text=True).replace("\\u0000", "\x00"))
    if any("\x00" in text for text in suspects):
        message = "the request contains a NUL character"
        if _wants_json():
            raise ApiError(400, "invalid_parameters", message)
        abort(400, message)


def register_error_handlers(app: Flask) -> None:
    app.before_request(reject_nul_characters)
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
