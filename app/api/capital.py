"""Changes of share capital: cancellations, repurchases, redemptions, conversions between
classes, and splits and consolidations of a class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint

from app.api.access import require_write
from app.api.capital_schemas import (
    CancellationSchema,
    ConversionInputSchema,
    ConversionSchema,
    RedemptionSchema,
    RemovalSchema,
    ReorganisationInputSchema,
    ReorganisationSchema,
    RepurchaseSchema,
)
from app.api.errors import ErrorSchema
from app.commands import command
from app.register import capital, conversion, reorganisation
from app.register.capital import Removal
from app.register.conversion import Conversion
from app.register.reorganisation import Reorganisation
from app.register.requests import FractionTerms, ReorganiseClass
from app.route_access import ISSUER_WRITE, access

blp = Blueprint(
    "capital",
    __name__,
    url_prefix="/api/v1/issuers/<issuer_id>",
    description="Cancellation, repurchase, redemption, conversion, split and consolidation",
)

REFUSALS = "Refused: insufficient_available, holder_ceased, authorised_exceeded, ..."


def _refusals(view: Callable) -> Callable:
    """Document the error answers every command here can give."""
    view = blp.alt_response(404, schema=ErrorSchema, description="Unknown class or holder")(view)
    return blp.alt_response(409, schema=ErrorSchema, description=REFUSALS)(view)


def _removal_view(removal: Removal) -> dict[str, Any]:
    return {
        "log_index": removal.entry.index,
        "kind": removal.entry.kind,
        "class_code": removal.share_class.code,
        "holder_id": removal.holding.holder_id,
        "quantity": int(removal.entry.data["quantity"]),
        "holding": removal.holding,
        "class_issued": removal.share_class.issued,
    }


def _remove(service: Callable[..., Removal], issuer_id: str, request: object) -> dict:
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return _removal_view(service(ctx, request))


@blp.route("/cancellations", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(CancellationSchema)
@blp.response(201, RemovalSchema)
@_refusals
def cancel_shares(request, issuer_id):
    """Cancel a holder's available shares (`shares.cancelled`); the class's issued total falls."""
    return _remove(capital.cancel_shares, issuer_id, request)


@blp.route("/repurchases", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(RepurchaseSchema)
@blp.response(201, RemovalSchema)
@_refusals
def repurchase_shares(request, issuer_id):
    """Buy back a holder's available shares and cancel them (`shares.repurchased`).

    Treasury shares are not supported: a repurchase always cancels the shares.
    """
    return _remove(capital.repurchase_shares, issuer_id, request)


@blp.route("/redemptions", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(RedemptionSchema)
@blp.response(201, RemovalSchema)
@_refusals
def redeem_shares(request, issuer_id):
    """Redeem a holder's available shares for cash or for the company's products or services
    (`shares.redeemed`)."""
    return _remove(capital.redeem_shares, issuer_id, request)


def _conversion_view(conversion: Conversion) -> dict[str, Any]:
    data = conversion.entry.data
    return {
        "log_index": conversion.entry.index,
        "holder_id": data["holder_id"],
        "ratio": data["ratio"],
        "fraction_policy": data["fraction_policy"],
        "source": {
            "class_code": conversion.from_class.code,
            "quantity": int(data["quantity"]),
            "holding": conversion.from_holding,
            "class_issued": conversion.from_class.issued,
        },
        "target": {
            "class_code": conversion.to_class.code,
            "quantity": conversion.allotted,
            "holding": conversion.to_holding,
            "class_issued": conversion.to_class.issued,
        },
        "fraction": conversion.fraction,
        "cash_in_lieu_amount": conversion.cash_in_lieu,
        "currency": data.get("currency") if conversion.cash_in_lieu else None,
    }


@blp.route("/conversions", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(ConversionInputSchema)
@blp.response(201, ConversionSchema)
@_refusals
def convert_shares(request, issuer_id):
    """Convert a holder's shares of one class into another at a ratio (`shares.converted`)."""
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return _conversion_view(conversion.convert_shares(ctx, request))


def _reorganisation_view(result: Reorganisation) -> dict[str, Any]:
    data = result.entry.data
    return {
        "log_index": result.entry.index,
        "kind": result.entry.kind,
        "class_code": result.share_class.code,
        "ratio": data["ratio"],
        "fraction_policy": data["fraction_policy"],
        "issued_before": result.issued_before,
        "issued_after": result.issued_after,
        "authorised_before": result.authorised_before,
        "authorised_after": result.share_class.authorised,
        "holdings_changed": result.holdings_changed,
        "cash_in_lieu_price": data.get("cash_in_lieu_price"),
        "cash_in_lieu_total": result.cash_in_lieu_total,
        "currency": data.get("currency"),
    }


def _reorganise(
    service: Callable[..., Reorganisation], issuer_id: str, code: str, terms: FractionTerms
) -> dict[str, Any]:
    principal = require_write(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        return _reorganisation_view(service(ctx, ReorganiseClass(code, terms)))


@blp.route("/classes/<code>/splits", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(ReorganisationInputSchema)
@blp.response(201, ReorganisationSchema)
@_refusals
def split_class(request, issuer_id, code):
    """Split every holding of a class, e.g. "2:1" (`class.split`, one log entry); the
    authorised number, if any, scales too."""
    return _reorganise(reorganisation.split_class, issuer_id, code, request)


@blp.route("/classes/<code>/consolidations", methods=["POST"])
@access(ISSUER_WRITE)
@blp.arguments(ReorganisationInputSchema)
@blp.response(201, ReorganisationSchema)
@_refusals
def consolidate_class(request, issuer_id, code):
    """Consolidate every holding of a class, e.g. "1:10" (`class.consolidated`, one log
    entry); the authorised number, if any, scales down too."""
    return _reorganise(reorganisation.consolidate_class, issuer_id, code, request)
