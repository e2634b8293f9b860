"""Log entries as Open Cap Table Format 1.2.0 transactions.

Every entry that changes holdings has its OCF transactions: issuances, settled and forced
transfers, cancellations, repurchases and redemptions (a redemption for cash at a price per
share that OCF's Numeric can state is a repurchase; any other a cancellation), conversions,
splits and consolidations (ocf_reorganisations). Where OCF has no exact match the register's
own kind is said in `comments`. Securities are tracked per holder (ocf_securities).

While reading the entries it also keeps the issuer and the classes as they stood at the last
entry read, which the package's other files need.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from app.interchange.formats import ocf_reorganisations as reorganisations
from app.interchange.formats.ocf_reorganisations import kind_comment, shareledger_comment
from app.interchange.formats.ocf_securities import (
    NUMERIC_PLACES,
    Securities,
    issuance_item,
    money,
    numeric,
    tx_id,
)
from app.register.limits import MAX_SHARES
from app.register.snapshot import LoggedEntry

__all__ = ["History", "Securities", "money", "numeric"]

STAKEHOLDERS = "Stakeholders.ocf.json"
STOCK_CLASSES = "StockClasses.ocf.json"
ERASED_STAKEHOLDER = "register details erased at the holder's request"

# Entries OCF shows as objects in its files rather than as transactions.
SHOWN_AS_OBJECTS = {
    "issuer.registered": "the manifest's issuer",
    "issuer.amended": "the manifest's issuer",
    "class.created": STOCK_CLASSES,
    "class.amended": STOCK_CLASSES,
    "holder.registered": STAKEHOLDERS,
    "holder.amended": STAKEHOLDERS,
    "holder.ceased": STAKEHOLDERS,
    "holder.erased": STAKEHOLDERS,
}

Describe = Callable[[str, int, str, int], dict[str, Any]]


def _exact_price(total: Decimal, quantity: int) -> Decimal | None:
    """The price per share of a total, if a decimal of OCF's places states it exactly."""
    price = total / quantity
    places = Decimal(1).scaleb(-NUMERIC_PLACES)
    return price if price == price.quantize(places) and price * quantity == total else None


