"""A pre-emption offer's states and an offeree's answers."""

from __future__ import annotations

OPEN, CLOSED = "open", "closed"
# Silence is waiver: an offeree still `pending` at the close is recorded as `waived`.
PENDING_ANSWER, TAKEN_UP, WAIVED = "pending", "taken_up", "waived"
ANSWERS = (PENDING_ANSWER, TAKEN_UP, WAIVED)
