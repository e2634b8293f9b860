"""A snapshot as an Open Cap Table Format 1.2.0 package: a zip of a manifest, stakeholders,
stock classes and transactions, streamed as it is written.

The transactions come from the log entries below the snapshot's size, so the package is the
register's history in OCF terms. OCF names shares by *security* (created by an issuance, consumed
whole by a transfer, cancellation or repurchase, with any remainder becoming a new "balance"
security); the register keeps one holding per class and holder. The export bridges the two by
tracking each holder's open securities oldest first (FIFO): memory grows with the number of open
securities (about one per holder), unlike the other formats, which hold no rows at all.

Entry kinds OCF has no transaction type for (freezes, pledges, distributions, ...) are skipped
and counted in the manifest's comments; kinds that OCF represents as files instead (issuer,
classes, holders) are said to be so. Personal data is kept to what a register of members shows:
name, address and country, not identifiers or emails.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.register.formats import chunked
from app.register.snapshot import (
    HolderRow,
    LoggedEntry,
    Snapshot,
    logged_entries,
    registered_holders,
)

OCF_VERSION = "1.2.0"
MEDIA_TYPE = "application/zip"
MANIFEST = "Manifest.ocf.json"
STAKEHOLDERS = "Stakeholders.ocf.json"
STOCK_CLASSES = "StockClasses.ocf.json"
TRANSACTIONS = "Transactions.ocf.json"
NUMERIC_PLACES = 10  # OCF's Numeric type allows at most ten decimal places

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


class _History:
    """Turns log entries into OCF transactions, and keeps the issuer and classes as of the size."""

    def __init__(self) -> None:
        self.securities = Securities()
        self.issuer: dict[str, Any] = {}
        self.registered_on = ""
        self.classes: dict[str, dict[str, Any]] = {}
        self.objects: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.uncovered: list[str] = []
        self.count = 0
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
                for item in handler(entry, entry.recorded_at.date().isoformat()):
                    self.count += 1
                    yield item

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
        self, tx_id: str, security_id: str, date: str, code: str, holder_id: str, quantity: int,
        price: dict[str, str] | None = None, comment: str | None = None, oldest: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
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
        return [
            self._issuance(
                f"TX-{index}", f"S-{index}", date, data["class"], data["holder_id"],
                int(data["quantity"]), price, comment,
            )
        ]  # fmt: skip

    def _consume(self, entry: LoggedEntry, date: str, holder_id: str, describe) -> list:
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
                        f"{tx_id}-BAL", balance, date, code, holder_id, held - used,
                        comment=f"balance of {security_id} after {tx_id}", oldest=True,
                    )
                )  # fmt: skip
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
                    f"{tx_id}-ISS", resulting, date, code, target, quantity,
                    comment=f"received by {tx_id} from {security_id}",
                )
            )  # fmt: skip
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


# --- the files ------------------------------------------------------------------------------


def _file(file_type: str, items: Iterable[dict[str, Any]]) -> Iterator[str]:
    """An OCF file as text pieces: {"file_type": ..., "items": [...]}, one item at a time."""
    yield f'{{"file_type":"{file_type}","items":['
    separator = ""
    for item in items:
        yield separator + json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        separator = ","
    yield "]}\n"


def stock_class(code: str, state: dict[str, Any]) -> dict[str, Any]:
    initial = state["initial_authorised"]
    return {
        "object_type": "STOCK_CLASS",
        "id": code,
        "name": state["name"],
        "class_type": "COMMON",
        "default_id_prefix": f"{code}-",
        "initial_shares_authorized": "UNLIMITED" if initial is None else numeric(initial),
        "votes_per_share": numeric(state["votes_per_share"]),
        "par_value": money(state["par_value"], state["currency"]),
        "seniority": "1",
        "comments": [
            "the register records no preferences or seniority: exported as COMMON, seniority 1"
        ],
    }


def stakeholder(holder: HolderRow) -> dict[str, Any]:
    if holder.erased:
        # Erasure is a natural person's right, hence INDIVIDUAL; nothing else is known.
        return {
            "object_type": "STAKEHOLDER",
            "id": holder.holder_id,
            "name": {"legal_name": holder.name},
            "stakeholder_type": "INDIVIDUAL",
            "comments": ["register details erased at the holder's request"],
        }
    return {
        "object_type": "STAKEHOLDER",
        "id": holder.holder_id,
        "name": {"legal_name": holder.name},
        "stakeholder_type": "INSTITUTION" if holder.holder_type == "entity" else "INDIVIDUAL",
        "addresses": [
            {"address_type": "LEGAL", "street_suite": holder.address, "country": holder.country}
        ],
    }


def _issuer(snapshot: Snapshot, history: _History) -> dict[str, Any]:
    state = history.issuer or {
        "legal_name": snapshot.issuer.legal_name,
        "registration_number": snapshot.issuer.registration_number,
        "jurisdiction": snapshot.issuer.jurisdiction,
        "lei": snapshot.issuer.lei,
    }
    country, _, subdivision = state["jurisdiction"].partition("-")
    issuer = {
        "object_type": "ISSUER",
        "id": snapshot.issuer_id,
        "legal_name": state["legal_name"],
        "formation_date": history.registered_on or snapshot.issuer.registered_at.date().isoformat(),
        "country_of_formation": country,
        "comments": [
            f"registration number {state['registration_number']} ({state['jurisdiction']})",
            "formation_date is the date the issuer's register was opened on ShareLedger",
        ],
    }
    if subdivision:
        issuer["country_subdivision_of_formation"] = subdivision
    if state.get("lei"):
        issuer["comments"].append(f"LEI {state['lei']}")
    return issuer


def _comments(snapshot: Snapshot, history: _History) -> list[str]:
    comments = [
        f"ShareLedger register of {snapshot.issuer.legal_name} as of log tree size "
        f"{snapshot.tree_size}: the first {snapshot.tree_size} entries of the issuer's log.",
        f"Signed checkpoint of that size (C2SP signed note):\n{snapshot.checkpoint.note}",
        "Shares are fungible on the register; OCF securities are assigned oldest first.",
        "Frozen, pledged and reserved quantities have no OCF equivalent and are not shown.",
    ]
    if history.objects:
        shown = ", ".join(
            f"{kind} x{count} ({SHOWN_AS_OBJECTS[kind]})" for kind, count in history.objects.items()
        )
        comments.append(f"Log entries shown as objects rather than transactions: {shown}.")
    if history.skipped:
        skipped = ", ".join(f"{kind} x{count}" for kind, count in sorted(history.skipped.items()))
        comments.append(f"Log entries with no OCF transaction type, not exported: {skipped}.")
    if history.uncovered:
        comments.append(
            "Quantities no earlier security covered (changed by entries not exported): "
            + "; ".join(history.uncovered)
        )
    return comments


def manifest(
    snapshot: Snapshot, history: _History, digests: dict[str, str], generated_at: datetime
) -> dict[str, Any]:
    def files(name: str) -> list[dict[str, str]]:
        return [{"filepath": f"./{name}", "md5": digests[name]}]

    return {
        "ocf_version": OCF_VERSION,
        "file_type": "OCF_MANIFEST_FILE",
        "issuer": _issuer(snapshot, history),
        "as_of": snapshot.checkpoint.created_at.date().isoformat(),
        "generated_at": generated_at.isoformat(),
        "comments": _comments(snapshot, history),
        "stock_plans_files": [],
        "stock_legend_templates_files": [],
        "stock_classes_files": files(STOCK_CLASSES),
        "vesting_terms_files": [],
        "valuations_files": [],
        "transactions_files": files(TRANSACTIONS),
        "stakeholders_files": files(STAKEHOLDERS),
    }


# --- the zip, streamed -------------------------------------------------------------------------


class _Chunks(io.RawIOBase):
    """A write-only, unseekable stream that hands out what was written since the last call:
    zipfile then writes each member with a data descriptor, never seeking back."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _member(
    archive: zipfile.ZipFile, out: _Chunks, name: str, pieces: Iterable[str], digests: dict
) -> Iterator[bytes]:
    digest = hashlib.md5(usedforsecurity=False)  # the manifest's checksum, not a security
    with archive.open(name, "w", force_zip64=True) as member:
        for text in chunked(pieces):
            data = text.encode("utf-8")
            digest.update(data)
            member.write(data)
            yield out.take()
    digests[name] = digest.hexdigest()


def render(session: Session, snapshot: Snapshot, generated_at: datetime) -> Iterator[bytes]:
    """The package as zip bytes, a chunk at a time. Transactions are written first: reading the
    log also yields the issuer and classes as of the size, which the other files need."""
    out, digests, history = _Chunks(), {}, _History()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        transactions = history.transactions(logged_entries(session, snapshot))
        yield from _member(
            archive, out, TRANSACTIONS, _file("OCF_TRANSACTIONS_FILE", transactions), digests
        )
        classes = (stock_class(code, state) for code, state in sorted(history.classes.items()))
        yield from _member(
            archive, out, STOCK_CLASSES, _file("OCF_STOCK_CLASSES_FILE", classes), digests
        )
        holders = (stakeholder(row) for row in registered_holders(session, snapshot))
        yield from _member(
            archive, out, STAKEHOLDERS, _file("OCF_STAKEHOLDERS_FILE", holders), digests
        )
        document = manifest(snapshot, history, digests, generated_at)
        archive.writestr(MANIFEST, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    yield out.take()
