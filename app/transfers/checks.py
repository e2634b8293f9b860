"""Whether a transfer may be made: every failing rule, with its reason code.

One evaluation serves the dry run (`can-transfer`), an instruction (refused with the reasons)
and a transfer the secretary lodges, including the settlement of an instruction.

Lodged transfers are checked through a hook: `app.register.transfers.lodge_transfer` calls the
checks installed with `install_check`, and importing this package installs `check_lodged`
(as it installs its appliers). The register must not import `app.transfers`, and a hook, not a
wrapper at the API, makes every caller of `lodge_transfer` (API, browser, CLI, the workflow's
settle) meet the same rules; forced transfers (`app.register.restrictions`) do not go through
`lodge_transfer`, so they bypass the rules, as their legal reference entitles them to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models.register import Holder, HolderDetails, HoldingVersion, ShareClass
from app.models.transfers import IssuanceLockup
from app.register import classes, holdings
from app.register.errors import InvalidInput, Refused
from app.register.limits import require_quantity
from app.register.queries import current_versions, get_holder
from app.register.requests import LodgeTransfer
from app.transfers import reasons as codes
from app.transfers.reasons import Reason
from app.transfers.rules import RuleSet, Versioned, current_rules, validate

if TYPE_CHECKING:
    from app.register.context import CommandContext


@dataclass(frozen=True)
class Proposal:
    class_code: str
    from_holder_id: str
    to_holder_id: str
    quantity: int
    # Shares already reserved for this very transfer (an instruction being settled).
    reserved_for_it: int = 0


class TransferNotAllowed(Refused):
    """A transfer the class's rules (or the holding) do not allow; `reasons` lists them all.
    Its code is the first reason's, so a caller that knows only one refusal (the register's
    `insufficient_available`) still reads it, with that reason's figures in the details."""

    def __init__(self, reasons: list[Reason]) -> None:
        summary = "; ".join(reason.message for reason in reasons)
        super().__init__(
            reasons[0].code,
            f"the transfer is not allowed: {summary}",
            **reasons[0].figures,
            reasons=[reason.as_dict() for reason in reasons],
        )
        self.reasons = reasons


def require_well_formed(session: Session, issuer_id: str, proposal: Proposal) -> None:
    """What makes a proposal meaningless rather than refused (422 or 404, never reasons)."""
    require_quantity(proposal.quantity)
    if proposal.from_holder_id == proposal.to_holder_id:
        raise InvalidInput("a transfer needs two different holders", field="to_holder_id")
    classes.get_class(session, issuer_id, proposal.class_code)
    get_holder(session, issuer_id, proposal.from_holder_id)
    get_holder(session, issuer_id, proposal.to_holder_id)


def evaluate(session: Session, issuer_id: str, proposal: Proposal, today: date) -> list[Reason]:
    """Every rule the proposal fails, in a fixed order (the holding, then the class's rules)."""
    require_well_formed(session, issuer_id, proposal)
    current = current_rules(session, issuer_id, proposal.class_code)
    rules, found = current.rules, []

    def fail(code: str, rule: str, message: str, **figures: object) -> None:
        found.append(Reason(code, rule, current.version, message, figures))

    code, quantity = proposal.class_code, proposal.quantity
    source = get_holder(session, issuer_id, proposal.from_holder_id)
    target = get_holder(session, issuer_id, proposal.to_holder_id)
    if source.ceased_on is not None:
        fail(codes.TRANSFEROR_NOT_ELIGIBLE, "transferor", "the transferor is no longer a member")
    if target.ceased_on is not None or target.erased:
        fail(codes.TRANSFEREE_NOT_ELIGIBLE, "transferee", "the transferee is no longer a member")
    holding = holdings.current(session, issuer_id, code, source.holder_id)
    held = holding.held if holding else 0
    available = (holding.available if holding else 0) + proposal.reserved_for_it
    if quantity > available:
        fail(
            codes.INSUFFICIENT_AVAILABLE,
            "available",
            f"the transferor has {available:,} {code} shares available, {quantity:,} needed",
            holder_id=source.holder_id,
            class_code=code,
            available=available,
            requested=quantity,
        )
    if rules.trading_halted:
        fail(codes.TRADING_HALTED, "trading_halted", f"trading in {code} shares is halted")
    if rules.lockup_until is not None and today < rules.lockup_until:
        fail(
            codes.LOCKED_UP,
            "lockup_until",
            f"{code} shares are locked up until {rules.lockup_until.isoformat()}",
        )
    locked = locked_quantity(session, issuer_id, code, source.holder_id, today)
    if locked and quantity > max(0, available - locked):
        fail(
            codes.LOCKED_UP,
            "issuance_lockup",
            f"{locked:,} of the transferor's {code} shares were issued under a lock-up still "
            f"running; {max(0, available - locked):,} may be transferred",
        )
    found.extend(
        Reason(reason_code, rule, current.version, message)
        for reason_code, rule, message in transferee_breaches(session, target, rules)
    )
    if rules.max_holders is not None:
        before = holder_count(session, issuer_id, code)
        target_holding = holdings.current(session, issuer_id, code, target.holder_id)
        joins = not (target_holding and target_holding.held > 0)
        after = before + joins - (quantity >= held > 0)
        if after > rules.max_holders and after > before:
            fail(
                codes.MAX_HOLDERS_EXCEEDED,
                "max_holders",
                f"the transfer would give {code} {after:,} holders; at most "
                f"{rules.max_holders:,} are allowed",
            )
    if rules.max_vote_percentage is not None:
        share = vote_share_after(session, issuer_id, code, target.holder_id, quantity)
        if share is not None and share > rules.max_vote_percentage:
            fail(
                codes.MAX_PERCENTAGE_EXCEEDED,
                "max_vote_percentage",
                f"the transferee would have {share:.2f}% of the votes; at most "
                f"{rules.max_vote_percentage}% is allowed",
            )
    if rules.minimum_lot is not None and quantity < rules.minimum_lot:
        fail(
            codes.BELOW_MINIMUM_LOT,
            "minimum_lot",
            f"{code} shares transfer in lots of at least {rules.minimum_lot:,}",
        )
    return found


