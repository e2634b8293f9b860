"""Log entries as Open Cap Table Format 1.2.0 transactions.

OCF names shares by *security*: an issuance creates one, and a transfer, cancellation or
repurchase consumes one whole, any remainder becoming a new "balance" security issued to the same
holder. The register keeps one fungible holding per class and holder. The mapping bridges the two
by tracking each holder's open securities and consuming them oldest first (FIFO): its memory
grows with the number of open securities, about one per holder.

While reading the entries it also keeps the issuer and the classes as they stood at the last
entry read, which the package's other files need.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from app.register.snapshot import LoggedEntry

NUMERIC_PLACES = 10  # OCF's Numeric type allows at most ten decimal places
STAKEHOLDERS = "Stakeholders.ocf.json"
STOCK_CLASSES = "StockClasses.ocf.json"

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


def numeric(value: Any) -> str:
    """A decimal as OCF's fixed-point Numeric string."""
    number = Decimal(value)
    if number.as_tuple().exponent < -NUMERIC_PLACES:
        number = number.quantize(Decimal(1).scaleb(-NUMERIC_PLACES))
    return format(number, "f")


def money(amount: Any, currency: str) -> dict[str, str]:
    return {"amount": numeric(amount), "currency": currency}


class Securities:
    """The OCF securities each holder holds in each class, oldest first."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], list[tuple[str, int]]] = {}

    def add(self, code: str, holder_id: str, security_id: str, quantity: int) -> None:
        self._open.setdefault((code, holder_id), []).append((security_id, quantity))

    def keep_first(self, code: str, holder_id: str, security_id: str, quantity: int) -> None:
        self._open.setdefault((code, holder_id), []).insert(0, (security_id, quantity))

    def take(self, code: str, holder_id: str, quantity: int) -> tuple[list[tuple[str, int]], int]:
        """Consume `quantity` oldest first: [(security_id, its quantity)], and how much no
        security covered (only if entries this export skips changed the holding)."""
        key = (code, holder_id)
        securities = self._open.get(key, [])
        taken = []
        while quantity > 0 and securities:
            security_id, held = securities.pop(0)
            taken.append((security_id, held))
            quantity -= held
        if not securities:
            self._open.pop(key, None)
        return taken, max(quantity, 0)


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
            "shares.redeemed": self._cancellation,
            "shares.repurchased": self._repurchase,
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
        if changes.get("authorised") is None:
            return []  # OCF's adjustment needs a number: "no limit" stays in the class object
        return [
            {
                "object_type": "TX_STOCK_CLASS_AUTHORIZED_SHARES_ADJUSTMENT",
                "id": f"TX-{entry.index}",
                "date": date,
                "stock_class_id": code,
                "new_shares_authorized": numeric(changes["authorised"]),
            }
        ]

    # --- changes of holdings ---

    def _no_price(self, code: str) -> dict[str, str]:
        return money(0, self.classes[code]["currency"])

    def _issuance(
        self,
        tx_id: str,
        security_id: str,
        date: str,
        code: str,
        holder_id: str,
        quantity: int,
        price: dict[str, str] | None = None,
        comment: str | None = None,
        oldest: bool = False,
    ) -> dict[str, Any]:
        if oldest:  # a balance stays first in line: it is what is left of the oldest security
            self.securities.keep_first(code, holder_id, security_id, quantity)
        else:
            self.securities.add(code, holder_id, security_id, quantity)
        item = {
            "object_type": "TX_STOCK_ISSUANCE",
            "id": tx_id,
            "security_id": security_id,
            "custom_id": security_id,
            "date": date,
            "stakeholder_id": holder_id,
            "stock_class_id": code,
            "quantity": str(quantity),
            "share_price": price or self._no_price(code),
            "stock_legend_ids": [],
            "security_law_exemptions": [],
        }
        if comment:
            item["comments"] = [comment]
        return item

    def _shares_issued(self, entry: LoggedEntry, date: str) -> list:
        data = entry.data
        price, comment = None, "no price per share was recorded"
        if data.get("price_per_share") is not None:
            price, comment = money(data["price_per_share"], data["currency"]), None
        if data.get("reference"):
            comment = f"reference: {data['reference']}"
        index = entry.index
        issued = self._issuance(
            f"TX-{index}",
            f"S-{index}",
            date,
            data["class"],
            data["holder_id"],
            int(data["quantity"]),
            price,
            comment,
        )
        return [issued]

    def _consume(self, entry: LoggedEntry, date: str, holder_id: str, describe: Describe) -> list:
        """Consume the holder's securities for `entry` oldest first: `describe(tx_id,
        security_id, quantity)` gives the OCF transaction for each; a partly consumed security
        leaves a balance security, issued to the same holder."""
        code, quantity = entry.data["class"], int(entry.data["quantity"])
        taken, uncovered = self.securities.take(code, holder_id, quantity)
        if uncovered:
            self.uncovered.append(f"entry {entry.index} ({entry.kind}): {uncovered} shares")
        items, left = [], quantity
        for number, (security_id, held) in enumerate(taken, start=1):
            used = min(held, left)
            left -= used
            tx_id = f"TX-{entry.index}-{number}"
            item = describe(tx_id, number, security_id, used)
            items.append(item)
            if held > used:
                balance = f"S-{entry.index}-{number}-BAL"
                item["balance_security_id"] = balance
                items.append(
                    self._issuance(
                        f"{tx_id}-BAL",
                        balance,
                        date,
                        code,
                        holder_id,
                        held - used,
                        comment=f"balance of {security_id} after {tx_id}",
                        oldest=True,
                    )
                )
        return items

    def _transfer(self, entry: LoggedEntry, date: str) -> list:
        data = entry.data
        code, target = data["class"], data["to_holder_id"]
        if entry.kind == "transfer.forced":
            notes = [f"forced transfer, legal reference: {data['legal_reference']}"]
        else:
            notes = [f"instrument of transfer: {data['instrument_reference']}"]
        received = []

        def describe(tx_id: str, number: int, security_id: str, quantity: int) -> dict:
            resulting = f"S-{entry.index}-{number}"
            received.append(
                self._issuance(
                    f"{tx_id}-ISS",
                    resulting,
                    date,
                    code,
                    target,
                    quantity,
                    comment=f"received by {tx_id} from {security_id}",
                )
            )
            item = {
                "object_type": "TX_STOCK_TRANSFER",
                "id": tx_id,
                "security_id": security_id,
                "date": date,
                "quantity": str(quantity),
                "resulting_security_ids": [resulting],
                "comments": notes,
            }
            if data.get("consideration") is not None:
                item["consideration_text"] = f"{data['consideration']} {data['currency']}"
            return item

        return self._consume(entry, date, data["from_holder_id"], describe) + received

    def _cancellation(self, entry: LoggedEntry, date: str) -> list:
        data = entry.data
        if entry.kind == "shares.redeemed":
            consideration = data["consideration"]
            reason = "redeemed for " + " ".join(
                str(consideration[key])
                for key in ("type", "amount", "currency", "description")
                if consideration.get(key)
            )
        else:
            reason = data["reason"]

        def describe(tx_id: str, _number: int, security_id: str, quantity: int) -> dict:
            return {
                "object_type": "TX_STOCK_CANCELLATION",
                "id": tx_id,
                "security_id": security_id,
                "date": date,
                "quantity": str(quantity),
                "reason_text": reason,
            }

        return self._consume(entry, date, data["holder_id"], describe)

    def _repurchase(self, entry: LoggedEntry, date: str) -> list:
        data = entry.data

        def describe(tx_id: str, _number: int, security_id: str, quantity: int) -> dict:
            return {
                "object_type": "TX_STOCK_REPURCHASE",
                "id": tx_id,
                "security_id": security_id,
                "date": date,
                "quantity": str(quantity),
                "price": money(data["price_per_share"], data["currency"]),
            }

        return self._consume(entry, date, data["holder_id"], describe)
