"""Which entries a person should hear about, who hears, and what they are told.

`EVENTS` maps an entry kind to a function that reads the (already applied) entry and the
tables, and returns the messages to write to the outbox at once; `AT_COMMAND_END` holds those
read once the whole command has run. Kinds in neither tell nobody anything.
Texts name the issuer, the class and the numbers, never another holder's personal details.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app.ledger.canonical import parse_timestamp
from app.models.issuer import Issuer
from app.models.transfers import TransferInstruction
from app.notifications import recipients
from app.register.projection import Applied
from app.transfers import offer_queries
from app.transfers.offer_states import OPEN
from app.transfers.states import ACCEPTED


@dataclass(frozen=True)
class Message:
    """One text to a list of logins."""

    user_ids: Sequence[int]
    subject: str
    body: str
    link: str


Describe = Callable[[Session, Applied], list[Message]]


def _issuer_name(session: Session, issuer_id: str) -> str:
    return session.get(Issuer, issuer_id).legal_name


def _shares(quantity: int | str, class_code: str) -> str:
    return f"{int(quantity):,} {class_code} shares"


def _day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y, %H:%M UTC")


def _instruction(session: Session, entry: Applied) -> TransferInstruction:
    return session.get(TransferInstruction, (entry.issuer_id, entry.data["instruction_id"]))


def _about(session: Session, entry: Applied) -> tuple[TransferInstruction, str]:
    """The entry's instruction and a phrase naming it."""
    instruction = _instruction(session, entry)
    issuer = _issuer_name(session, entry.issuer_id)
    what = f"the transfer of {_shares(instruction.quantity, instruction.class_code)} in {issuer}"
    return instruction, what


def _parties(session: Session, entry: Applied, instruction: TransferInstruction) -> list[int]:
    holders = (instruction.from_holder_id, instruction.to_holder_id)
    return recipients.holder_logins(session, entry.issuer_id, holders)


def _reasons(entry: Applied) -> str:
    return "; ".join(reason["text"] for reason in entry.data.get("reasons", ()))


def awaiting_acceptance(session: Session, entry: Applied) -> list[Message]:
    instruction, what = _about(session, entry)
    to_accept = recipients.holder_logins(session, entry.issuer_id, [instruction.to_holder_id])
    return [
        Message(
            to_accept,
            "A transfer to you awaits your acceptance",
            f"You are named as the transferee in {what}. Accept or decline it by "
            f"{_day(instruction.accept_by)}.",
            "/me/",
        )
    ]


def awaiting_decision(session: Session, entry: Applied) -> list[Message]:
    """Heard at the end of the command: accepting may open a pre-emption offer in the same
    command, and the company decides only once no offer is open."""
    instruction, what = _about(session, entry)
    if not instruction.approval_required or instruction.state != ACCEPTED:
        return []
    offer = offer_queries.find_offer(session, entry.issuer_id, instruction.instruction_id)
    if offer is not None and offer.state == OPEN:
        return []
    return [
        Message(
            recipients.secretaries(session, entry.issuer_id),
            "A transfer awaits the company's decision",
            f"The transferee has accepted {what}; the company must approve or reject it by "
            f"{_day(instruction.decide_by)}.",
            f"/issuers/{entry.issuer_id}/approvals",
        )
    ]


# What the transferor and transferee are told when the company decides or a deadline passes:
# the subject, and the text about "the transfer of N shares in <issuer>".
_OUTCOMES = {
    "approved": (
        "A transfer was approved",
        "The company approved {what}; the shares move when it is registered.",
    ),
    "rejected": ("A transfer was rejected", "The company rejected {what}."),
    "expired": ("A transfer expired", "A deadline passed and {what} expired."),
}


def _ended(outcome: str) -> Describe:
    subject, sentence = _OUTCOMES[outcome]

    def describe(session: Session, entry: Applied) -> list[Message]:
        instruction, what = _about(session, entry)
        reasons = _reasons(entry)
        text = sentence.format(what=what) + (f" Reasons: {reasons}." if reasons else "")
        return [Message(_parties(session, entry, instruction), subject, text, "/me/")]

    describe.__name__ = f"transfer_{outcome}"
    return describe


def pre_emption_offer(session: Session, entry: Applied) -> list[Message]:
    issuer = _issuer_name(session, entry.issuer_id)
    close_by = _day(parse_timestamp(entry.data["close_by"]))
    messages = []
    for offeree in entry.data["offerees"]:
        logins = recipients.holder_logins(session, entry.issuer_id, [offeree["holder_id"]])
        entitlement = _shares(offeree["entitlement"], entry.data["class"])
        messages.append(
            Message(
                logins,
                f"A pre-emption offer: up to {entitlement} in {issuer}",
                f"Shares of {issuer} are to pass to a new member. As a holder of the class you "
                f"may buy up to {entitlement} first; take them up or waive by {close_by}.",
                f"/me/offers/{entry.data['instruction_id']}",
            )
        )
    return messages


def threshold_notice(session: Session, entry: Applied) -> list[Message]:
    data = entry.data
    issuer = _issuer_name(session, entry.issuer_id)
    logins = recipients.holder_logins(session, entry.issuer_id, [data["holder_id"]])
    direction = "above" if data.get("direction") == "up" else "below"
    threshold = data.get("threshold", "a threshold")
    change = f" (from {data['before']}% to {data['after']}%)" if "after" in data else ""
    return [
        Message(
            logins,
            f"Your voting rights in {issuer} crossed {threshold}%",
            f"Your share of the voting rights in {issuer} went {direction} {threshold}%"
            f"{change}. A substantial-holding notice is on the register.",
            "/me/",
        )
    ]


def new_disclosure(session: Session, entry: Applied) -> list[Message]:
    """Members hear of every disclosure; followers only of public ones (they may read no
    other)."""
    data = entry.data
    issuer = _issuer_name(session, entry.issuer_id)
    audience = recipients.member_logins(session, entry.issuer_id)
    if data.get("audience") == "public":
        audience = sorted({*audience, *recipients.followers(session, entry.issuer_id)})
    return [
        Message(
            audience,
            f"{issuer} published: {data['title']}",
            f"{issuer} has published a new disclosure, “{data['title']}”.",
            f"/issuers/{entry.issuer_id}/disclosures/{data['disclosure_id']}",
        )
    ]


# Told as soon as the entry is recorded.
EVENTS: Mapping[str, Describe] = {
    "transfer.instructed": awaiting_acceptance,
    "transfer.approved": _ended("approved"),
    "transfer.rejected": _ended("rejected"),
    "transfer.expired": _ended("expired"),
    "transfer.pre_emption_opened": pre_emption_offer,
    "notice.threshold_crossed": threshold_notice,
    "disclosure.published": new_disclosure,
}
# Told at the end of the command, from the state the whole command left.
AT_COMMAND_END: Mapping[str, Describe] = {
    # Also after a pre-emption offer closes with shares left for the transferee.
    "transfer.accepted": awaiting_decision,
    "transfer.pre_emption_closed": awaiting_decision,
}
