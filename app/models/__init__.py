"""ORM tables, one module per aggregate. Importing this package registers them all."""

from app.models.issuer import Issuer
from app.models.log import LogCheckpoint, LogLeaf, LogNode, LogState, SigningKey
from app.models.user import ApiToken, User

__all__ = [
    "ApiToken",
    "Issuer",
    "LogCheckpoint",
    "LogLeaf",
    "LogNode",
    "LogState",
    "SigningKey",
    "User",
]
