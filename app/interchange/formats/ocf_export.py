"""A snapshot as an Open Cap Table Format 1.2.0 package: a zip of a manifest, stakeholders,
stock classes and transactions, streamed as it is written.

The transactions come from the log entries below the snapshot's size (ocf_transactions), so the
package is the register's history in OCF terms; unlike the other formats, that mapping keeps
state per holder (their open OCF securities). Entry kinds OCF has no transaction type for
(freezes, pledges, distributions, ...) are skipped and counted in the manifest's comments; kinds
that OCF represents as files instead (issuer, classes, holders) are said to be so. Personal data
is kept to what a register of members shows: name, address and country, not identifiers or
emails.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from app.interchange.formats import chunked
from app.interchange.formats.ocf_transactions import (
    ERASED_STAKEHOLDER,
    SHOWN_AS_OBJECTS,
    STAKEHOLDERS,
    STOCK_CLASSES,
    History,
    money,
    numeric,
)
from app.register.snapshot import HolderRow, Snapshot, logged_entries, registered_holders

OCF_VERSION = "1.2.0"
MEDIA_TYPE = "application/zip"
MANIFEST = "Manifest.ocf.json"
TRANSACTIONS = "Transactions.ocf.json"


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
            "comments": [ERASED_STAKEHOLDER],
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


def _issuer(snapshot: Snapshot, history: History) -> dict[str, Any]:
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


def _comments(snapshot: Snapshot, history: History) -> list[str]:
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
    snapshot: Snapshot, history: History, digests: dict[str, str], generated_at: datetime
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
    out, digests, history = _Chunks(), {}, History()
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