def transferee_breaches(
    session: Session, holder: Holder, rules: RuleSet
) -> list[tuple[str, str, str]]:
    """(code, rule, message) of the KYC and country rules the holder fails as a member."""
    country = None
    if rules.allowed_countries is not None or rules.blocked_countries:
        details = session.get(HolderDetails, (holder.issuer_id, holder.holder_id))
        country = details.country if details else None
    return member_breaches(holder, country, rules, who="the transferee")


def member_breaches(
    holder: Holder, country: str | None, rules: RuleSet, who: str | None = None
) -> list[tuple[str, str, str]]:
    """`who` names the holder in the messages: a role in a transfer's dry run, where the
    investor reads them, else the holder id (a rule change's report of holdings in breach)."""
    who = who or f"holder {holder.holder_id}"
    found = []
    if rules.kyc_required and not holder.kyc_verified:
        found.append(
            (
                codes.KYC_REQUIRED,
                "kyc_required",
                f"{who}'s identity has not been verified (KYC)",
            )
        )
    return found + country_breaches(who, country, rules)


def country_breaches(who: str, country: str | None, rules: RuleSet) -> list[tuple[str, str, str]]:
    if country in rules.blocked_countries:
        return [
            (
                codes.COUNTRY_BLOCKED,
                "blocked_countries",
                f"{who}'s country {country} is blocked",
            )
        ]
    if rules.allowed_countries is not None and country not in rules.allowed_countries:
        return [
            (
                codes.COUNTRY_BLOCKED,
                "allowed_countries",
                f"{who}'s country {country or '(unknown)'} is not one of "
                f"{', '.join(rules.allowed_countries) or 'none'}",
            )
        ]
    return []


def require_allowed(session: Session, issuer_id: str, proposal: Proposal, today: date) -> None:
    found = evaluate(session, issuer_id, proposal, today)
    if found:
        raise TransferNotAllowed(found)


def check_lodged(ctx: CommandContext, request: LodgeTransfer, instruction_id: str | None) -> None:
    """The hook `lodge_transfer` calls; a settling instruction's shares are reserved for it."""
    proposal = Proposal(
        class_code=request.class_code,
        from_holder_id=request.from_holder_id,
        to_holder_id=request.to_holder_id,
        quantity=request.quantity,
        reserved_for_it=request.quantity if instruction_id is not None else 0,
    )
    require_allowed(ctx.session, ctx.issuer_id, proposal, ctx.today())


# --- reads ---------------------------------------------------------------------------------


def locked_quantity(
    session: Session, issuer_id: str, class_code: str, holder_id: str, today: date
) -> int:
    """Shares of the holder's class issued under a lock-up that has not ended by `today`."""
    return session.scalar(
        select(func.coalesce(func.sum(IssuanceLockup.quantity), 0)).where(
            IssuanceLockup.issuer_id == issuer_id,
            IssuanceLockup.class_code == class_code,
            IssuanceLockup.holder_id == holder_id,
            IssuanceLockup.locked_until > today,
        )
    )


def _holding_class(issuer_id: str, class_code: str):
    return (
        HoldingVersion.issuer_id == issuer_id,
        HoldingVersion.class_code == class_code,
        HoldingVersion.held > 0,
        current_versions(),
    )


def holder_count(session: Session, issuer_id: str, class_code: str) -> int:
    return session.scalar(select(func.count()).where(*_holding_class(issuer_id, class_code)))


