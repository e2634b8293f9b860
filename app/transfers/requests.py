"""Typed requests of the transfer workflow, one frozen dataclass per command.

`party` is the holder on whose behalf the actor acts (an investor); None means the company's
secretary, who may act for anyone. Services check it, so every entry point gets the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.register.requests import RegisterHolder
from app.transfers.rules import RuleSet


@dataclass(frozen=True)
class Instruct:
    class_code: str
    from_holder_id: str
    to_holder_id: str | None  # None when `new_transferee` is given
    quantity: int
    # The instructing party has read the risk notice; an instruction without it is refused.
    risk_acknowledged: bool
    consideration: Decimal | None = None  # a price, with its currency
    currency: str | None = None
    consideration_text: str | None = None  # or a description, e.g. "gift"
    party: str | None = None
    # A transferee who is not a member yet, registered by the instruction's command.
    new_transferee: RegisterHolder | None = None


@dataclass(frozen=True)
class Step:
    """Accept, decline, approve, cancel, expire or settle one instruction."""

    instruction_id: str
    party: str | None = None


@dataclass(frozen=True)
class Reason:
    code: str
    text: str


@dataclass(frozen=True)
class Reject:
    instruction_id: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class ConfigureTransfers:
    class_code: str
    approval_required: bool = True
    acceptance_days: int = 14
    # Right of first refusal for the class's holders, and their window in days.
    pre_emption: bool = False
    pre_emption_days: int = 30


@dataclass(frozen=True)
class TakeUp:
    """An offeree takes up `quantity` of its pre-emption entitlement."""

    instruction_id: str
    holder_id: str
    quantity: int
    party: str | None = None


@dataclass(frozen=True)
class Waive:
    """An offeree waives its pre-emption entitlement."""

    instruction_id: str
    holder_id: str
    party: str | None = None


@dataclass(frozen=True)
class ChangeRules:
    """Replace a class's transfer rules with a new version (`rules.changed`)."""

    class_code: str
    rules: RuleSet
