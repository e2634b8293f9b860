"""Domain services: plain functions over a Session that raise domain errors.

Importing the package imports every module that registers an applier, so that replay knows
every entry kind.
"""

from app.register import (  # noqa: F401
    capital,
    classes,
    distributions,
    holders,
    holdings,
    issuance,
    issuers,
    projection,
    reorganisation,
    restrictions,
    transfers,
)
