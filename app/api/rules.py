"""Transfer rules per class, the holders' KYC flag, and the `can-transfer` dry run.

Reading a class's rules is open to the register's readers and to its members (an investor's
token); changing them and setting KYC are the company's. `can-transfer` is open to anyone who
may instruct: the company, or an investor about its own shares. Permission is checked before
the body is read. A transfer the rules refuse, here or at `POST instructions` or `POST
transfers`, answers 409 with every reason (`TransferNotAllowed`, handled below).
"""

from __future__ import annotations

from dataclasses import replace

from flask import Response, jsonify, request
from flask_smorest import Blueprint

from app.api.access import require_principal, require_read, require_visible, require_write
from app.api.instructions_schemas import InstructSchema
from app.api.rules_schemas import (
    CanTransferSchema,
    ClassRulesSchema,
    KycInputSchema,
    KycSchema,
    RulesChangedSchema,
    RulesInputSchema,
)
from app.commands import command, current_ledger
from app.errors import ApiError, handle_domain_error
from app.extensions import db
from app.register import classes, holders
from app.register.queries import get_holder
from app.route_access import ISSUER_WRITE, PARTY_READ, PARTY_WRITE, access
from app.transfers import rules
from app.transfers.can_transfer import can_transfer as dry_run
from app.transfers.checks import TransferNotAllowed
from app.transfers.rule_changes import change_rules

blp = Blueprint(
    "transfer_rules",
    __name__,
    url_prefix="/api/v1/issuers/<issuer_id>",
    description="Transfer rules per share class, KYC, and the can-transfer dry run",
)

# Views an investor's token may use, for its own holder.
INVESTOR_VIEWS = frozenset({"get_rules", "can_transfer"})


def _investor_party(issuer_id: str) -> str | None:
    principal = require_principal()
    return principal.holder_id if principal.acts_for_holder(issuer_id) else None


@blp.before_request
def _authorise() -> None:
    issuer_id = request.view_args["issuer_id"]
    principal = require_visible(issuer_id)
    view = request.endpoint.rpartition(".")[2]
    if principal.role == "investor" and principal.issuer_id == issuer_id:
        if not principal.acts_for_holder(issuer_id) or view not in INVESTOR_VIEWS:
            raise ApiError(403, "forbidden", "an investor's token may not do this")
    elif view == "get_rules":
        require_read(issuer_id)
    else:
        require_write(issuer_id)


@blp.app_errorhandler(TransferNotAllowed)
def _not_allowed(error: TransferNotAllowed) -> Response | tuple[str, int]:
    if not request.path.startswith("/api/"):
        return handle_domain_error(error)
    details = {key: value for key, value in error.details.items() if key != "reasons"}
    body = {"code": error.code, "message": error.message, "reasons": error.details["reasons"]}
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = 409
    return response


def _rules_view(versioned: rules.Versioned) -> dict:
    return versioned.rules.view()


@blp.route("/classes/<class_code>/rules")
@access(PARTY_READ)
@blp.response(200, ClassRulesSchema)
def get_rules(issuer_id, class_code):
    """The class's current transfer rules and every earlier version, with its log index."""
    classes.get_class(db.session, issuer_id, class_code)
    current = rules.current_rules(db.session, issuer_id, class_code)
    history = [
        {
            "version": row.version,
            "log_index": row.log_index,
            "recorded_at": row.recorded_at,
            "rules": rules.RuleSet.from_data(row.rules).view(),
        }
        for row in rules.history(db.session, issuer_id, class_code)
    ]
    return {
        "class_code": class_code,
        "version": current.version,
        "rules": _rules_view(current),
        "history": history,
    }


@blp.route("/classes/<class_code>/rules", methods=["PUT"])
@access(ISSUER_WRITE)
@blp.arguments(RulesInputSchema)
@blp.response(200, RulesChangedSchema)
def put_rules(change, issuer_id, class_code):
    """Replace the class's rules with a new version (`rules.changed`). Current holdings the
    new rules would not allow do not stop the change; they are listed in `breaches`."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        changed = change_rules(ctx, change)
        breaches = [vars(breach) for breach in changed.breaches]
    return {
        "class_code": class_code,
        "version": changed.current.version,
        "log_index": changed.log_index,
        "rules": _rules_view(changed.current),
        "breaches": breaches,
    }


@blp.route("/holders/<holder_id>/kyc", methods=["PUT"])
@access(ISSUER_WRITE)
@blp.arguments(KycInputSchema)
@blp.response(200, KycSchema)
def put_kyc(change, issuer_id, holder_id):
    """Record whether the holder's identity is verified (`holder.kyc_changed`)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        holders.set_kyc(ctx, change)
    return get_holder(db.session, issuer_id, holder_id)


@blp.route("/can-transfer", methods=["POST"])
@access(PARTY_WRITE)
@blp.arguments(InstructSchema)
@blp.response(200, CanTransferSchema)
def can_transfer(instruction, issuer_id):
    """Would this instruction be allowed now? Every failing rule, with its reason code and
    ERC-1066 status; nothing is recorded."""
    party = _investor_party(issuer_id)
    today = current_ledger().clock().date()
    return dry_run(db.session, issuer_id, replace(instruction, party=party), today).view()
