"""How `notice.*` entries change the tables, for commands and replay alike; and the register's
`class.amended`, extended to keep the votes per share a class had before an amendment, which
the command's crossings need (share classes are not versioned)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.db import transaction_cache
from app.models.notices import Notice
from app.notices.crossings import KIND, VOTES_BEFORE
from app.register import classes
from app.register.appliers import install
from app.register.projection import Applied
from app.register.queries import get_class


def apply_threshold_crossed(session: Session, entry: Applied) -> None:
    data = entry.data
    # The notice names its holder (a foreign key the unit of work cannot order): the holder,
    # registered by an entry in the same replay batch, is written first.
    session.flush()
    session.add(
        Notice(
            issuer_id=entry.issuer_id,
            log_index=entry.index,
            holder_id=data["holder_id"],
            direction=data["direction"],
            threshold=data["threshold"],
            thresholds=list(data["thresholds"]),
            category=data["category"],
            profile=data["profile"],
            before=data["before"],
            after=data["after"],
            trigger_index=int(data["trigger_index"]),
            recorded_at=entry.recorded_at,
        )
    )


def apply_class_amended(session: Session, entry: Applied) -> None:
    if "votes_per_share" in entry.data["changes"]:
        key = (entry.issuer_id, entry.data["class"])
        kept = transaction_cache(session, VOTES_BEFORE)
        if key not in kept:  # the first amendment of the transaction knows the value before
            kept[key] = (entry.index, get_class(session, *key).votes_per_share)
    classes.apply_class_amended(session, entry)


def install_appliers() -> None:
    install(
        {KIND: apply_threshold_crossed, "class.amended": apply_class_amended},
        extends={"class.amended": classes.apply_class_amended},
    )
