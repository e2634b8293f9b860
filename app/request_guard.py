"""What every request passes before a view or a schema reads it.

In order: the body's size (413 `too_large`, from the Content-Length alone), who is calling (an
API write without a token answers 401 before its body is looked at), then the body itself: no
NUL anywhere, and a JSON body must be JSON the log can carry (`app.strict_json`): 400
`invalid_json`, `too_deep` or `number_too_long`, 422 `invalid_text`. The schemas see only
bodies that passed.

JSON bodies are limited by MAX_CONTENT_LENGTH (16 MiB by default); a view that takes a file
(`@accepts_upload`) by UPLOAD_MAX_CONTENT_LENGTH instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, abort, current_app, request

from app import strict_json
from app.api.access import require_principal, require_role, require_write
from app.errors import API_PREFIX, ApiError
from app.route_access import ISSUER_WRITE, OPERATOR, declared_rule

View = TypeVar("View", bound=Callable[..., Any])

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
JSON_STATUS = {
    strict_json.INVALID_JSON: 400,
    strict_json.TOO_DEEP: 400,
    strict_json.NUMBER_TOO_LONG: 400,
    strict_json.INVALID_TEXT: 422,
}


def accepts_upload(view: View) -> View:
    """Mark a view that takes a file as its body (the upload size limit applies to it)."""
    view.accepts_upload = True  # type: ignore[attr-defined]
    return view


def _is_api() -> bool:
    return request.path.startswith(API_PREFIX)


def _refuse(status: int, code: str, message: str, errors: Any = None) -> None:
    if _is_api():
        raise ApiError(status, code, message, errors)
    abort(status, message)


def limit_body_size() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_upload", False):
        request.max_content_length = current_app.config["UPLOAD_MAX_CONTENT_LENGTH"]
    limit = request.max_content_length
    # Werkzeug refuses a longer body when it is read; a view that never reads it is refused too.
    if limit is not None and (request.content_length or 0) > limit:
        _refuse(413, "too_large", f"the body is over the limit of {limit:,} bytes")


def authenticate_api_writes() -> None:
    """Every API write needs a token: without one, the body is none of our business yet. (A
    path that names no route is left to answer 404 or 405.)"""
    if _is_api() and request.method not in READ_METHODS and request.endpoint is not None:
        require_principal()


def authorise_api_writes() -> None:
    """Authorisation before the body too: an API write the route declares for the issuer's
    writers (or the operator) is refused, 404 or 403, before any schema reads its body. The
    declaration (app.route_access) is the rule the matrix test checks every route against."""
    if not (_is_api() and request.method not in READ_METHODS and request.endpoint):
        return
    rule = declared_rule(request.endpoint, current_app.view_functions.get(request.endpoint))
    issuer_id = (request.view_args or {}).get("issuer_id")
    if rule == ISSUER_WRITE and issuer_id is not None:
        require_write(issuer_id)
    elif rule == OPERATOR:
        require_role("operator")


def reject_nul_characters() -> None:
    """No register value contains NUL, and PostgreSQL cannot store one in text: refuse it at
    the door, in the path, the query, a form or a JSON body."""
    suspects = [request.path, *request.args.keys(), *request.args.values()]
    # An API upload's body is read only once the caller is authorised (its view checks its
    # fields); every other form is checked here.
    if not (_is_api() and request.mimetype == "multipart/form-data"):
        suspects += request.form.values() if request.form else []
    if request.is_json:
        suspects.append(request.get_data(as_text=True).replace("\\u0000", "\x00"))
    if any("\x00" in text for text in suspects):
        _refuse(400, "invalid_parameters", "the request contains a NUL character")


def check_json_body() -> None:
    """A JSON body is parsed once here, strictly, before any schema parses it."""
    if not request.is_json:
        return
    body = request.get_data()
    if not body:
        return  # a view without a body; one that needs a body says so itself
    try:
        strict_json.loads(body)
    except strict_json.JsonRefused as refused:
        errors = {refused.where: [refused.message]} if refused.where else None
        _refuse(JSON_STATUS[refused.code], refused.code, refused.message, errors)


GUARDS = (
    limit_body_size,
    authenticate_api_writes,
    authorise_api_writes,
    reject_nul_characters,
    check_json_body,
)


def register_request_guards(app: Flask) -> None:
    for guard in GUARDS:
        app.before_request(guard)
