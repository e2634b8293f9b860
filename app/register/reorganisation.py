"""Reorganisations of share capital: conversion between classes, split and consolidation.

Ratios read "new:old" and the arithmetic lives in `ratios`, shared by the commands (which check
and describe the effect) and the appliers (which apply it and check it matches what the entry
says). A split or consolidation is ONE log entry however many holders the class has: its data
carries the terms and the before/after totals, and the applier derives every holding from them.

The authorised number of a class scales with a split or consolidation (rounded down), as the
company's constitution would be amended alongside; a class without a limit stays without one.
If rounding half up would leave more shares issued than the scaled authorised number, the
command is refused (`authorised_exceeded`): amend the class first or round down instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.ledger.log import Ledger
from app.models.register import FractionSettlement, HoldingVersion, Pledge, ShareClass
from app.register import classes, holdings
from app.register.capital import money_text
from app.register.errors import InvalidInput, Refused
from app.register.holders import require_active_holder
from app.register.holdings import RegisterInvariantError
from app.register.issuers import lock_issuer
from app.register.limits import MAX_SHARES, require_quantity
from app.register.projection import Applied, record
from app.register.queries import current_versions
from app.register.ratios import (
    FRACTION_POLICIES,
    ROUND_DOWN_CASH_IN_LIEU,
    Ratio,
    RatioError,
    ScaledHolding,
    allot,
    cash_in_lieu,
    decimal_text,
    fraction_text,
    parse_ratio,
    scale_down,
    scale_holding,
)

CHUNK = 500


@dataclass(frozen=True)
class CashTerms:
    """Cash in lieu of fractions: a price per resulting whole share, in a currency."""

    price: Decimal
    currency: str


@dataclass(frozen=True)
class Terms:
    ratio: Ratio
    policy: str
    cash: CashTerms | None

    def log_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"ratio": str(self.ratio), "fraction_policy": self.policy}
        if self.cash:
            data["cash_in_lieu_price"] = decimal_text(self.cash.price)
            data["currency"] = self.cash.currency
        return data

    def new_effect(self) -> _Effect:
        return _Effect(cash=cash_in_lieu(Fraction(0), self.cash.price) if self.cash else Decimal(0))

    def cash_for(self, leftover: Fraction) -> Decimal | None:
        return cash_in_lieu(leftover, self.cash.price) if self.cash and leftover else None


def _terms(request: Mapping[str, Any], *, allow_unchanged: bool) -> Terms:
    try:
        ratio = parse_ratio(request["ratio"], allow_unchanged=allow_unchanged)
    except RatioError as error:
        raise InvalidInput(str(error), field="ratio") from None
    policy = request.get("fraction_policy")
    if policy not in FRACTION_POLICIES:
        raise InvalidInput(
            f"the fraction policy is one of {', '.join(FRACTION_POLICIES)}",
            field="fraction_policy",
        )
    price, currency = request.get("cash_in_lieu_price"), request.get("currency")
    if policy != ROUND_DOWN_CASH_IN_LIEU:
        if price is not None or currency is not None:
            raise InvalidInput(
                "cash in lieu is paid only under round_down_cash_in_lieu",
                field="cash_in_lieu_price",
            )
        return Terms(ratio, policy, None)
    if price is None or not currency:
        raise InvalidInput(
            "cash in lieu needs a price per resulting share and a currency",
            field="cash_in_lieu_price",
        )
    price = Decimal(money_text(price, "cash_in_lieu_price"))
    return Terms(ratio, policy, CashTerms(price, currency))


def _terms_of(data: Mapping[str, Any]) -> Terms:
    """The terms an entry recorded (valid, since a command checked them)."""
    return _terms(data, allow_unchanged=True)


def _require_recorded(entry: Applied, name: str, derived: Any) -> None:
    """An applier derives what the command already computed; a difference means the log and
    the arithmetic disagree, which replay must report rather than paper over."""
    if entry.data.get(name) != derived:
        raise RegisterInvariantError(
            f"entry {entry.index} ({entry.kind}) says {name}={entry.data.get(name)!r}, "
            f"the register derives {derived!r}"
        )


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _scaled_authorised(share_class: ShareClass, ratio: Ratio) -> int | None:
    """No limit stays no limit; a limit scales with the shares, rounded down."""
    return None if share_class.authorised is None else scale_down(share_class.authorised, ratio)


def _require_countable(share_class: ShareClass, total: int) -> None:
    if total > MAX_SHARES:
        raise Refused(
            "too_many_shares",
            f"{share_class.code} would have {total} shares issued, more than the register counts",
            class_code=share_class.code,
        )


def _settle(
    session: Session, entry: Applied, code: str, holder_id: str, leftover: Fraction, terms: Terms
) -> None:
    cash = terms.cash_for(leftover)
    if cash is None:
        return
    session.add(
        FractionSettlement(
            issuer_id=entry.issuer_id,
            log_index=entry.index,
            holder_id=holder_id,
            class_code=code,
            fraction=fraction_text(leftover),
            cash_amount=decimal_text(cash),
            currency=terms.cash.currency,
        )
    )


# Conversion ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    entry: Applied
    allotted: int
    from_holding: HoldingVersion
    to_holding: HoldingVersion
    from_class: ShareClass
    to_class: ShareClass
    fraction: str | None
    cash_in_lieu: str | None


def convert_shares(
    session: Session, ledger: Ledger, actor: str, issuer_id: str, request: Mapping[str, Any]
) -> Conversion:
    """Convert a holder's shares of one class into another at a ratio "new:old" (1:1 allowed:
    the commonest conversion). request: holder_id, from_class, to_class, quantity, ratio,
    fraction_policy, and cash_in_lieu_price with currency under round_down_cash_in_lieu."""
    quantity, holder_id = request["quantity"], request["holder_id"]
    source_code, target_code = request["from_class"], request["to_class"]
    require_quantity(quantity)
    terms = _terms(request, allow_unchanged=True)
    if source_code == target_code:
        raise InvalidInput("a conversion needs two different classes", field="to_class")
    lock_issuer(session, ledger, issuer_id)
    source = classes.get_class(session, issuer_id, source_code)
    target = classes.get_class(session, issuer_id, target_code)
    require_active_holder(session, issuer_id, holder_id)
    holdings.require_available(session, issuer_id, source_code, holder_id, quantity)
    allotment = allot(quantity, terms.ratio, terms.policy)
    if allotment.whole < 1:
        raise InvalidInput(
            f"{quantity} shares at {terms.ratio} would not make one whole share", field="quantity"
        )
    classes.require_authorised(target, allotment.whole)
    _require_countable(target, target.issued + allotment.whole)
    cash = terms.cash_for(allotment.leftover)
    data = {
        "holder_id": holder_id,
        "from_class": source_code,
        "to_class": target_code,
        "quantity": str(quantity),
        **terms.log_data(),
        "allotted": str(allotment.whole),
    }
    if cash is not None:
        data["cash_in_lieu_amount"] = decimal_text(cash)
    entry = record(session, ledger, issuer_id, actor, "shares.converted", data)
    return Conversion(
        entry=entry,
        allotted=allotment.whole,
        from_holding=holdings.current(session, issuer_id, source_code, holder_id),
        to_holding=holdings.current(session, issuer_id, target_code, holder_id),
        from_class=source,
        to_class=target,
        fraction=fraction_text(allotment.leftover) if cash is not None else None,
        cash_in_lieu=data.get("cash_in_lieu_amount"),
    )


def apply_shares_converted(session: Session, entry: Applied) -> None:
    data, terms = entry.data, _terms_of(entry.data)
    quantity, holder_id = int(data["quantity"]), data["holder_id"]
    allotment = allot(quantity, terms.ratio, terms.policy)
    _require_recorded(entry, "allotted", str(allotment.whole))
    cash = terms.cash_for(allotment.leftover)
    _require_recorded(entry, "cash_in_lieu_amount", None if cash is None else decimal_text(cash))
    holdings.change(session, entry, data["from_class"], holder_id, held=-quantity)
    classes.change_issued(session, entry, data["from_class"], -quantity)
    holdings.change(session, entry, data["to_class"], holder_id, held=allotment.whole)
    classes.change_issued(session, entry, data["to_class"], allotment.whole)
    _settle(session, entry, data["to_class"], holder_id, allotment.leftover, terms)


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
class _Effect:
    cash: Decimal  # zero to the cash's places, so that no cash at all reads "0.00"
    holdings: int = 0
    issued: int = 0


def _require_whole_encumbrances(holding: HoldingVersion, pledges: list[int], ratio) -> None:
    """Frozen, pledged or reserved shares must come out of a reorganisation whole: rounding
    would otherwise free part of them, or pay cash for a fraction a court or a pledgee holds.
    A fraction of the holding then belongs to its free shares, which may round or be paid."""
    encumbered = [holding.frozen, holding.reserved, *pledges]
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


def _add_to(effect: _Effect, whole: int, leftover: Fraction, terms: Terms) -> None:
    effect.holdings += 1
    effect.issued += whole
    # Exact however large the price or the register: the total is signed on the log.
    with localcontext(prec=80):
        effect.cash += terms.cash_for(leftover) or 0


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


def _scale(
    entry: Applied, holding: HoldingVersion, pledges: list[Pledge], terms: Terms
) -> ScaledHolding:
    if sum(pledge.quantity for pledge in pledges) != holding.pledged:
        raise RegisterInvariantError(
            f"entry {entry.index}: {holding.holder_id}'s {holding.class_code} holding has "
            f"{holding.pledged} pledged, but its pledges add up to something else"
        )
    return scale_holding(
        holding.held,
        holding.frozen,
        holding.reserved,
        [pledge.quantity for pledge in pledges],
        terms.ratio,
        terms.policy,
    )


def _reorganise(
    session: Session,
    ledger: Ledger,
    actor: str,
    issuer_id: str,
    code: str,
    request: Mapping[str, Any],
    kind: str,
) -> Reorganisation:
    terms = _terms(request, allow_unchanged=False)
    splitting = kind == "class.split"
    if splitting != (terms.ratio.new > terms.ratio.old):
        example = '"2:1"' if splitting else '"1:10"'
        what = "a split increases" if splitting else "a consolidation reduces"
        raise InvalidInput(f"{what} the number of shares: e.g. {example}", field="ratio")
    lock_issuer(session, ledger, issuer_id)
    share_class = classes.get_class(session, issuer_id, code)
    effect = terms.new_effect()
    pledges = _active_pledges(session, issuer_id, code)
    for holding in _current_holdings(session, issuer_id, code):
        pledged = [pledge.quantity for pledge in pledges.get(holding.holder_id, [])]
        _require_whole_encumbrances(holding, pledged, terms.ratio)
        allotment = allot(holding.held, terms.ratio, terms.policy)
        _add_to(effect, allotment.whole, allotment.leftover, terms)
    before, after = share_class.authorised, _scaled_authorised(share_class, terms.ratio)
    if after is not None and effect.issued > after:
        raise Refused(
            "authorised_exceeded",
            f"after rounding {effect.issued} {code} shares would be issued, more than the "
            f"{after} authorised once scaled",
            class_code=code,
            authorised=after,
            issued=effect.issued,
        )
    _require_countable(share_class, effect.issued)
    data = {
        "class": code,
        **terms.log_data(),
        "issued_before": str(share_class.issued),
        "issued_after": str(effect.issued),
        "authorised_before": _text(before),
        "authorised_after": _text(after),
    }
    if terms.cash:
        data["cash_in_lieu_total"] = decimal_text(effect.cash)
    issued_before = share_class.issued
    entry = record(session, ledger, issuer_id, actor, kind, data)
    return Reorganisation(
        entry=entry,
        share_class=share_class,
        issued_before=issued_before,
        issued_after=effect.issued,
        authorised_before=before,
        holdings_changed=effect.holdings,
        cash_in_lieu_total=data.get("cash_in_lieu_total"),
    )


def split_class(
    session: Session,
    ledger: Ledger,
    actor: str,
    issuer_id: str,
    code: str,
    request: Mapping[str, Any],
) -> Reorganisation:
    """Split every holding of a class, e.g. "2:1". request: ratio, fraction_policy, and
    cash_in_lieu_price with currency under round_down_cash_in_lieu."""
    return _reorganise(session, ledger, actor, issuer_id, code, request, "class.split")


def consolidate_class(
    session: Session,
    ledger: Ledger,
    actor: str,
    issuer_id: str,
    code: str,
    request: Mapping[str, Any],
) -> Reorganisation:
    """Consolidate every holding of a class, e.g. "1:10"; request as for `split_class`."""
    return _reorganise(session, ledger, actor, issuer_id, code, request, "class.consolidated")


def apply_class_reorganised(session: Session, entry: Applied) -> None:
    terms, code = _terms_of(entry.data), entry.data["class"]
    share_class = classes.get_class(session, entry.issuer_id, code)
    _require_recorded(entry, "issued_before", str(share_class.issued))
    effect = terms.new_effect()
    pledges = _active_pledges(session, entry.issuer_id, code)
    for holding in _current_holdings(session, entry.issuer_id, code):
        holder_pledges = pledges.get(holding.holder_id, [])
        scaled = _scale(entry, holding, holder_pledges, terms)
        _add_to(effect, scaled.held, scaled.leftover, terms)
        for pledge, quantity in zip(holder_pledges, scaled.pledges, strict=True):
            pledge.quantity = quantity
        holdings.change(
            session,
            entry,
            code,
            holding.holder_id,
            held=scaled.held - holding.held,
            frozen=scaled.frozen - holding.frozen,
            pledged=scaled.pledged - holding.pledged,
            reserved=scaled.reserved - holding.reserved,
        )
        _settle(session, entry, code, holding.holder_id, scaled.leftover, terms)
    _require_recorded(entry, "issued_after", str(effect.issued))
    if terms.cash:
        _require_recorded(entry, "cash_in_lieu_total", decimal_text(effect.cash))
    authorised = _scaled_authorised(share_class, terms.ratio)
    _require_recorded(entry, "authorised_after", _text(authorised))
    classes.change_issued(session, entry, code, effect.issued - share_class.issued)
    share_class.authorised = authorised
