"""Distributions (dividends): declared per class with an amount per share; everyone on the
register at the end of the record date is entitled to it.

"The register at the end of the record date" is the tree of the last checkpoint signed at or
before the end of that day (UTC). A distribution is normally declared ahead of its record
date, when that register is not final yet, so declaring and fixing the entitlements are two
entries: `distribution.declared` at once, `distribution.entitlements_fixed` once the record
date has ended (in the same command when it already has; otherwise by `flask distributions
fix` or at the first read after the date). The fixing entry carries the tree size it was
computed from and the totals, so every replay computes the same list and anyone can check it
against the signed checkpoint.

Each holder is paid their amount rounded down to the currency's minor unit (ISO 4217 minor
units as CLDR publishes them, through Babel): nobody is paid more than declared, and what the
rounding leaves over, the residue, is stated in the fixing entry.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import ROUND_DOWN, Decimal, localcontext

from babel.numbers import get_currency_precision, list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.register import Distribution, Entitlement, HoldingVersion
from app.register import classes, queries
from app.register.context import CommandContext
from app.register.errors import InvalidInput, NotFound, Refused
from app.register.projection import Applied
from app.register.ratios import decimal_text
from app.register.requests import DeclareDistribution
from app.register.snapshot import NoCheckpoint, find_checkpoint

# Enough digits that quantity x amount per share and their sums are exact, never rounded.
EXACT_DIGITS = 80
DECLARED = "distribution.declared"
FIXED = "distribution.entitlements_fixed"
# What the fixing entry states and its applier must find again from the register.
STATED_TOTALS = ("total_shares", "total_amount", "paid_amount", "rounding_residue")


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def has_ended(day: date, now: datetime) -> bool:
    """Whether the register at the end of `day` (UTC) is final at `now`."""
    return end_of_day(day) < now


def minor_unit_digits(currency: str) -> int:
    """The decimal places of the currency's minor unit (2 for GBP, 0 for JPY, 3 for BHD)."""
    if currency not in list_currencies():
        raise InvalidInput(
            f"{currency} is not an ISO 4217 currency this register knows", field="currency"
        )
    return get_currency_precision(currency)


# --- declaring -----------------------------------------------------------------------------


def declare_distribution(ctx: CommandContext, request: DeclareDistribution) -> Distribution:
    """Declare a distribution on one class. Its entitlements are fixed in the same command
    when the record date has ended, else once it has (`fix_due_distributions`)."""
    session, issuer_id = ctx.session, ctx.issuer_id
    class_code, amount_per_share = request.class_code, request.amount_per_share
    record_date, payment_date = request.record_date, request.payment_date
    classes.get_class(session, issuer_id, class_code)
    if not amount_per_share.is_finite() or amount_per_share <= 0:
        raise InvalidInput("the amount per share must be above zero", field="amount_per_share")
    if payment_date is not None and payment_date < record_date:
        raise InvalidInput("payment cannot precede the record date", field="payment_date")
    minor_unit_digits(request.currency)
    record_tree_size = None
    if has_ended(record_date, ctx.clock()):
        record_tree_size = _record_tree_size(ctx, record_date)
        if not holdings_as_of(session, issuer_id, class_code, record_tree_size):
            raise Refused(
                "no_shares_at_record_date",
                f"nobody held {class_code} shares at the end of {record_date.isoformat()}",
                class_code=class_code,
                record_tree_size=record_tree_size,
            )
    data = {
        # Drawn here and carried by the entry, so replay recreates the same distribution.
        "distribution_id": str(uuid.uuid4()),
        "class": class_code,
        "amount_per_share": decimal_text(amount_per_share),
        "currency": request.currency,
        "record_date": record_date.isoformat(),
    }
    if payment_date is not None:
        data["payment_date"] = payment_date.isoformat()
    ctx.record(DECLARED, data)
    distribution = get_distribution(session, issuer_id, data["distribution_id"])
    if record_tree_size is not None:
        _fix(ctx, distribution, record_tree_size)
    return distribution


def _record_tree_size(ctx: CommandContext, record_date: date) -> int:
    try:
        checkpoint = find_checkpoint(ctx.session, ctx.issuer_id, as_of=end_of_day(record_date))
    except NoCheckpoint:
        raise Refused(
            "no_register_at_record_date",
            f"the issuer had no register yet at the end of {record_date.isoformat()}",
            record_date=record_date.isoformat(),
        ) from None
    return checkpoint.tree_size


# --- fixing the entitlements ---------------------------------------------------------------


def fix_due_distributions(ctx: CommandContext) -> list[Distribution]:
    """Fix the entitlements of every distribution of the issuer whose record date has ended
    and that is not fixed yet. The command has locked the issuer's log, so a concurrent fixer
    waits and then finds nothing left to fix: no distribution is fixed twice."""
    now = ctx.clock()
    due = queries.unfixed_distributions(ctx.session, ctx.issuer_id, before=now.date())
    fixed = []
    for distribution in due:
        if has_ended(distribution.record_date, now):
            _fix(ctx, distribution, _record_tree_size(ctx, distribution.record_date))
            fixed.append(distribution)
    return fixed


