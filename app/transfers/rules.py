"""A share class's transfer rules, versioned on the log (`rules.changed`).

Each change records the whole rule set with the next version number; `transfer_rules` holds
the current set and `transfer_rules_versions` every set, so the history is read from the
tables and rebuilt from the log by replay. A class no one has given rules has version 0, the
empty set: every transfer the register itself allows is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.transfers import (
    IssuanceLockup,
    TransferRules,
    TransferRulesVersion,
    TransferSettings,
)
from app.register.errors import InvalidInput
from app.register.holdings import RegisterInvariantError
from app.register.projection import Applied
from app.register.ratios import decimal_text

# Babel's English territory names hold every ISO 3166-1 alpha-2 code plus a few CLDR ones that
# ISO does not assign (Ascension, the EU, the UN, Kosovo's user-assigned XK, pseudo-locales...).
_NOT_ISO_3166 = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)


@cache
def iso_countries() -> frozenset[str]:
    territories = Locale("en").territories
    return (
        frozenset(code for code in territories if len(code) == 2 and code.isalpha()) - _NOT_ISO_3166
    )


@dataclass(frozen=True)
class RuleSet:
    """What a transfer of the class must satisfy; every field's default means "no rule"."""

    lockup_until: date | None = None  # no transfers of the class before this date
    kyc_required: bool = False  # the transferee's identity must be verified
    allowed_countries: tuple[str, ...] | None = None  # the transferee's country must be one
    blocked_countries: tuple[str, ...] = ()  # ... and must not be one of these
    max_holders: int | None = None  # holders of the class, after the transfer
    max_vote_percentage: Decimal | None = None  # of all votes, per holder, after the transfer
    minimum_lot: int | None = None  # the smallest quantity a transfer may move
    # Above this quantity the company approves; at or below it, acceptance suffices. None: the
    # class's `approval_required` setting decides for every quantity.
    approval_above: int | None = None
    trading_halted: bool = False

    def as_data(self) -> dict[str, Any]:
        """The log's form: dates ISO, numbers as text (as the register's entries have them)."""
        return {
            "lockup_until": self.lockup_until.isoformat() if self.lockup_until else None,
            "kyc_required": self.kyc_required,
            "allowed_countries": (
                None if self.allowed_countries is None else list(self.allowed_countries)
            ),
            "blocked_countries": list(self.blocked_countries),
            "max_holders": _text(self.max_holders),
            "max_vote_percentage": (
                None if self.max_vote_percentage is None else decimal_text(self.max_vote_percentage)
            ),
            "minimum_lot": _text(self.minimum_lot),
            "approval_above": _text(self.approval_above),
            "trading_halted": self.trading_halted,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> RuleSet:
        allowed = data.get("allowed_countries")
        return cls(
            lockup_until=_date(data.get("lockup_until")),
            kyc_required=bool(data.get("kyc_required")),
            allowed_countries=None if allowed is None else tuple(allowed),
            blocked_countries=tuple(data.get("blocked_countries") or ()),
            max_holders=_int(data.get("max_holders")),
            max_vote_percentage=(
                None
                if data.get("max_vote_percentage") is None
                else Decimal(data["max_vote_percentage"])
            ),
            minimum_lot=_int(data.get("minimum_lot")),
            approval_above=_int(data.get("approval_above")),
            trading_halted=bool(data.get("trading_halted")),
        )

    def view(self) -> dict[str, Any]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def validate(rules: RuleSet) -> None:
    """The rules the schema cannot see: real country codes, lists that do not contradict."""
    known = iso_countries()
    for field in ("allowed_countries", "blocked_countries"):
        unknown = sorted(set(getattr(rules, field) or ()) - known)
        if unknown:
            raise InvalidInput(
                f"not ISO 3166-1 alpha-2 country codes: {', '.join(unknown)}", field=field
            )
    both = sorted(set(rules.allowed_countries or ()) & set(rules.blocked_countries))
    if both:
        raise InvalidInput(
            f"countries both allowed and blocked: {', '.join(both)}", field="blocked_countries"
        )
    percentage = rules.max_vote_percentage
    if percentage is not None and not Decimal(0) < percentage <= Decimal(100):
        raise InvalidInput(
            "max_vote_percentage must be above 0 and at most 100", field="max_vote_percentage"
        )
    for field in ("max_holders", "minimum_lot", "approval_above"):
        value = getattr(rules, field)
        if value is not None and value < 1:
            raise InvalidInput(f"{field} must be at least 1", field=field)


@dataclass(frozen=True)
class Versioned:
    version: int
    rules: RuleSet


NO_RULES = Versioned(0, RuleSet())


def current_rules(session: Session, issuer_id: str, class_code: str) -> Versioned:
    row = session.get(TransferRules, (issuer_id, class_code))
    return NO_RULES if row is None else Versioned(row.version, RuleSet.from_data(row.rules))


def history(session: Session, issuer_id: str, class_code: str) -> list[TransferRulesVersion]:
    return list(
        session.scalars(
            select(TransferRulesVersion)
            .where(
                TransferRulesVersion.issuer_id == issuer_id,
                TransferRulesVersion.class_code == class_code,
            )
            .order_by(TransferRulesVersion.version)
        )
    )


def approval_required_for(session: Session, settings: TransferSettings, quantity: int) -> bool:
    """Whether an instruction of `quantity` needs the company's approval: the class's setting,
    except at or below the rules' `approval_above`, where acceptance is approval enough."""
    threshold = current_rules(session, settings.issuer_id, settings.class_code).rules
    if threshold.approval_above is not None and quantity <= threshold.approval_above:
        return False
    return settings.approval_required


def apply_rules_changed(session: Session, entry: Applied) -> None:
    data = entry.data
    code, version = data["class"], int(data["version"])
    row = session.get(TransferRules, (entry.issuer_id, code))
    expected = 1 if row is None else row.version + 1
    if version != expected:
        # Commands number versions themselves; in replay this is a log they could not write.
        raise RegisterInvariantError(
            f"entry {entry.index} sets rules version {version} of class {code}; "
            f"the next version is {expected}"
        )
    if row is None:
        row = TransferRules(issuer_id=entry.issuer_id, class_code=code)
        session.add(row)
    row.version, row.rules, row.last_log_index = version, data["rules"], entry.index
    session.add(
        TransferRulesVersion(
            issuer_id=entry.issuer_id,
            class_code=code,
            version=version,
            log_index=entry.index,
            recorded_at=entry.recorded_at,
            rules=data["rules"],
        )
    )


def scale_lockups(session: Session, issuer_id: str, class_code: str, new: int, old: int) -> None:
    """A split or consolidation (`new` shares for `old`) scales the shares locked at allotment
    with the holdings; a fraction rounds up, so a lock-up never shrinks by rounding."""
    for lockup in session.scalars(
        select(IssuanceLockup).where(
            IssuanceLockup.issuer_id == issuer_id, IssuanceLockup.class_code == class_code
        )
    ):
        lockup.quantity = -(-lockup.quantity * new // old)
