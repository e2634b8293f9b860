"""Pre-emption (right of first refusal): before a class's shares pass to a non-member, the
class's other holders may buy them, pro rata, at the instructed price.

Where the class has it on (`transfer-settings`: `pre_emption`, `pre_emption_days`, default 30),
accepting an instruction to a transferee who holds none of the class opens an offer
(`transfer.pre_emption_opened`) to every other holder of the class but the transferor, each
entitled to its share of the instructed quantity (`allocation.allocate`: largest remainder).
Each may take up all or part of its entitlement (`transfer.pre_emption_taken_up`) or waive
(`transfer.pre_emption_waived`) within the window; silence is waiver. The offer closes
(`transfer.pre_emption_closed`) when every offeree has answered or, once the window has passed,
by `flask --app wsgi transfers close-offers` (or `expire`). At the close the taken-up parts
settle at once as transfers to the takers, each paying the instructed consideration pro rata;
the rest stays with the instruction, to be approved and settled as usual (or, if nothing is
left, the instruction ends `pre_empted`). While the offer is open the instruction can be
neither approved, settled, rejected, cancelled nor expired (`pre_emption_pending`), and its
shares stay reserved on the transferor's holding throughout.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from app.ledger.canonical import format_timestamp
from app.models.transfers import PreEmptionOffer, PreEmptionOfferee, TransferInstruction
from app.register import holdings
from app.register.errors import InvalidInput, Refused
from app.register.queries import current_holdings
from app.register.ratios import decimal_text
from app.register.requests import LodgeTransfer
from app.register.transfers import lodge_transfer
from app.transfers import offer_queries, queries
from app.transfers.allocation import RULE, allocate
from app.transfers.errors import (
    already_answered,
    exceeds_entitlement,
    not_an_offeree,
    not_your_offer,
    offer_closed,
    pre_emption_pending,
    wrong_state,
)
from app.transfers.offer_states import OPEN, PENDING_ANSWER, TAKEN_UP
from app.transfers.requests import ConfigureTransfers, Step, TakeUp, Waive
from app.transfers.states import PENDING

if TYPE_CHECKING:
    from app.register.context import CommandContext

MAX_PRE_EMPTION_DAYS = 366


def setting_data(request: ConfigureTransfers) -> dict[str, object]:
    """The pre-emption fields of a `transfer.configured` entry."""
    if not 1 <= request.pre_emption_days <= MAX_PRE_EMPTION_DAYS:
        raise InvalidInput(
            f"pre_emption_days must be between 1 and {MAX_PRE_EMPTION_DAYS}",
            field="pre_emption_days",
        )
    return {"pre_emption": request.pre_emption, "pre_emption_days": str(request.pre_emption_days)}


def require_no_open_offer(
    ctx: CommandContext, instruction: TransferInstruction, action: str
) -> None:
    offer = offer_queries.find_offer(ctx.session, ctx.issuer_id, instruction.instruction_id)
    if offer is not None and offer.state == OPEN:
        raise pre_emption_pending(instruction.instruction_id, action, offer.close_by)


def open_if_due(ctx: CommandContext, instruction: TransferInstruction) -> PreEmptionOffer | None:
    """Offer the accepted instruction's shares to the class's holders, where the class has
    pre-emption and the transferee is not yet a member of it."""
    session, issuer_id, code = ctx.session, ctx.issuer_id, instruction.class_code
    settings = queries.settings_for(session, issuer_id, code)
    if not settings.pre_emption:
        return None
    transferee = holdings.current(session, issuer_id, code, instruction.to_holder_id)
    if transferee is not None and transferee.held > 0:
        return None
    basis = {
        row.holder_id: row.held
        for row in current_holdings(session, issuer_id, class_code=code)
        if row.held > 0 and row.holder_id != instruction.from_holder_id
    }
    entitlements = allocate(instruction.quantity, basis) if basis else {}
    offered = [holder for holder in sorted(entitlements) if entitlements[holder] > 0]
    if not offered:
        return None
    # The offer must close before the company's decision is due.
    window_end = ctx.clock() + timedelta(days=settings.pre_emption_days)
    data = {
        "instruction_id": instruction.instruction_id,
        "class": code,
        "quantity": str(instruction.quantity),
        "close_by": format_timestamp(min(window_end, instruction.decide_by)),
        "rule": RULE,
        "offerees": [
            {
                "holder_id": holder,
                "holding": str(basis[holder]),
                "entitlement": str(entitlements[holder]),
            }
            for holder in offered
        ],
    }
    if instruction.consideration is not None:
        data["consideration"] = instruction.consideration
        data["currency"] = instruction.currency
    ctx.record("transfer.pre_emption_opened", data)
    return offer_queries.get_offer(session, issuer_id, instruction.instruction_id)


def _answerable(
    ctx: CommandContext, instruction_id: str, holder_id: str, party: str | None
) -> tuple[PreEmptionOffer, PreEmptionOfferee]:
    if party is not None and party != holder_id:
        raise not_your_offer(instruction_id, party, holder_id)
    instruction = queries.get_instruction(ctx.session, ctx.issuer_id, instruction_id)
    offer = offer_queries.get_offer(ctx.session, ctx.issuer_id, instruction_id)
    if offer.state != OPEN or ctx.clock() > offer.close_by:
        raise offer_closed(offer)
    if instruction.state not in PENDING:
        raise wrong_state(instruction_id, instruction.state, "pre-empted", PENDING)
    offeree = ctx.session.get(PreEmptionOfferee, (ctx.issuer_id, instruction_id, holder_id))
    if offeree is None:
        raise not_an_offeree(instruction_id, holder_id)
    if offeree.answer != PENDING_ANSWER:
        raise already_answered(offeree)
    return offer, offeree


def take_up(ctx: CommandContext, request: TakeUp) -> PreEmptionOffer:
    """Take up all or part of the offeree's entitlement; the last answer closes the offer."""
    offer, offeree = _answerable(ctx, request.instruction_id, request.holder_id, request.party)
    if request.quantity < 1:
        raise InvalidInput("take up at least one share (or waive)", field="quantity")
    if request.quantity > offeree.entitlement:
        raise exceeds_entitlement(offeree, request.quantity)
    data = {
        "instruction_id": request.instruction_id,
        "holder_id": request.holder_id,
        "quantity": str(request.quantity),
    }
    ctx.record("transfer.pre_emption_taken_up", data)
    return _close_if_answered(ctx, offer)


