"""Splits, consolidations and conversions in OCF terms, shared by the export and the import.

OCF 1.2.0 has TX_STOCK_CLASS_SPLIT (a consolidation is a split whose ratio is below one: OCF
has no consolidation type) and TX_STOCK_CONVERSION, and knows no rounding: a split scales every
security of the class, a conversion names the securities it results in. The register rounds
each *holding* (the sum of a holder's securities) and may pay cash in lieu of the fraction. The
export bridges the two:

- a split scales each security exactly; a security that this leaves with a fraction is at once
  reissued (TX_STOCK_REISSUANCE naming the split) as a whole security, the holding's rounded
  result being shared out among the holder's securities by largest remainder (`share_out`, the
  same function the import uses), so each gets the whole number just below or above its exact
  quantity. The split's comments carry the register's terms (`terms_comment`: how fractions
  were settled, and the par value after), which the import reads back to settle them alike;
- a conversion consumes the holder's securities oldest first, one TX_STOCK_CONVERSION each;
  the whole shares allotted are shared out in proportion (cumulatively rounded down, so that
  they add up), which may leave a small security converting into no whole share: its
  conversion then results in nothing, and the cash paid for fractions is said in comments.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from math import floor
from typing import TYPE_CHECKING, Any

from app.interchange.formats.ocf_securities import issuance_item, tx_id
from app.register.fraction_terms import recorded_terms
from app.register.ratios import allot, fraction_text, parse_ratio
from app.register.snapshot import LoggedEntry

if TYPE_CHECKING:
    from app.interchange.formats.ocf_transactions import History

TERMS_PREFIX = "ShareLedger terms: "
KIND_PREFIX = "ShareLedger entry kind: "


def kind_comment(kind: str) -> str:
    """Where OCF has no exact match, the register's own kind of entry, said in comments."""
    return KIND_PREFIX + kind


def shareledger_comment(terms: Mapping[str, Any]) -> str:
    """Terms OCF has no field for, as a comment the import reads back (`read_terms_comment`)."""
    return TERMS_PREFIX + json.dumps(dict(terms), sort_keys=True)


def terms_comment(data: Mapping[str, Any]) -> str:
    """The terms of a split or consolidation entry that OCF has no field for."""
    names = ("fraction_policy", "cash_in_lieu_price", "currency", "par_value_after")
    return shareledger_comment({name: data[name] for name in names if data.get(name) is not None})


def read_terms_comment(comments: Sequence[Any] | None) -> dict[str, Any] | None:
    """The terms a ShareLedger export put in a transaction's comments, or None if it has none
    (a package from elsewhere) or they are not a JSON object."""
    for comment in comments or ():
        if isinstance(comment, str) and comment.startswith(TERMS_PREFIX):
            try:
                terms = json.loads(comment.removeprefix(TERMS_PREFIX))
            except json.JSONDecodeError:
                return None
            return terms if isinstance(terms, dict) else None
    return None


def share_out(exact: Mapping[str, Fraction], total: int) -> dict[str, int]:
    """Whole numbers adding up to `total`, one per key, each its exact quantity rounded down
    or up: the largest remainders (then the greater key) get the shares left over. Both the
    export and the import compute a split's securities with it, so they agree."""
    shares = {key: floor(quantity) for key, quantity in exact.items()}
    left = total - sum(shares.values())
    order = sorted(exact, key=lambda key: (exact[key] - shares[key], key), reverse=True)
    if left < 0 or (left and not order):
        raise ValueError(f"{total} cannot be shared out among {dict(exact)}")
    for position in range(left):
        shares[order[position % len(order)]] += 1
    return shares


class Proportion:
    """`total` whole shares shared in proportion to parts given one at a time (out of
    `whole`), cumulatively rounded down, so that they add up to `total` exactly."""

    def __init__(self, total: int, whole: int) -> None:
        self.total, self.whole = total, whole
        self._running = self._done = 0

    def next(self, part: int) -> int:
        self._running += part
        share = self._running * self.total // self.whole - self._done
        self._done += share
        return share


# --- the export -------------------------------------------------------------------------------


def _split_comments(entry: LoggedEntry) -> list[str]:
    data = entry.data
    comments = [
        kind_comment(entry.kind),
        terms_comment(data),
        f"{data['issued_before']} shares issued before, {data['issued_after']} after; "
        f"fractions of a holding settled by {data['fraction_policy']}",
    ]
    if data.get("cash_in_lieu_total") is not None:
        comments.append(
            f"cash in lieu of fractions: {data['cash_in_lieu_price']} {data['currency']} a new "
            f"share, {data['cash_in_lieu_total']} {data['currency']} in all"
        )
    if data.get("par_value_after") is not None:
        comments.append(f"par value after: {data['par_value_after']}")
    return comments


