"""Pre-emption over the API: an instruction's offer to the class's holders, and their answers.

The secretary (or an operator) and supervisors see every offer, and the secretary may answer
on an offeree's behalf; an investor's token sees the offers it is party to (as transferor,
transferee or offeree) and answers its own. Permission is checked before the body is read.
"""

from __future__ import annotations

from dataclasses import replace

from flask import request
from flask_smorest import Blueprint

from app.api.access import (
    acting,
    investor_holder,
    require_company_access,
    require_visible,
)
from app.api.offers_schemas import OfferSchema, TakeUpSchema
from app.commands import command
from app.errors import ApiError
from app.extensions import db
from app.route_access import PARTY_READ, PARTY_WRITE, access
from app.transfers import offer_queries, pre_emption, queries
from app.transfers.requests import Waive

blp = Blueprint(
    "offers",
    __name__,
    url_prefix="/api/v1/issuers/<issuer_id>/instructions/<instruction_id>/offers",
    description="Pre-emption: the class's holders' right of first refusal",
)


@blp.before_request
def _authorise() -> None:
    issuer_id = request.view_args["issuer_id"]
    principal = require_visible(issuer_id)
    holder = investor_holder(principal, issuer_id)
    if holder is not None:
        answering = request.view_args.get("holder_id")
        if answering is not None and answering != holder:
            raise ApiError(403, "forbidden", "an investor answers only its own offer")
    else:
        require_company_access(issuer_id, request.method)


def offer_view(issuer_id: str, instruction_id: str) -> dict:
    offer = offer_queries.get_offer(db.session, issuer_id, instruction_id)
    view = {column.key: getattr(offer, column.key) for column in offer.__table__.columns}
    view["offerees"] = offer_queries.offerees(db.session, issuer_id, instruction_id)
    return view


@blp.route("")
@access(PARTY_READ)
@blp.response(200, OfferSchema)
def get_offer(issuer_id, instruction_id):
    """The instruction's pre-emption offer: entitlements, answers, window and close."""
    _, party = acting(issuer_id)
    instruction = queries.get_instruction(db.session, issuer_id, instruction_id)
    view = offer_view(issuer_id, instruction_id)
    parties = {instruction.from_holder_id, instruction.to_holder_id}
    parties |= {offeree.holder_id for offeree in view["offerees"]}
    if party is not None and party not in parties:
        raise ApiError(403, "forbidden", "this token is not party to this offer")
    return view


@blp.route("/<holder_id>/take", methods=["POST"])
@access(PARTY_WRITE)
@blp.arguments(TakeUpSchema)
@blp.response(200, OfferSchema)
def take_offer(take_up, issuer_id, instruction_id, holder_id):
    """The offeree takes up all or part of its entitlement (`transfer.pre_emption_taken_up`);
    the last answer closes the offer and settles the parts taken up."""
    principal, party = acting(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        pre_emption.take_up(ctx, replace(take_up, party=party))
    return offer_view(issuer_id, instruction_id)


@blp.route("/<holder_id>/waive", methods=["POST"])
@access(PARTY_WRITE)
@blp.response(200, OfferSchema)
def waive_offer(issuer_id, instruction_id, holder_id):
    """The offeree waives its entitlement (`transfer.pre_emption_waived`)."""
    principal, party = acting(issuer_id)
    with command(principal.actor, issuer_id) as ctx:
        pre_emption.waive(ctx, Waive(instruction_id, holder_id, party))
    return offer_view(issuer_id, instruction_id)
