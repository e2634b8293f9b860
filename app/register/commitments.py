"""Check the register's personal details against the commitments on the log.

Holder details never go on the log, so replay cannot vouch for them: a changed name or salt
in `holder_details` would replay clean. The log holds, for every holder, a salted commitment
to their details; recomputing it from the stored details proves them unchanged since the
entry that committed to them. Erased holders have no details left and are counted apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.register.holders import commitment, details_of
from app.register.queries import holders_page
from app.register.replay import ReplayMismatch


class CommitmentMismatch(ReplayMismatch):
    """A holder's stored details differ from what the log committed to."""


@dataclass(frozen=True)
class CommitmentReport:
    matched: int
    erased: int


CHUNK = 5_000


def check_commitments(session: Session, issuer_id: str) -> CommitmentReport:
    """Every holder with details: their commitment recomputed from the details equals the one
    the log gave them (`holders.commitment`, replayed from the log). Raises
    CommitmentMismatch naming the first holder that differs and the entry that committed."""
    matched = erased = 0
    after: str | None = None
    while True:
        page, after = holders_page(session, issuer_id, after, CHUNK)
        for holder, details in page:
            if details is None:
                erased += 1
            elif commitment(details.salt, details_of(details)) != holder.commitment:
                raise CommitmentMismatch(
                    f"holder {holder.holder_id}: the stored details do not match the "
                    "commitment on the log",
                    holder.last_log_index,
                )
            else:
                matched += 1
        session.expunge_all()
        if after is None:
            return CommitmentReport(matched, erased)
