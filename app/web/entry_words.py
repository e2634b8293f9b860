"""Log entries told in words: "Sam Secretary registered a transfer of 250 ORD from Alfie Brown
(No. 3) to Ivy Jones (No. 7)" rather than `transfer.settled user:3`.

`describe(session, issuer_id, envelopes)` looks up every actor, holder and instruction the
entries name in a handful of queries, then phrases each entry with the sentence for its kind.
A kind without a sentence is still shown, by its name, so nothing on the log is hidden."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.auth.actors import actor_names
from app.ledger.trust import ROTATION_KIND
from app.register.members import holder_labels
from app.transfers.queries import instructions_by_id
from app.web.formatting import thousands

_HOLDER_FIELDS = ("holder_id", "from_holder_id", "to_holder_id")


@dataclass(frozen=True)
class DescribedEntry:
    index: int
    recorded_at: str
    kind: str
    actor: str
    words: str


@dataclass(frozen=True)
class _Names:
    actors: Mapping[str, str]
    holders: Mapping[str, str]
    instructions: Mapping[str, Any]

    def holder(self, holder_id: str | None) -> str:
        return self.holders.get(holder_id or "", "an unknown member")


def _shares(data: Mapping[str, Any], field: str = "quantity", code: str = "class") -> str:
    return f"{thousands(data[field])} {data[code]}"


def _price(data: Mapping[str, Any], field: str, per_share: bool = False) -> str:
    """Where the entry records a price: " for GBP 12,500.00", or " at GBP 1.25 a share"."""
    if data.get(field) is None:
        return ""
    amount = f"{data.get('currency', '')} {thousands(data[field])}"
    return f" at {amount} a share" if per_share else f" for {amount}"


def _instruction(names: _Names, data: Mapping[str, Any]) -> str:
    instruction = names.instructions.get(data.get("instruction_id", ""))
    if instruction is None:
        return "a transfer instruction"
    return (
        f"the transfer of {thousands(instruction.quantity)} {instruction.class_code} from "
        f"{names.holder(instruction.from_holder_id)} to {names.holder(instruction.to_holder_id)}"
    )


Sentence = Callable[[_Names, Mapping[str, Any]], str]

_SENTENCES: dict[str, Sentence] = {
    "issuer.registered": lambda n, d: f"registered the company {d.get('legal_name', '')}",
    "issuer.amended": lambda n, d: f"amended the company's {', '.join(sorted(d['changes']))}",
    "class.created": lambda n, d: f"created the share class {d['class']}",
    "class.amended": lambda n, d: f"amended the share class {d['class']}",
    "class.split": lambda n, d: f"split the {d['class']} shares ({d.get('ratio', '')})",
    "class.consolidated": lambda n, d: (
        f"consolidated the {d['class']} shares ({d.get('ratio', '')})"
    ),
    "holder.registered": lambda n, d: f"entered {n.holder(d['holder_id'])} on the register",
    "holder.amended": lambda n, d: f"amended the details of {n.holder(d['holder_id'])}",
    "holder.ceased": lambda n, d: f"recorded that {n.holder(d['holder_id'])} ceased to be a member",
    "holder.erased": lambda n, d: "erased a former member's personal details",
    "holder.kyc_changed": lambda n, d: (
        f"marked {n.holder(d['holder_id'])} as "
        f"{'identity checked' if d.get('verified') else 'identity not checked'}"
    ),
    "shares.issued": lambda n, d: (
        f"issued {_shares(d)} to {n.holder(d['holder_id'])}"
        f"{_price(d, 'price_per_share', per_share=True)}"
    ),
    "shares.cancelled": lambda n, d: f"cancelled {_shares(d)} held by {n.holder(d['holder_id'])}",
    "shares.repurchased": lambda n, d: f"bought back {_shares(d)} from {n.holder(d['holder_id'])}",
    "shares.redeemed": lambda n, d: f"redeemed {_shares(d)} held by {n.holder(d['holder_id'])}",
    "shares.converted": lambda n, d: (
        f"converted {thousands(d['quantity'])} {d['from_class']} of {n.holder(d['holder_id'])} "
        f"into {thousands(d['allotted'])} {d['to_class']}"
    ),
    "transfer.settled": lambda n, d: (
        f"registered a transfer of {_shares(d)} from {n.holder(d['from_holder_id'])} "
        f"to {n.holder(d['to_holder_id'])}{_price(d, 'consideration')}"
    ),
    "transfer.forced": lambda n, d: (
        f"registered a forced transfer of {_shares(d)} from {n.holder(d['from_holder_id'])} "
        f"to {n.holder(d['to_holder_id'])} ({d.get('legal_reference', '')})"
    ),
    "holding.frozen": lambda n, d: f"froze {_shares(d)} of {n.holder(d['holder_id'])}",
    "holding.unfrozen": lambda n, d: f"unfroze {_shares(d)} of {n.holder(d['holder_id'])}",
    "pledge.registered": lambda n, d: (
        f"registered a pledge of {_shares(d)} of {n.holder(d['holder_id'])} "
        f"to {d.get('pledgee', '')}"
    ),
    "pledge.released": lambda n, d: "released a pledge",
    "distribution.declared": lambda n, d: "declared a distribution",
    "distribution.entitlements_fixed": lambda n, d: "fixed the entitlements of a distribution",
    "rules.changed": lambda n, d: f"changed the transfer rules of {d.get('class', 'a class')}",
    "transfer.configured": lambda n, d: "changed the transfer workflow settings",
    "transfer.instructed": lambda n, d: (
        f"instructed a transfer of {_shares(d)} from {n.holder(d['from_holder_id'])} "
        f"to {n.holder(d['to_holder_id'])}"
    ),
    "transfer.accepted": lambda n, d: f"accepted {_instruction(n, d)}",
    "transfer.approved": lambda n, d: f"approved {_instruction(n, d)}",
    "transfer.rejected": lambda n, d: f"rejected {_instruction(n, d)}",
    "transfer.declined": lambda n, d: f"declined {_instruction(n, d)}",
    "transfer.cancelled": lambda n, d: f"cancelled {_instruction(n, d)}",
    "transfer.expired": lambda n, d: f"recorded the expiry of {_instruction(n, d)}",
    "transfer.pre_emption_opened": lambda n, d: f"offered existing members {_instruction(n, d)}",
    "transfer.pre_emption_taken_up": lambda n, d: (
        f"took up a pre-emption offer on {_instruction(n, d)}"
    ),
    "transfer.pre_emption_waived": lambda n, d: (
        f"waived a pre-emption offer on {_instruction(n, d)}"
    ),
    "transfer.pre_emption_closed": lambda n, d: (
        f"closed the pre-emption offer on {_instruction(n, d)}"
    ),
    ROTATION_KIND: lambda n, d: "rotated the log's signing key",
    "notice.threshold_crossed": lambda n, d: (
        f"recorded that the votes of {n.holder(d['holder_id'])} went "
        f"{'up past' if d['direction'] == 'up' else 'down below'} {d['threshold']}% "
        f"(from {d['before']}% to {d['after']}%)"
    ),
    "disclosure.published": lambda n, d: f"published “{d['title']}”",
    "disclosure.amended": lambda n, d: f"amended the disclosure “{d['title']}”",
    "disclosure.withdrawn": lambda n, d: f"withdrew a disclosure ({d.get('reason', '')})",
}


def describe(
    session: Session, issuer_id: str, envelopes: Iterable[Mapping[str, Any]]
) -> list[DescribedEntry]:
    entries = list(envelopes)
    names = _look_up(session, issuer_id, entries)
    return [_described(names, entry) for entry in entries]


def _look_up(session: Session, issuer_id: str, entries: list[Mapping[str, Any]]) -> _Names:
    instruction_ids = {
        e["data"]["instruction_id"] for e in entries if "instruction_id" in e["data"]
    }
    instructions = instructions_by_id(session, issuer_id, instruction_ids)
    holder_ids = {e["data"][f] for e in entries for f in _HOLDER_FIELDS if f in e["data"]}
    for instruction in instructions.values():
        holder_ids.update((instruction.from_holder_id, instruction.to_holder_id))
    return _Names(
        actors=actor_names(session, {entry["actor"] for entry in entries}),
        holders=holder_labels(session, issuer_id, holder_ids),
        instructions=instructions,
    )


def _described(names: _Names, entry: Mapping[str, Any]) -> DescribedEntry:
    actor = names.actors.get(entry["actor"], entry["actor"])
    sentence = _SENTENCES.get(entry["kind"])
    try:
        action = sentence(names, entry["data"]) if sentence else f"recorded {entry['kind']}"
    except (KeyError, ValueError):
        # An older entry without a field the sentence needs is still shown, by its kind.
        action = f"recorded {entry['kind']}"
    return DescribedEntry(
        index=entry["index"],
        recorded_at=entry["recorded_at"][:19].replace("T", " "),
        kind=entry["kind"],
        actor=actor,
        words=f"{actor[:1].upper()}{actor[1:]} {action}.",
    )
