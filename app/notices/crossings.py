"""Threshold crossings of one command, found once at its end and recorded in its transaction.

While a command runs, `hear_entry` notes the first index it appended (the log's size before
it) and every holder its entries name. At the end, `record_crossings` compares each affected
holder's share of the votes before the command (the holding versions in force at that size)
with the share after (the current versions), and records one `notice.threshold_crossed` per
holder whose share crossed thresholds of the issuer's profile, in holder_id order.

Who is affected: if no share class changed (a transfer, a freeze), the total of votes is the
same before and after, so only the holders the entries named can have moved. If a class
changed (shares issued or cancelled, a conversion, a split, votes per share amended) the
denominator moved, and with it every holder's share: then every holder is a candidate, read
in two set-based queries (positions before, positions after), never one query per holder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.db import transaction_cache
from app.notices import queries
from app.notices.profiles import Crossing, Profile, effective_profile, percent_level, percent_text
from app.register.context import CommandContext
from app.register.projection import Applied
from app.register.queries import get_issuer

SCRATCH = "notices"
KIND = "notice.threshold_crossed"
HOLDER_FIELDS = ("holder_id", "from_holder_id", "to_holder_id")
# Votes per share a class had before an amendment in this transaction (see appliers.py).
VOTES_BEFORE = "notices_votes_before"


@dataclass
class _Heard:
    issuer_id: str
    first_index: int  # the log's size before the command
    # Holder -> the last entry of the command that named them (the notice's trigger).
    holders: dict[str, int] = field(default_factory=dict)


def hear_entry(ctx: CommandContext, entry: Applied) -> None:
    if entry.kind.startswith("notice."):
        return  # the notices this context records itself
    heard = ctx.scratch.get(SCRATCH)
    if heard is None:
        heard = ctx.scratch[SCRATCH] = _Heard(entry.issuer_id, entry.index)
    for name in HOLDER_FIELDS:
        holder_id = entry.data.get(name)
        if isinstance(holder_id, str):
            heard.holders[holder_id] = entry.index


@dataclass(frozen=True)
class _Positions:
    before: dict[str, int]  # votes per holder
    after: dict[str, int]
    total_before: int
    total_after: int
    candidates: list[str]
    # The entry a holder's crossing is blamed on when no entry named them: the last that
    # changed a class (the denominator).
    class_trigger: int | None


def _positions(ctx: CommandContext, heard: _Heard) -> _Positions | None:
    session, issuer_id, size = ctx.session, heard.issuer_id, heard.first_index
    classes = queries.class_votes(session, issuer_id)
    votes_after = {row.code: row.votes_per_share for row in classes}
    changed = [row.last_log_index for row in classes if row.last_log_index >= size]
    if not changed:
        if not heard.holders:
            return None
        total = sum(row.issued * row.votes_per_share for row in classes)
        holders = heard.holders.keys()
        before = queries.holder_votes(session, issuer_id, votes_after, size, holders)
        after = queries.holder_votes(session, issuer_id, votes_after, None, holders)
        return _Positions(before, after, total, total, sorted(holders), None)
    votes_before = dict(votes_after)
    for (amended_issuer, code), (index, votes) in transaction_cache(session, VOTES_BEFORE).items():
        if amended_issuer == issuer_id and index >= size:
            votes_before[code] = votes
    before = queries.holder_votes(session, issuer_id, votes_before, size)
    after = queries.holder_votes(session, issuer_id, votes_after)
    return _Positions(
        before,
        after,
        sum(before.values()),
        sum(after.values()),
        sorted(before.keys() | after.keys()),
        max(changed),
    )


def _notice(
    profile: Profile, crossing: Crossing, holder_id: str, before: str, after: str, trigger: int
) -> dict[str, Any]:
    return {
        "holder_id": holder_id,
        "threshold": crossing.threshold.text,
        "direction": crossing.direction,
        "before": before,
        "after": after,
        "trigger_index": trigger,
        "thresholds": [threshold.text for threshold in crossing.thresholds],
        "category": crossing.category,
        "profile": profile.name,
    }


def record_crossings(ctx: CommandContext) -> None:
    """The finisher: record the command's crossings (nothing if it crossed none)."""
    heard: _Heard | None = ctx.scratch.pop(SCRATCH, None)
    if heard is None:
        return
    positions = _positions(ctx, heard)
    if positions is None:
        return
    issuer = get_issuer(ctx.session, heard.issuer_id)
    profile = effective_profile(issuer.disclosure_profile, issuer.jurisdiction)
    p = positions
    for holder_id in p.candidates:
        votes_before, votes_after = p.before.get(holder_id, 0), p.after.get(holder_id, 0)
        crossing = profile.crossing_between(
            percent_level(votes_before, p.total_before), percent_level(votes_after, p.total_after)
        )
        if crossing is None:
            continue
        trigger = heard.holders.get(holder_id, p.class_trigger)
        data = _notice(
            profile,
            crossing,
            holder_id,
            percent_text(votes_before, p.total_before),
            percent_text(votes_after, p.total_after),
            trigger,
        )
        ctx.record(KIND, data, issuer_id=heard.issuer_id)