@dataclass(frozen=True)
class _Computed:
    lines: list[tuple[str, int, Decimal]]  # holder_id, shares held, amount paid
    total_shares: int
    total_amount: Decimal  # exact
    paid_amount: Decimal  # the sum of the rounded amounts

    @property
    def residue(self) -> Decimal:
        return self.total_amount - self.paid_amount


def holdings_as_of(
    session: Session, issuer_id: str, class_code: str, tree_size: int
) -> list[tuple[str, int]]:
    """(holder_id, held) of everyone holding shares of the class in the tree of `tree_size`."""
    rows = session.execute(
        select(HoldingVersion.holder_id, HoldingVersion.held)
        .where(
            HoldingVersion.issuer_id == issuer_id,
            HoldingVersion.class_code == class_code,
            queries.versions_as_of(tree_size),
            HoldingVersion.held > 0,
        )
        .order_by(HoldingVersion.holder_id)
    )
    return [(row.holder_id, row.held) for row in rows]


def _compute(
    session: Session,
    issuer_id: str,
    distribution: Distribution,
    tree_size: int,
    digits: int | None,
) -> _Computed:
    """The entitlements as of `tree_size`, each rounded down to `digits` places (exact when
    None)."""
    per_share = Decimal(distribution.amount_per_share)
    holdings = holdings_as_of(session, issuer_id, distribution.class_code, tree_size)
    with localcontext(prec=EXACT_DIGITS):
        total_shares = sum(held for _, held in holdings)
        exact = [(holder_id, held, held * per_share) for holder_id, held in holdings]
        if digits is None:
            lines = exact
            paid = sum((amount for _, _, amount in lines), Decimal(0))
        else:
            unit = Decimal(1).scaleb(-digits)
            lines = [(h, q, amount.quantize(unit, rounding=ROUND_DOWN)) for h, q, amount in exact]
            paid = sum((amount for _, _, amount in lines), Decimal(0).quantize(unit))
        return _Computed(lines, total_shares, total_shares * per_share, paid)


def _fix(ctx: CommandContext, distribution: Distribution, tree_size: int) -> None:
    digits = minor_unit_digits(distribution.currency)
    computed = _compute(ctx.session, ctx.issuer_id, distribution, tree_size, digits)
    ctx.record(
        FIXED,
        {
            "distribution_id": distribution.distribution_id,
            "record_tree_size": str(tree_size),
            "minor_unit_digits": str(digits),
            "total_shares": str(computed.total_shares),
            "total_amount": decimal_text(computed.total_amount),
            "paid_amount": decimal_text(computed.paid_amount),
            "rounding_residue": decimal_text(computed.residue),
        },
    )


# --- appliers ------------------------------------------------------------------------------


def apply_distribution_declared(session: Session, entry: Applied) -> None:
    data = entry.data
    distribution = Distribution(
        issuer_id=entry.issuer_id,
        distribution_id=data["distribution_id"],
        class_code=data["class"],
        amount_per_share=data["amount_per_share"],
        currency=data["currency"],
        record_date=date.fromisoformat(data["record_date"]),
        payment_date=date.fromisoformat(data["payment_date"]) if data.get("payment_date") else None,
        declared_index=entry.index,
    )
    session.add(distribution)
    session.flush()
    if "record_tree_size" in data:
        # Written before declaring and fixing were two entries: fixed at once, exactly.
        _store_entitlements(session, entry, distribution, int(data["record_tree_size"]), None)


def apply_entitlements_fixed(session: Session, entry: Applied) -> None:
    data = entry.data
    distribution = get_distribution(session, entry.issuer_id, data["distribution_id"])
    if distribution.fixed_index is not None:
        raise ValueError(f"distribution {distribution.distribution_id} is fixed already")
    digits = int(data["minor_unit_digits"])
    _store_entitlements(session, entry, distribution, int(data["record_tree_size"]), digits)
    stated = tuple(data[name] for name in STATED_TOTALS)
    found = tuple(str(getattr(distribution, name)) for name in STATED_TOTALS)
    if stated != found:
        raise ValueError(f"the entry states totals {stated}, the register gives {found}")


def _store_entitlements(
    session: Session,
    entry: Applied,
    distribution: Distribution,
    tree_size: int,
    digits: int | None,
) -> None:
    computed = _compute(session, entry.issuer_id, distribution, tree_size, digits)
    distribution.record_tree_size = tree_size
    distribution.total_shares = computed.total_shares
    distribution.total_amount = decimal_text(computed.total_amount)
    distribution.paid_amount = decimal_text(computed.paid_amount)
    # Fixed exactly (entries from before rounding): nothing left, as the migration says too.
    distribution.rounding_residue = "0" if digits is None else decimal_text(computed.residue)
    distribution.fixed_index = entry.index
    session.add_all(
        Entitlement(
            issuer_id=entry.issuer_id,
            distribution_id=distribution.distribution_id,
            holder_id=holder_id,
            quantity=held,
            amount=decimal_text(amount),
        )
        for holder_id, held, amount in computed.lines
    )
    session.flush()


# --- reading -------------------------------------------------------------------------------


def get_distribution(session: Session, issuer_id: str, distribution_id: str) -> Distribution:
    distribution = session.get(Distribution, (issuer_id, distribution_id))
    if distribution is None:
        raise NotFound(f"no distribution {distribution_id}", distribution_id=distribution_id)
    return distribution
