"""When an instruction must be accepted and decided.

Acceptance: within the class's `acceptance_days` of the instruction. Decision: within two
months of lodging (UK Companies Act 2006 s771: register the transfer or give the transferee
notice of refusal with reasons within two months of the date the transfer is lodged).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

DECISION_MONTHS = 2
DEFAULT_ACCEPTANCE_DAYS = 14
DEFAULT_PRE_EMPTION_DAYS = 30  # the holders' window to answer a pre-emption offer


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day if it has no such day (a lodging
    on 31 December must be decided by 28 or 29 February)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Deadlines:
    accept_by: datetime
    decide_by: datetime


def deadlines_from(instructed_at: datetime, acceptance_days: int) -> Deadlines:
    decide_by = add_months(instructed_at, DECISION_MONTHS)
    # Acceptance can never outlast the decision it precedes.
    accept_by = min(instructed_at + timedelta(days=acceptance_days), decide_by)
    return Deadlines(accept_by=accept_by, decide_by=decide_by)


# Why an instruction expires: the deadline it missed.
ACCEPTANCE_MISSED = "acceptance_deadline_passed"
DECISION_MISSED = "decision_deadline_passed"


def missed_deadline(
    state: str, accept_by: datetime, decide_by: datetime, now: datetime
) -> tuple[str, datetime] | None:
    """The deadline an instruction in `state` has missed at `now`, if any: acceptance while it
    waits for the transferee, the decision while it waits for anyone."""
    if state not in ("instructed", "accepted"):
        return None
    if now > decide_by:
        return DECISION_MISSED, decide_by
    if state == "instructed" and now > accept_by:
        return ACCEPTANCE_MISSED, accept_by
    return None
