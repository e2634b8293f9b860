"""ORM tables, one module per aggregate. Importing this package registers them all."""

from app.models.access import PersonalDataAccess
from app.models.idempotency import IdempotencyRecord
from app.models.issuer import Issuer
from app.models.log import LogCheckpoint, LogLeaf, LogNode, LogState, SigningKey
from app.models.notices import Notice
from app.models.register import (
    Distribution,
    Entitlement,
    FractionSettlement,
    Holder,
    HolderDetails,
    HoldingVersion,
    Pledge,
    ShareClass,
)
from app.models.transfers import InstructionTransition, TransferInstruction, TransferSettings
from app.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "Distribution",
    "Entitlement",
    "FractionSettlement",
    "Holder",
    "HolderDetails",
    "HoldingVersion",
    "IdempotencyRecord",
    "InstructionTransition",
    "Issuer",
    "LogCheckpoint",
    "LogLeaf",
    "LogNode",
    "LogState",
    "Notice",
    "PersonalDataAccess",
    "Pledge",
    "ShareClass",
    "SigningKey",
    "TransferInstruction",
    "TransferSettings",
    "User",
]
