"""`POST /me/can-transfer`: the dry run for the logged-in investor's own shares, for the
browser's transfer form (live feedback as the investor types).

The body is JSON shaped like an instruction (`from_holder_id` defaults to the investor's
holder, `risk_acknowledged` to false: the feedback comes before the risk notice). The answer
is the API's: `{"allowed", "reasons": [...]}`, or a JSON error. The route is not exempt from
CSRF protection: the page sends its CSRF token in the `X-CSRFToken` header (Flask-WTF reads
it there), since a session cookie alone must never be enough to act.
"""

from __future__ import annotations

from dataclasses import replace

import marshmallow as ma
from flask import Blueprint, Response, jsonify, request
from flask_login import current_user

from app.api.instructions_schemas import InstructSchema
from app.commands import current_ledger
from app.errors import domain_error_response, error_response
from app.extensions import db
from app.register.errors import DomainError
from app.route_access import INVESTOR, access
from app.transfers.can_transfer import can_transfer as dry_run
from app.web.investor import investor_only

blp = Blueprint("can_transfer", __name__, url_prefix="/me")


@blp.route("/can-transfer", methods=["POST"])
@access(INVESTOR)
@investor_only
def can_transfer() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return error_response(400, "invalid_parameters", "send a JSON object")
    holder_id = current_user.holder_id
    fields = {"from_holder_id": holder_id, "risk_acknowledged": False, **body}
    try:
        instruction = InstructSchema().load(fields)
    except ma.ValidationError as error:
        return error_response(422, "invalid_input", "invalid request", error.messages)
    today = current_ledger().clock().date()
    try:
        verdict = dry_run(
            db.session, current_user.issuer_id, replace(instruction, party=holder_id), today
        )
    except DomainError as error:
        return domain_error_response(error)
    return jsonify(verdict.view())
