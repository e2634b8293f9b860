"""Reorganisations of a class of shares: split and consolidation (conversions between classes
are in `conversion`).

Ratios read "new:old" and the arithmetic lives in `ratios`. The command computes the effect
once and the entry carries it; the applier applies what the entry says and derives nothing.
A conversion's entry names the shares allotted and the cash paid. A split or consolidation is
ONE log entry however many holders the class has: it carries the terms, the before/after
totals and (since entries began to carry them) every holding's resulting quantities; the
applier of an older entry that has only the totals works the holdings out from the terms.

The authorised number of a class scales with a split or consolidation (rounded down), as the
company's constitution would be amended alongside; a class without a limit stays without one.
If rounding half up would leave more shares issued than the scaled authorised number, the
command is refused (`authorised_exceeded`): amend the class first or round down instead.

The par value follows the ratio exactly (1.00 at 2:1 becomes 0.50; 0.10 at 1:10 becomes 1.00),
keeping the class's places and adding as many as the result needs, up to PAR_VALUE_PLACES
(what OCF, the export format, can carry). A ratio that leaves a par value no decimal of those
places can state (1.00 at 3:1) is refused (`par_value_not_exact`) rather than rounded: the
capital a share stands for cannot change by a reorganisation. The entry records the result
(`par_value_after`); an entry written before it did keeps the par value.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.register import HoldingVersion, Pledge, ShareClass
from app.register import classes, holdings
from app.register.context import CommandContext
from app.register.errors import InvalidInput, Refused
from app.register.fraction_terms import (
    Terms,
    parse_terms,
    recorded_terms,
    settle_fraction,
)
from app.register.holdings import RegisterInvariantError
from app.register.limits import require_countable
from app.register.projection import Applied
from app.register.queries import current_versions
from app.register.ratios import (
    Ratio,
    cash_in_lieu,
    decimal_text,
    fraction_text,
    scale_down,
    scale_holding,
)
from app.register.requests import ReorganiseClass

CHUNK = 500
PAR_VALUE_PLACES = 10


class ParValueNotExact(InvalidInput):
    code = "par_value_not_exact"


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _number(text: str | None) -> int | None:
    return None if text is None else int(text)


def _scaled_authorised(share_class: ShareClass, ratio: Ratio) -> int | None:
    """No limit stays no limit; a limit scales with the shares, rounded down."""
    return None if share_class.authorised is None else scale_down(share_class.authorised, ratio)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def scaled_par_value(par_value: str, ratio: Ratio) -> str:
    """The par value once every share becomes `ratio` shares: exact, or refused."""
    before = Decimal(par_value)
    exact_value = Fraction(before) * ratio.old / ratio.new
    for places in range(_places(before), PAR_VALUE_PLACES + 1):
        scaled = exact_value * 10**places
        if scaled.denominator == 1:
            return decimal_text(Decimal(scaled.numerator).scaleb(-places))
    raise ParValueNotExact(
        f"at {ratio.new}:{ratio.old} the par value {par_value} would be {exact_value}, which no "
        f"decimal of at most {PAR_VALUE_PLACES} places states exactly; amend the par "
        "value or choose another ratio",
        field="ratio",
    )


# Split and consolidation ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reorganisation:
    entry: Applied
    share_class: ShareClass
    issued_before: int
    issued_after: int
    authorised_before: int | None
    holdings_changed: int
    cash_in_lieu_total: str | None


@dataclass
class _Plan:
    """What a split or consolidation does to every holding, as its entry records it."""

    terms: Terms
    holdings: list[dict[str, Any]] = field(default_factory=list)
    issued: int = 0
    cash: Decimal = Decimal(0)

    def add(self, holding: HoldingVersion, pledges: list[Pledge]) -> None:
        terms = self.terms
        scaled = scale_holding(
            holding.held,
            holding.frozen,
            holding.reserved,
            [pledge.quantity for pledge in pledges],
            terms.ratio,
            terms.policy,
        )
        # Quantities after the change; an encumbrance the holding did not have is left out,
        # so that the entry of a large class stays as small as its news.
        result: dict[str, Any] = {"holder_id": holding.holder_id, "held": str(scaled.held)}
        if holding.frozen:
            result["frozen"] = str(scaled.frozen)
        if holding.reserved:
            result["reserved"] = str(scaled.reserved)
        if pledges:
            result["pledges"] = {
                pledge.pledge_id: str(quantity)
                for pledge, quantity in zip(pledges, scaled.pledges, strict=True)
            }
        cash = terms.cash_for(scaled.leftover)
        if cash is not None:
            result["fraction"] = fraction_text(scaled.leftover)
            result["cash_in_lieu_amount"] = decimal_text(cash)
            # Exact however large the price or the register: the total is signed on the log.
            with localcontext(prec=80):
                self.cash += cash
        self.holdings.append(result)
        self.issued += scaled.held


def _new_plan(terms: Terms) -> _Plan:
    # Zero to the cash's places, so that no cash at all reads "0.00".
    cash = cash_in_lieu(Fraction(0), terms.cash.price) if terms.cash else Decimal(0)
    return _Plan(terms, cash=cash)


def _require_whole_encumbrances(holding: HoldingVersion, pledges: list[Pledge], ratio) -> None:
    """Frozen, pledged or reserved shares must come out of a reorganisation whole: rounding
    would otherwise free part of them, or pay cash for a fraction a court or a pledgee holds.
    A fraction of the holding then belongs to its free shares, which may round or be paid."""
    encumbered = [holding.frozen, holding.reserved, *(pledge.quantity for pledge in pledges)]
    if any(quantity * ratio.new % ratio.old for quantity in encumbered):
        raise Refused(
            "encumbered_fraction",
            f"holder {holding.holder_id}'s {holding.class_code} holding has frozen, pledged or "
            f"reserved shares that the ratio {ratio.new}:{ratio.old} would split into "
            "fractions; release or adjust them first",
            holder_id=holding.holder_id,
            class_code=holding.class_code,
        )


def _current_holdings(session: Session, issuer_id: str, code: str) -> Iterator[HoldingVersion]:
    """Every current holding of a class with shares in it, in holder_id order, read in chunks
    (keyset pagination: versions the caller opens meanwhile sort before the cursor)."""
    after = ""
    while True:
        holder_ids = list(
            session.scalars(
                select(HoldingVersion.holder_id)
                .where(
                    HoldingVersion.issuer_id == issuer_id,
                    HoldingVersion.class_code == code,
                    current_versions(),
                    HoldingVersion.held > 0,
                    HoldingVersion.holder_id > after,
                )
                .order_by(HoldingVersion.holder_id)
                .limit(CHUNK)
            )
        )
        if not holder_ids:
            return
        holdings.preload(session, issuer_id, ((code, holder_id) for holder_id in holder_ids))
        for holder_id in holder_ids:
            yield holdings.current(session, issuer_id, code, holder_id)
        after = holder_ids[-1]


def _active_pledges(session: Session, issuer_id: str, code: str) -> dict[str, list[Pledge]]:
    pledges: dict[str, list[Pledge]] = {}
    query = (
        select(Pledge)
        .where(
            Pledge.issuer_id == issuer_id,
            Pledge.class_code == code,
            Pledge.released_index.is_(None),
        )
        .order_by(Pledge.holder_id, Pledge.pledge_id)
    )
    for pledge in session.scalars(query):
        pledges.setdefault(pledge.holder_id, []).append(pledge)
    return pledges


def _encumbered_holdings(
    session: Session, issuer_id: str, code: str
) -> Iterator[tuple[HoldingVersion, list[Pledge]]]:
    pledges = _active_pledges(session, issuer_id, code)
    for holding in _current_holdings(session, issuer_id, code):
        yield holding, pledges.get(holding.holder_id, [])


def planned_reorganisation(
    session: Session, issuer_id: str, request: ReorganiseClass, kind: str
) -> dict[str, Any]:
    """The entry a split or consolidation would record (every holding's result included), or
    the refusal; nothing is recorded. The secretary's preview shows it before confirming."""
    code = request.class_code
    terms = parse_terms(request.terms, allow_unchanged=False)
    splitting = kind == "class.split"
    if splitting != (terms.ratio.new > terms.ratio.old):
        example = '"2:1"' if splitting else '"1:10"'
        what = "a split increases" if splitting else "a consolidation reduces"
        raise InvalidInput(f"{what} the number of shares: e.g. {example}", field="ratio")
    share_class = classes.get_class(session, issuer_id, code)
    par_value_after = scaled_par_value(share_class.par_value, terms.ratio)
    plan = _new_plan(terms)
    for holding, pledges in _encumbered_holdings(session, issuer_id, code):
        _require_whole_encumbrances(holding, pledges, terms.ratio)
        plan.add(holding, pledges)
    before, after = share_class.authorised, _scaled_authorised(share_class, terms.ratio)
    if after is not None:
        # Scaled before any holding is: the limit usually overflows first.
        require_countable(
            after, f"the authorised number of {code} shares", field="ratio", class_code=code
        )
    if after is not None and plan.issued > after:
        raise Refused(
            "authorised_exceeded",
            f"after rounding {plan.issued} {code} shares would be issued, more than the "
            f"{after} authorised once scaled",
            class_code=code,
            authorised=after,
            issued=plan.issued,
        )
    require_countable(plan.issued, f"the number of {code} shares issued", class_code=code)
    issued_before = share_class.issued
    data = {
        "class": code,
        **terms.log_data(),
        "issued_before": str(issued_before),
        "issued_after": str(plan.issued),
        "authorised_before": _text(before),
        "authorised_after": _text(after),
        "par_value_after": par_value_after,
        "holdings": plan.holdings,
    }
    if terms.cash:
        data["cash_in_lieu_total"] = decimal_text(plan.cash)
    return data


def _reorganise(ctx: CommandContext, request: ReorganiseClass, kind: str) -> Reorganisation:
    data = planned_reorganisation(ctx.session, ctx.issuer_id, request, kind)
    entry = ctx.record(kind, data)
    return Reorganisation(
        entry=entry,
        share_class=classes.get_class(ctx.session, ctx.issuer_id, request.class_code),
        issued_before=int(data["issued_before"]),
        issued_after=int(data["issued_after"]),
        authorised_before=_number(data["authorised_before"]),
        holdings_changed=len(data["holdings"]),
        cash_in_lieu_total=data.get("cash_in_lieu_total"),
    )


def split_class(ctx: CommandContext, request: ReorganiseClass) -> Reorganisation:
    """Split every holding of a class, e.g. "2:1"."""
    return _reorganise(ctx, request, "class.split")


def consolidate_class(ctx: CommandContext, request: ReorganiseClass) -> Reorganisation:
    """Consolidate every holding of a class, e.g. "1:10"."""
    return _reorganise(ctx, request, "class.consolidated")


def _recorded_holdings(session: Session, entry: Applied) -> list[dict[str, Any]]:
    """The per-holding results the entry carries; an entry written before they were carried
    has only the totals, and its results are worked out as its command worked them out."""
    if "holdings" in entry.data:
        return entry.data["holdings"]
    plan = _new_plan(recorded_terms(entry.data))
    for holding, pledges in _encumbered_holdings(session, entry.issuer_id, entry.data["class"]):
        plan.add(holding, pledges)
    return plan.holdings


def apply_class_reorganised(session: Session, entry: Applied) -> None:
    issuer_id, code = entry.issuer_id, entry.data["class"]
    share_class = classes.get_class(session, issuer_id, code)
    results = _recorded_holdings(session, entry)
    holdings.preload(session, issuer_id, ((code, result["holder_id"]) for result in results))
    change = 0
    for result in results:
        holder_id = result["holder_id"]
        holding = holdings.current(session, issuer_id, code, holder_id)
        held = int(result["held"]) - holding.held
        change += held
        pledged = 0
        for pledge_id, quantity in result.get("pledges", {}).items():
            pledge = session.get(Pledge, (issuer_id, pledge_id))
            pledge.quantity = int(quantity)
            pledged += pledge.quantity
        holdings.change(
            session,
            entry,
            code,
            holder_id,
            held=held,
            frozen=int(result.get("frozen", 0)) - holding.frozen,
            pledged=pledged - holding.pledged,
            reserved=int(result.get("reserved", 0)) - holding.reserved,
        )
        if "cash_in_lieu_amount" in result:
            settle_fraction(
                session, entry, code, holder_id, result["fraction"], result["cash_in_lieu_amount"]
            )
    classes.change_issued(session, entry, code, change)
    # The entry states its total as well as its holdings; a log where they disagree is
    # reported, not papered over.
    if share_class.issued != int(entry.data["issued_after"]):
        raise RegisterInvariantError(
            f"entry {entry.index} ({entry.kind}) says issued_after="
            f"{entry.data['issued_after']}, its holdings add up to {share_class.issued}"
        )
    share_class.authorised = _number(entry.data["authorised_after"])
    share_class.par_value = entry.data.get("par_value_after", share_class.par_value)