def split(history: History, entry: LoggedEntry, date: str) -> list[dict[str, Any]]:
    """A split or consolidation: the class transaction, then a reissuance of every security
    that it leaves with a fraction (see the module's docstring)."""
    data, transaction = entry.data, tx_id(entry.index)
    code = data["class"]
    terms = recorded_terms(data)
    ratio = terms.ratio
    if data.get("par_value_after") is not None:
        history.classes[code]["par_value"] = data["par_value_after"]
    items: list[dict[str, Any]] = [
        {
            "object_type": "TX_STOCK_CLASS_SPLIT",
            "id": transaction,
            "date": date,
            "stock_class_id": code,
            "split_ratio": {"numerator": str(ratio.new), "denominator": str(ratio.old)},
            "comments": _split_comments(entry),
        }
    ]
    results = {result["holder_id"]: result for result in data.get("holdings", [])}
    reissued = 0
    for holder_id, securities in history.securities.of_class(code):
        exact = {security_id: held * ratio.factor for security_id, held in securities}
        result = results.get(holder_id)
        whole = (
            int(result["held"])
            if result is not None
            else allot(sum(held for _, held in securities), ratio, terms.policy).whole
        )
        shares = share_out(exact, whole)
        notes = []
        if result is not None and "cash_in_lieu_amount" in result:
            notes.append(
                f"cash in lieu of {result['fraction']} of a share: "
                f"{result['cash_in_lieu_amount']} {data['currency']}"
            )
        after = []
        for security_id, held in securities:
            if exact[security_id] == shares[security_id]:
                after.append((security_id, shares[security_id]))
                continue
            reissued += 1
            reissue_id, new_security = f"{transaction}-R{reissued}", f"S-{entry.index}-R{reissued}"
            items.append(
                {
                    "object_type": "TX_STOCK_REISSUANCE",
                    "id": reissue_id,
                    "security_id": security_id,
                    "date": date,
                    "split_transaction_id": transaction,
                    "resulting_security_ids": [new_security] if shares[security_id] else [],
                    "reason_text": f"{held} shares at {ratio} make "
                    f"{fraction_text(exact[security_id])}: the holding is rounded as a whole",
                    "comments": [kind_comment(entry.kind), *notes],
                }
            )
            notes = []
            if shares[security_id]:
                after.append((new_security, shares[security_id]))
                items.append(
                    issuance_item(
                        f"{reissue_id}-ISS",
                        new_security,
                        date,
                        code,
                        holder_id,
                        shares[security_id],
                        history.no_price(code),
                        f"reissued by {reissue_id} after {transaction}",
                    )
                )
        history.securities.replace(code, holder_id, after)
    return items


def conversion(history: History, entry: LoggedEntry, date: str) -> list[dict[str, Any]]:
    """A conversion: one TX_STOCK_CONVERSION per security consumed (oldest first), resulting
    in the whole shares allotted in the other class, shared out in proportion."""
    data = entry.data
    holder_id, target = data["holder_id"], data["to_class"]
    shares = Proportion(int(data["allotted"]), int(data["quantity"]))
    ratio = parse_ratio(data["ratio"], allow_unchanged=True)
    notes = [
        kind_comment(entry.kind),
        f"{data['quantity']} {data['from_class']} shares at {ratio} allotted "
        f"{data['allotted']} {target} shares ({data['fraction_policy']})",
    ]
    if data.get("cash_in_lieu_amount") is not None:
        cash = f"{data['cash_in_lieu_amount']} {data['currency']}"
        notes.append(f"cash in lieu of the fraction: {cash}")
    received = []

    def describe(transaction_id: str, number: int, security_id: str, quantity: int) -> dict:
        allotted, resulting = shares.next(quantity), f"S-{entry.index}-{number}"
        if allotted:
            received.append(
                history.issuance(
                    f"{transaction_id}-ISS",
                    resulting,
                    date,
                    target,
                    holder_id,
                    allotted,
                    comment=f"converted by {transaction_id} from {security_id}",
                )
            )
        return {
            "object_type": "TX_STOCK_CONVERSION",
            "id": transaction_id,
            "security_id": security_id,
            "date": date,
            "quantity_converted": str(quantity),
            "resulting_security_ids": [resulting] if allotted else [],
            "comments": notes,
        }

    return history.consume(entry, date, holder_id, describe, code=data["from_class"]) + received