class History:
    """Turns log entries into OCF transactions, and keeps the issuer and classes as of the size."""

    def __init__(self) -> None:
        self.securities = Securities()
        self.issuer: dict[str, Any] = {}
        self.registered_on = ""
        self.classes: dict[str, dict[str, Any]] = {}
        self.objects: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.uncovered: list[str] = []
        self._handlers = {
            "issuer.registered": self._issuer_registered,
            "issuer.amended": self._issuer_amended,
            "class.created": self._class_created,
            "class.amended": self._class_amended,
            "shares.issued": self._shares_issued,
            "transfer.settled": self._transfer,
            "transfer.forced": self._transfer,
            "shares.cancelled": self._cancellation,
            "shares.redeemed": self._redemption,
            "shares.repurchased": self._repurchase,
            "shares.converted": lambda entry, date: reorganisations.conversion(self, entry, date),
            "class.split": lambda entry, date: reorganisations.split(self, entry, date),
            "class.consolidated": lambda entry, date: reorganisations.split(self, entry, date),
        }

    def transactions(self, entries: Iterable[LoggedEntry]) -> Iterator[dict[str, Any]]:
        for entry in entries:
            handler = self._handlers.get(entry.kind)
            if entry.kind in SHOWN_AS_OBJECTS:
                self.objects[entry.kind] += 1
            elif handler is None:
                self.skipped[entry.kind] += 1
            if handler is not None:
                yield from handler(entry, entry.recorded_at.date().isoformat())

    # --- issuer and classes (objects, not transactions) ---

    def _issuer_registered(self, entry: LoggedEntry, date: str) -> list:
        self.issuer = dict(entry.data)
        self.registered_on = date
        return []

    def _issuer_amended(self, entry: LoggedEntry, _date: str) -> list:
        self.issuer.update(entry.data["changes"])
        return []

    def _class_created(self, entry: LoggedEntry, _date: str) -> list:
        data = entry.data
        self.classes[data["class"]] = {**data, "initial_authorised": data.get("authorised")}
        return []

    def _class_amended(self, entry: LoggedEntry, date: str) -> list:
        code, changes = entry.data["class"], entry.data["changes"]
        self.classes[code].update(changes)
        if "authorised" not in changes:
            return []
        authorised = changes["authorised"]
        adjustment = {
            "object_type": "TX_STOCK_CLASS_AUTHORIZED_SHARES_ADJUSTMENT",
            "id": tx_id(entry.index),
            "date": date,
            "stock_class_id": code,
            # OCF's adjustment needs a number: the most the register counts stands for "no
            # limit", and the comments say so (the import reads them back).
            "new_shares_authorized": numeric(MAX_SHARES if authorised is None else authorised),
        }
        if authorised is None:
            adjustment["comments"] = [
                "the limit was removed: no authorised number",
                shareledger_comment({"authorised": None}),
            ]
        return [adjustment]

    # --- changes of holdings ---

    def no_price(self, code: str) -> dict[str, str]:
        return money(0, self.classes[code]["currency"])

    def issuance(
        self,
        transaction_id: str,
        security_id: str,
        date: str,
        code: str,
        holder_id: str,
        quantity: int,
        price: dict[str, str] | None = None,
        comment: str | None = None,
        oldest: bool = False,
    ) -> dict[str, Any]:
        """The issuance of a security, which the holder then holds (last in line, or first
        when `oldest`)."""
        if oldest:  # a balance stays first in line: it is what is left of the oldest security
            self.securities.keep_first(code, holder_id, security_id, quantity)
        else:
            self.securities.add(code, holder_id, security_id, quantity)
        price = price or self.no_price(code)
        return issuance_item(
            transaction_id, security_id, date, code, holder_id, quantity, price, comment
        )

    def _shares_issued(self, entry: LoggedEntry, date: str) -> list:
        data = entry.data
        price, comment = None, "no price per share was recorded"
        if data.get("price_per_share") is not None:
            price, comment = money(data["price_per_share"], data["currency"]), None
        if data.get("reference"):
            comment = f"reference: {data['reference']}"
        index = entry.index
        issued = self.issuance(
            tx_id(index),
            f"S-{index}",
            date,
            data["class"],
            data["holder_id"],
            int(data["quantity"]),
            price,
            comment,
        )
        return [issued]

    def consume(
        self, entry: LoggedEntry, date: str, holder_id: str, describe: Describe, code: str = ""
    ) -> list:
        """Consume the holder's securities for `entry` oldest first: `describe(tx_id, number,
        security_id, quantity)` gives the OCF transaction for each; a partly consumed security
        leaves a balance security, issued to the same holder."""
        code, quantity = code or entry.data["class"], int(entry.data["quantity"])
        taken, uncovered = self.securities.take(code, holder_id, quantity)
        if uncovered:
            self.uncovered.append(f"entry {entry.index} ({entry.kind}): {uncovered} shares")
        items, left = [], quantity
        for number, (security_id, held) in enumerate(taken, start=1):
            used = min(held, left)
            left -= used
            transaction_id = f"{tx_id(entry.index)}-{number}"
            item = describe(transaction_id, number, security_id, used)
            items.append(item)
            if held > used:
                balance = f"S-{entry.index}-{number}-BAL"
                item["balance_security_id"] = balance
                items.append(
                    self.issuance(
                        f"{transaction_id}-BAL",
                        balance,
                        date,
                        code,
                        holder_id,
                        held - used,
                        comment=f"balance of {security_id} after {transaction_id}",
                        oldest=True,
                    )
                )
        return items

    def _transfer(self, entry: LoggedEntry, date: str) -> list:
        data = entry.data
        code, target = data["class"], data["to_holder_id"]
        if entry.kind == "transfer.forced":
            notes = [
                f"forced transfer, legal reference: {data['legal_reference']}",
                kind_comment(entry.kind),
            ]
        else:
            notes = [f"instrument of transfer: {data['instrument_reference']}"]
        received = []

        def describe(transaction_id: str, number: int, security_id: str, quantity: int) -> dict:
            resulting = f"S-{entry.index}-{number}"
            received.append(
                self.issuance(
                    f"{transaction_id}-ISS",
                    resulting,
                    date,
                    code,
                    target,
                    quantity,
                    comment=f"received by {transaction_id} from {security_id}",
                )
            )
            item = {
                "object_type": "TX_STOCK_TRANSFER",
                "id": transaction_id,
                "security_id": security_id,
                "date": date,
                "quantity": str(quantity),
                "resulting_security_ids": [resulting],
                "comments": notes,
            }
            if data.get("consideration") is not None:
                item["consideration_text"] = f"{data['consideration']} {data['currency']}"
            return item

        return self.consume(entry, date, data["from_holder_id"], describe) + received

    def _cancellation(
        self, entry: LoggedEntry, date: str, reason: str = "", comments: list | None = None
    ) -> list:
        def describe(transaction_id: str, _number: int, security_id: str, quantity: int) -> dict:
            item = {
                "object_type": "TX_STOCK_CANCELLATION",
                "id": transaction_id,
                "security_id": security_id,
                "date": date,
                "quantity": str(quantity),
                "reason_text": reason or entry.data["reason"],
            }
            if comments:
                item["comments"] = comments
            return item

        return self.consume(entry, date, entry.data["holder_id"], describe)

    def _redemption(self, entry: LoggedEntry, date: str) -> list:
        """A redemption for cash at an exact price per share is, in OCF terms, a repurchase;
        for the company's products or services (or at a price per share that does not
        terminate) it is a cancellation whose reason says what was given."""
        consideration = entry.data["consideration"]
        given = " ".join(
            str(consideration[key])
            for key in ("type", "amount", "currency", "description")
            if consideration.get(key)
        )
        comments = [kind_comment(entry.kind), f"redeemed for {given}"]
        price = None
        if consideration["type"] == "cash":
            price = _exact_price(Decimal(consideration["amount"]), int(entry.data["quantity"]))
        if price is None:
            return self._cancellation(entry, date, f"redeemed for {given}", comments)
        return self._repurchase(entry, date, money(price, consideration["currency"]), comments)

    def _repurchase(
        self,
        entry: LoggedEntry,
        date: str,
        price: dict[str, str] | None = None,
        comments: list | None = None,
    ) -> list:
        data = entry.data
        price = price or money(data["price_per_share"], data["currency"])

        def describe(transaction_id: str, _number: int, security_id: str, quantity: int) -> dict:
            item = {
                "object_type": "TX_STOCK_REPURCHASE",
                "id": transaction_id,
                "security_id": security_id,
                "date": date,
                "quantity": str(quantity),
                "price": price,
            }
            if comments:
                item["comments"] = comments
            return item

        return self.consume(entry, date, data["holder_id"], describe)