def holders_of_class(session: Session, issuer_id: str, class_code: str) -> list[tuple]:
    """(Holder, country) of everyone holding shares of the class, in holder_id order."""
    query = (
        select(Holder, HolderDetails.country)
        .join(
            HoldingVersion,
            (HoldingVersion.issuer_id == Holder.issuer_id)
            & (HoldingVersion.holder_id == Holder.holder_id),
        )
        .outerjoin(
            HolderDetails,
            (HolderDetails.issuer_id == Holder.issuer_id)
            & (HolderDetails.holder_id == Holder.holder_id),
        )
        .where(*_holding_class(issuer_id, class_code))
        .order_by(Holder.holder_id)
    )
    return [tuple(row) for row in session.execute(query)]


def votes_by_holder(
    session: Session, issuer_id: str, holder_ids: Iterable[str] | None = None
) -> dict[str, int]:
    """Votes each holder (of `holder_ids`, or every one) has across the issuer's classes."""
    votes = func.sum(HoldingVersion.held * ShareClass.votes_per_share)
    query = (
        select(HoldingVersion.holder_id, votes)
        .join(
            ShareClass,
            (ShareClass.issuer_id == HoldingVersion.issuer_id)
            & (ShareClass.code == HoldingVersion.class_code),
        )
        .where(HoldingVersion.issuer_id == issuer_id, current_versions())
        .group_by(HoldingVersion.holder_id)
    )
    if holder_ids is not None:
        query = query.where(HoldingVersion.holder_id.in_(list(holder_ids)))
    return {holder_id: int(total or 0) for holder_id, total in session.execute(query)}


def total_votes(session: Session, issuer_id: str) -> int:
    return sum(votes_by_holder(session, issuer_id).values())


def vote_share_after(
    session: Session, issuer_id: str, class_code: str, holder_id: str, quantity: int
) -> Decimal | None:
    """The holder's percentage of all votes once it receives `quantity` shares of the class;
    None when the transfer gives it no votes (a non-voting class) or no one has votes."""
    per_share = classes.get_class(session, issuer_id, class_code).votes_per_share
    total = total_votes(session, issuer_id)
    if not per_share or not total:
        return None
    mine = votes_by_holder(session, issuer_id, [holder_id]).get(holder_id, 0)
    return Decimal(100 * (mine + quantity * per_share)) / Decimal(total)


def vote_shares(session: Session, issuer_id: str, holder_ids: list[str]) -> dict[str, Decimal]:
    total = total_votes(session, issuer_id)
    if not total:
        return {}
    votes = votes_by_holder(session, issuer_id, holder_ids)
    return {holder_id: Decimal(100 * votes.get(holder_id, 0)) / total for holder_id in holder_ids}


@dataclass(frozen=True)
class Breach:
    """A current holding the class's rules would not allow (None: the class as a whole)."""

    holder_id: str | None
    code: str
    rule: str
    message: str


def breaches(
    session: Session, issuer_id: str, class_code: str, versioned: Versioned
) -> list[Breach]:
    """The class's current holdings that the rules would not allow, by holder and rule: what a
    rule change reports (it is allowed; the company decides what to do about them)."""
    rules = versioned.rules
    members = holders_of_class(session, issuer_id, class_code)
    found = [
        Breach(holder.holder_id, code, rule, message)
        for holder, country in members
        for code, rule, message in member_breaches(holder, country, rules)
    ]
    if rules.max_vote_percentage is not None:
        shares = vote_shares(session, issuer_id, [holder.holder_id for holder, _ in members])
        found.extend(
            Breach(
                holder_id,
                codes.MAX_PERCENTAGE_EXCEEDED,
                "max_vote_percentage",
                f"holder {holder_id} has {share:.2f}% of the votes; at most "
                f"{rules.max_vote_percentage}% is allowed",
            )
            for holder_id, share in shares.items()
            if share > rules.max_vote_percentage
        )
    if rules.max_holders is not None and len(members) > rules.max_holders:
        found.append(
            Breach(
                None,
                codes.MAX_HOLDERS_EXCEEDED,
                "max_holders",
                f"{class_code} has {len(members)} holders; at most {rules.max_holders} are allowed",
            )
        )
    return found


def preview_breaches(
    session: Session, issuer_id: str, class_code: str, proposed: RuleSet
) -> list[Breach]:
    """The holdings `proposed` would put in breach were it saved now: what `change_rules`
    would report, read without writing, so the secretary sees them before deciding."""
    classes.get_class(session, issuer_id, class_code)
    validate(proposed)
    upcoming = current_rules(session, issuer_id, class_code).version + 1
    return breaches(session, issuer_id, class_code, Versioned(upcoming, proposed))
