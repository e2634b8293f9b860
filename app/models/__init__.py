"""ORM tables, one module per aggregate. Importing this package registers them all."""

from app.models.access import PersonalDataAccess
from app.models.disclosures import Disclosure, DisclosureAttachment, Document
from app.models.idempotency import IdempotencyRecord
from app.models.issuer import Issuer
from app.models.jobs import Job, JobChunk
from app.models.log import LogCheckpoint, LogLeaf, LogNode, LogState, SigningKey
from app.models.logins import InvestorLink
from app.models.notices import Notice
from app.models.notifications import IssuerFollow, Notification
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
from app.models.user import ApiToken, LoginSession, User

__all__ = [
    "ApiToken",
    "Disclosure",
    "DisclosureAttachment",
    "Distribution",
    "Document",
    "Entitlement",
    "FractionSettlement",
    "Holder",
    "HolderDetails",
    "HoldingVersion",
    "IdempotencyRecord",
    "InstructionTransition",
    "InvestorLink",
    "Issuer",
    "IssuerFollow",
    "Job",
    "JobChunk",
    "LogCheckpoint",
    "LogLeaf",
    "LogNode",
    "LogState",
    "LoginSession",
    "Notice",
    "Notification",
    "PersonalDataAccess",
    "Pledge",
    "ShareClass",
    "SigningKey",
    "TransferInstruction",
    "TransferSettings",
    "User",
]
