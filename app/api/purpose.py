"""The views that read personal data say so (`@reads_personal_data`, just above the `def`),
and the OpenAPI document then shows their two ways of stating a purpose and the 400."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.auth.disclosure import MAX_PURPOSE_LENGTH, PURPOSE_HEADER, PURPOSE_PARAMETER

_MARK = "reads_personal_data"

PURPOSE_PARAMETERS = (
    {
        "in": "header",
        "name": PURPOSE_HEADER,
        "required": False,
        "description": "Why a regulator, auditor or operator reads this personal data: "
        f"required from them (this header or the `{PURPOSE_PARAMETER}` parameter; without "
        "either, 400 `purpose_required`) and written to the issuer's access log",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_PURPOSE_LENGTH},
    },
    {
        "in": "query",
        "name": PURPOSE_PARAMETER,
        "required": False,
        "description": f"The purpose, where the {PURPOSE_HEADER} header cannot be sent",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_PURPOSE_LENGTH},
    },
)


def reads_personal_data(view: Callable[..., Any]) -> Callable[..., Any]:
    # flask-smorest's decorators copy `_apidoc` outwards, so the route's doc sees the mark.
    view._apidoc = {**getattr(view, "_apidoc", {}), _MARK: True}
    return view


def document_purpose(operation_doc: dict, doc_info: dict, **_context: Any) -> dict:
    """flask-smorest's per-operation documentation hook."""
    if doc_info.get(_MARK):
        operation_doc.setdefault("parameters", []).extend(dict(p) for p in PURPOSE_PARAMETERS)
        responses = operation_doc.setdefault("responses", {})
        if "400" not in {str(status) for status in responses}:
            responses["400"] = {"$ref": "#/components/responses/DEFAULT_ERROR"}
    return operation_doc
