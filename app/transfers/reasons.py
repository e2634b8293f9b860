"""Why a transfer may not be made: stable codes, each with its ERC-1066 status.

The codes are part of the API (README, "Transfer rules and reason codes"): never rename one.
ERC-1066 groups transfer statuses under 0x5_ ("application-specific"; ERC-1400/1594 use them
for `canTransfer`): 0x52 insufficient funds, 0x54 transfers halted, 0x55 funds locked
(lock-up), 0x56 invalid sender, 0x57 invalid receiver. A rule with no ERC-1066 status of its
own (holder counts and percentages, lots, pre-emption) reports 0x50, "transfer failure".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INSUFFICIENT_AVAILABLE = "insufficient_available"
TRADING_HALTED = "trading_halted"
LOCKED_UP = "locked_up"
TRANSFEROR_NOT_ELIGIBLE = "transferor_not_eligible"
TRANSFEREE_NOT_ELIGIBLE = "transferee_not_eligible"
KYC_REQUIRED = "kyc_required"
COUNTRY_BLOCKED = "country_blocked"
MAX_HOLDERS_EXCEEDED = "max_holders_exceeded"
MAX_PERCENTAGE_EXCEEDED = "max_percentage_exceeded"
BELOW_MINIMUM_LOT = "below_minimum_lot"
PRE_EMPTION_PENDING = "pre_emption_pending"

TRANSFER_FAILURE = "0x50"
ERC1066: dict[str, str] = {
    INSUFFICIENT_AVAILABLE: "0x52",
    TRADING_HALTED: "0x54",
    LOCKED_UP: "0x55",
    TRANSFEROR_NOT_ELIGIBLE: "0x56",
    TRANSFEREE_NOT_ELIGIBLE: "0x57",
    KYC_REQUIRED: "0x57",
    COUNTRY_BLOCKED: "0x57",
    MAX_HOLDERS_EXCEEDED: TRANSFER_FAILURE,
    MAX_PERCENTAGE_EXCEEDED: TRANSFER_FAILURE,
    BELOW_MINIMUM_LOT: TRANSFER_FAILURE,
    PRE_EMPTION_PENDING: TRANSFER_FAILURE,
}
CODES = tuple(ERC1066)


@dataclass(frozen=True)
class Reason:
    """One failing rule: its code, the rule (a field of the class's rules, or `available`,
    `transferor`, `transferee`, `issuance_lockup`), the rules version it was judged under."""

    code: str
    rule: str
    rule_version: int
    message: str
    # The figures behind it (e.g. available and requested), for the error's details.
    figures: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def erc1066(self) -> str:
        return ERC1066[self.code]

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "erc1066": self.erc1066,
            "rule": self.rule,
            "rule_version": self.rule_version,
            "message": self.message,
        }
