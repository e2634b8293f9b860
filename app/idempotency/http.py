"""`Idempotency-Key` on the API's write operations: the wrapper every write view runs in, and
the header's place in the OpenAPI document."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, request

from app.auth.principal import token_principal
from app.errors import ApiError, error_response
from app.extensions import db
from app.idempotency import settings, store
from app.models.idempotency import KEY_MAX_LENGTH

HEADER = "Idempotency-Key"
# The draft names no header for a replayed answer; this one says it plainly.
REPLAYED_HEADER = "Idempotency-Replayed"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The answer's headers a replay repeats: the body's type and where a created thing lives.
REPLAYED_HEADERS = ("Content-Type", "Location")
# Printable ASCII, spaces included (the draft's key is a Structured Field String).
KEY_CHARACTERS = frozenset(chr(code) for code in range(0x20, 0x7F))


def parse_key(header: str) -> str:
    """The key in an Idempotency-Key header: a Structured Field String (`"..."`) or, as many
    clients send it, the bare text; 1 to 255 printable ASCII characters."""
    key = header[1:-1] if len(header) >= 2 and header[0] == header[-1] == '"' else header
    if not key or len(key) > KEY_MAX_LENGTH or not set(key) <= KEY_CHARACTERS:
        raise ApiError(
            400,
            "invalid_idempotency_key",
            f"the {HEADER} header must hold 1 to {KEY_MAX_LENGTH} printable ASCII characters",
        )
    return key


def fingerprint() -> str:
    """SHA-256 of the canonical request: method, path with its query, and the body's bytes;
    for a multipart form, its fields and files in order, since a client that sends the same
    form again draws a new boundary between the parts."""
    target = request.path + (f"?{request.query_string.decode()}" if request.query_string else "")
    digest = hashlib.sha256(f"{request.method}\n{target}\n".encode())
    if request.mimetype == "multipart/form-data":
        digest.update(_form_fingerprint().encode())
    else:
        digest.update(request.get_data())
    return digest.hexdigest()


def _form_fingerprint() -> str:
    fields = [[name, value] for name, value in request.form.items(multi=True)]
    files = []
    for name, part in request.files.items(multi=True):
        content = hashlib.sha256(part.stream.read()).hexdigest()
        part.stream.seek(0)  # the view reads it next
        files.append([name, part.filename, part.mimetype, content])
    return json.dumps({"fields": fields, "files": files})


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a write view so that a retry with the same key gets the first answer back."""

    @wraps(view)
    def run(*args: Any, **kwargs: Any) -> Any:
        header = request.headers.get(HEADER)
        if header is None or request.method not in WRITE_METHODS:
            return view(*args, **kwargs)
        principal = token_principal()
        issuer_id = (request.view_args or {}).get("issuer_id")
        if principal is None or not (
            principal.can_write(issuer_id) or principal.acts_for_holder(issuer_id)
        ):
            # Authentication and authorisation come first: the view refuses (401, 403, 404)
            # exactly as without a key, and a refusal keeps no answer.
            return view(*args, **kwargs)
        scope = store.Scope(principal.actor, request.method, request.path, parse_key(header))
        return _run_once(scope, fingerprint(), lambda: view(*args, **kwargs))

    return run


def _run_once(scope: store.Scope, request_fingerprint: str, view: Callable[[], Any]) -> Response:
    with db.request_transaction() as transaction:
        earlier = store.claim(
            transaction.session, scope, request_fingerprint, settings.now(), settings.key_ttl()
        )
        if earlier is not None:
            return _answer_to_retry(earlier, request_fingerprint)
        response = current_app.make_response(view())
        if transaction.failed:
            # A command raised and the view answered anyway (an import's list of problems):
            # nothing was written, and a retry may succeed, so no answer is kept.
            return response
        if 200 <= response.status_code < 300:
            store.keep_answer(transaction.session, scope, _answer_of(response))
        else:
            store.release(transaction.session, scope)
        transaction.commit()
        return response


def _answer_of(response: Response) -> store.Answer:
    headers = {
        name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers
    }
    return store.Answer(response.status_code, headers, response.get_data())


def _answer_to_retry(earlier: store.Earlier, request_fingerprint: str) -> Response:
    if earlier.fingerprint != request_fingerprint:
        return error_response(
            422,
            "idempotency_key_reused",
            f"this {HEADER} was used for a different request (another body, path or query); "
            "use a new key for a new request",
        )
    if earlier.answer is None:
        return error_response(
            409,
            "request_in_progress",
            f"a request with this {HEADER} has not finished; retry once it has",
        )
    response = Response(earlier.answer.body, earlier.answer.status, earlier.answer.headers)
    response.headers[REPLAYED_HEADER] = "true"
    return response


def answer_never_kept(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a write view whose answer must not be stored (it holds a secret shown once): it
    ignores Idempotency-Key. Put it above the blueprint's route decorator."""
    view.answer_never_kept = True
    return view


def protect_write_views(app: Flask, blueprint_name: str) -> None:
    """Wrap every write view of the blueprint registered on `app` under `blueprint_name`."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{blueprint_name}.") and rule.methods & WRITE_METHODS:
            view = app.view_functions[rule.endpoint]
            if getattr(view, "answer_never_kept", False):
                continue
            if not getattr(view, "idempotent", False):
                protected = idempotent(view)
                protected.idempotent = True
                app.view_functions[rule.endpoint] = protected


KEY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "Makes the write safe to retry (draft-ietf-httpapi-idempotency-key-header): the first "
        "successful answer is kept for this token and endpoint for IDEMPOTENCY_KEY_TTL "
        f"(24 hours by default) and a retry with the same key and the same request gets it "
        f"again, with `{REPLAYED_HEADER}: true`, writing nothing. The same key with another "
        "request answers 422 `idempotency_key_reused`; a malformed key 400 "
        "`invalid_idempotency_key`. Refusals keep no answer: retrying one runs it again."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": KEY_MAX_LENGTH,
        "pattern": "^[ -~]+$",
    },
}


def document_key_header(operation_doc: dict, _doc_info: dict, **context: Any) -> dict:
    """flask-smorest's per-operation documentation hook: write operations take the header."""
    if context["method"].upper() in WRITE_METHODS:
        # Its refusals (400, 422) are among the errors every operation documents
        # (app.api.blueprints).
        operation_doc.setdefault("parameters", []).append(dict(KEY_PARAMETER))
    return operation_doc