def waive(ctx: CommandContext, request: Waive) -> PreEmptionOffer:
    offer, _ = _answerable(ctx, request.instruction_id, request.holder_id, request.party)
    data = {"instruction_id": request.instruction_id, "holder_id": request.holder_id}
    ctx.record("transfer.pre_emption_waived", data)
    return _close_if_answered(ctx, offer)


def _close_if_answered(ctx: CommandContext, offer: PreEmptionOffer) -> PreEmptionOffer:
    answers = offer_queries.offerees(ctx.session, ctx.issuer_id, offer.instruction_id)
    if all(offeree.answer != PENDING_ANSWER for offeree in answers):
        _close(ctx, offer, answers)
    return offer


def close(ctx: CommandContext, request: Step) -> PreEmptionOffer:
    """Close an offer whose window has passed (the company's step, e.g. from cron)."""
    if request.party is not None:
        raise not_your_offer(request.instruction_id, request.party, "the company")
    offer = offer_queries.get_offer(ctx.session, ctx.issuer_id, request.instruction_id)
    if offer.state != OPEN:
        raise offer_closed(offer)
    answers = offer_queries.offerees(ctx.session, ctx.issuer_id, offer.instruction_id)
    unanswered = any(offeree.answer == PENDING_ANSWER for offeree in answers)
    if unanswered and ctx.clock() <= offer.close_by:
        raise Refused(
            "not_due",
            f"the pre-emption offer on instruction {offer.instruction_id} is open until "
            f"{format_timestamp(offer.close_by)}",
            instruction_id=offer.instruction_id,
            close_by=format_timestamp(offer.close_by),
        )
    _close(ctx, offer, answers)
    return offer


def pro_rata_consideration(total: str, part: int, whole: int) -> Decimal:
    """The share of a consideration for `whole` shares that `part` of them pay, rounded half up
    to the consideration's own precision (at least hundredths)."""
    amount = Decimal(total)
    quantum = Decimal(1).scaleb(min(amount.as_tuple().exponent, -2))
    return (amount * part / whole).quantize(quantum, rounding=ROUND_HALF_UP)


def _close(ctx: CommandContext, offer: PreEmptionOffer, answers: list[PreEmptionOfferee]) -> None:
    instruction = queries.get_instruction(ctx.session, ctx.issuer_id, offer.instruction_id)
    silent = [answer.holder_id for answer in answers if answer.answer == PENDING_ANSWER]
    if instruction.state not in PENDING:
        # Ended otherwise since the offer opened (a forced transfer cancels pending
        # instructions): the offer closes and nothing moves.
        data = {"instruction_id": offer.instruction_id, "withdrawn": instruction.state}
        ctx.record("transfer.pre_emption_closed", {**data, "waived_by_silence": silent})
        return
    takers = [(answer.holder_id, answer.taken) for answer in answers if answer.answer == TAKEN_UP]
    taken = sum(quantity for _, quantity in takers)
    prices = {
        holder: pro_rata_consideration(offer.consideration, quantity, offer.quantity)
        for holder, quantity in takers
        if offer.consideration is not None
    }
    data = {
        "instruction_id": offer.instruction_id,
        "taken_up": [{"holder_id": holder, "quantity": str(number)} for holder, number in takers],
        "waived_by_silence": silent,
        "remaining": str(instruction.quantity - taken),
    }
    if instruction.consideration is not None and prices:
        rest = Decimal(instruction.consideration) - sum(prices.values())
        data["remaining_consideration"] = decimal_text(rest)
    ctx.record("transfer.pre_emption_closed", data)
    for holder, quantity in takers:
        transfer = LodgeTransfer(
            class_code=offer.class_code,
            from_holder_id=instruction.from_holder_id,
            to_holder_id=holder,
            quantity=quantity,
            instrument_reference=(
                f"pre-emption on transfer instruction {offer.instruction_id}: taken up by {holder}"
            ),
            consideration=prices.get(holder),
            currency=offer.currency if holder in prices else None,
        )
        lodge_transfer(ctx, transfer)
