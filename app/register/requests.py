"""Typed requests: what each register command takes, one frozen dataclass per command.

The API's marshmallow schemas build them in `post_load`, the web forms and the CLI build them
directly; the field names are the same all the way (the wire name of `class_code` is "class",
as the log names it, set by the schema's `data_key`). Services validate what only the register
can know; the shapes and bounds are checked at the door.

Amendments name only what changes: a field left at `KEEP` is not amended.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Final


class _Keep:
    """The value of an amendment field that the request leaves as it is."""

    _instance: _Keep | None = None

    def __new__(cls) -> _Keep:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


KEEP: Final = _Keep()


def amended_fields(request: object, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields an amendment request sets, by name."""
    return {
        item.name: getattr(request, item.name)
        for item in fields(request)  # type: ignore[arg-type]
        if item.name not in exclude and getattr(request, item.name) is not KEEP
    }


# --- issuers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterIssuer:
    legal_name: str
    registration_number: str
    jurisdiction: str
    lei: str | None = None
    disclosure_profile: str = "standard"


@dataclass(frozen=True)
class AmendIssuer:
    legal_name: str | _Keep = KEEP
    registration_number: str | _Keep = KEEP
    jurisdiction: str | _Keep = KEEP
    lei: str | _Keep | None = KEEP
    disclosure_profile: str | _Keep = KEEP


# --- share classes -------------------------------------------------------------------------


@dataclass(frozen=True)
class CreateClass:
    code: str
    name: str
    currency: str
    votes_per_share: int = 1
    par_value: Decimal = Decimal("0")
    authorised: int | None = None  # None: no authorised limit


@dataclass(frozen=True)
class AmendClass:
    code: str
    name: str | _Keep = KEEP
    votes_per_share: int | _Keep = KEEP
    par_value: Decimal | _Keep = KEEP
    currency: str | _Keep = KEEP
    authorised: int | _Keep | None = KEEP


# --- holders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HolderDetails:
    """Register-of-members details: kept off the log, which carries a commitment to them."""

    name: str
    address: str
    identifier: str
    country: str
    holder_type: str  # person | entity
    email: str | None = None
    joint_holders: tuple[str, ...] = ()

    @classmethod
    def of(cls, details: Mapping[str, Any]) -> HolderDetails:
        """From a mapping of details (a loaded body, an import's row): joint holders in any
        sequence."""
        return cls(**{**details, "joint_holders": tuple(details.get("joint_holders") or ())})


@dataclass(frozen=True)
class RegisterHolder:
    details: HolderDetails
    registered_on: date | None = None  # today when not given
    # A live member has the identifier already, and the secretary says this is someone else.
    same_identifier_different_person: bool = False


@dataclass(frozen=True)
class AmendHolder:
    holder_id: str
    name: str | _Keep = KEEP
    address: str | _Keep = KEEP
    identifier: str | _Keep = KEEP
    country: str | _Keep = KEEP
    holder_type: str | _Keep = KEEP
    email: str | _Keep | None = KEEP
    joint_holders: tuple[str, ...] | _Keep = KEEP


@dataclass(frozen=True)
class CeaseHolder:
    holder_id: str
    ceased_on: date | None = None  # today when not given


@dataclass(frozen=True)
class EraseHolder:
    holder_id: str


# --- issuance and transfers ----------------------------------------------------------------


@dataclass(frozen=True)
class Allocation:
    class_code: str
    holder_id: str
    quantity: int
    price_per_share: Decimal | None = None
    currency: str | None = None
    reference: str | None = None  # e.g. a subscription agreement
    # These shares stay with this holder until the date (a lock-up agreed at allotment).
    locked_until: date | None = None


@dataclass(frozen=True)
class IssueShares:
    allocations: tuple[Allocation, ...]


@dataclass(frozen=True)
class LodgeTransfer:
    """An executed instrument of transfer, registered (settled) at once."""

    class_code: str
    from_holder_id: str
    to_holder_id: str
    quantity: int
    instrument_reference: str
    consideration: Decimal | None = None
    currency: str | None = None
    # The instrument was registered already and the secretary says it covers this one too.
    instrument_reuse: bool = False


# --- capital -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CancelShares:
    class_code: str
    holder_id: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class RepurchaseShares:
    class_code: str
    holder_id: str
    quantity: int
    price_per_share: Decimal
    currency: str


@dataclass(frozen=True)
class Consideration:
    """What a redemption pays: cash, or the company's products or services."""

    type: str  # cash | products_or_services
    amount: Decimal | None = None
    currency: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class RedeemShares:
    class_code: str
    holder_id: str
    quantity: int
    consideration: Consideration


# --- reorganisations -----------------------------------------------------------------------


@dataclass(frozen=True)
class FractionTerms:
    """A ratio "new:old" and what happens to fractions of a share."""

    ratio: str
    fraction_policy: str
    cash_in_lieu_price: Decimal | None = None  # under round_down_cash_in_lieu
    currency: str | None = None


@dataclass(frozen=True)
class ConvertShares:
    holder_id: str
    from_class: str
    to_class: str
    quantity: int
    terms: FractionTerms


@dataclass(frozen=True)
class ReorganiseClass:
    """A split (more shares, e.g. "2:1") or a consolidation (fewer, e.g. "1:10")."""

    class_code: str
    terms: FractionTerms


# --- restrictions --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeFreeze:
    """Freeze or unfreeze part of a holding; `reason` names the legal ground."""

    class_code: str
    holder_id: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class RegisterPledge:
    class_code: str
    holder_id: str
    quantity: int
    pledgee: str  # an institution and facility reference, never a private person


@dataclass(frozen=True)
class ReleasePledge:
    pledge_id: str


@dataclass(frozen=True)
class ForcedTransfer:
    class_code: str
    from_holder_id: str
    to_holder_id: str
    quantity: int
    legal_reference: str


# --- distributions -------------------------------------------------------------------------


@dataclass(frozen=True)
class DeclareDistribution:
    class_code: str
    amount_per_share: Decimal
    currency: str
    record_date: date
    payment_date: date | None = None


@dataclass(frozen=True)
class SetKyc:
    """Record whether the company has verified a holder's identity (know your customer)."""

    holder_id: str
    verified: bool
