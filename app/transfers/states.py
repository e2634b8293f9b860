"""An instruction's states and the log kind that enters each."""

from __future__ import annotations

INSTRUCTED = "instructed"
ACCEPTED = "accepted"
APPROVED = "approved"
SETTLED = "settled"
DECLINED = "declined"
REJECTED = "rejected"
CANCELLED = "cancelled"
EXPIRED = "expired"
# Every share was taken up by the class's holders under their right of first refusal.
PRE_EMPTED = "pre_empted"

# Still holding its reservation, and so still ahead of later instructions on the same shares.
PENDING = (INSTRUCTED, ACCEPTED, APPROVED)
# Ends that release the reservation without moving the shares.
RELEASING = (DECLINED, REJECTED, CANCELLED, EXPIRED)
STATES = (*PENDING, SETTLED, PRE_EMPTED, *RELEASING)
