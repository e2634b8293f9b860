"""A holder's receipt: their leaves, each with its inclusion proof, under one signed checkpoint,
checked offline against keys the user pinned; and, later, a newer checkpoint's consistency proof
showing the log still holds that checkpoint. Pure functions over the parsed JSON: no files, no
Flask, no register.

What a receipt cannot prove is said in the report: the list of the holder's indexes comes from
the server, so only the whole log shows that no other entry concerns the holder."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.ledger import merkle, notes
from app.ledger.log_verifier import VerificationError, b64, parse_canonical
from app.ledger.trust import Trust

RECEIPT_FORMAT = "shareledger-receipt/1"
_FIELDS = ("origin", "issuer_id", "holder_id", "checkpoint", "vkey", "indexes", "entries")


@dataclass
class ReceiptReport:
    proven: list[str] = field(default_factory=list)
    not_proven: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warning: str | None = None
    subject: str = "the receipt"

    def lines(self) -> list[str]:
        if self.problems:
            out = [f"FAILED: {self.subject}: {len(self.problems)} problem(s)"]
        else:
            out = [f"OK: {self.subject}"]
        out += [f"  problem: {text}" for text in self.problems]
        out += ["Proven:", *(f"  - {text}" for text in self.proven)]
        out += ["Not proven:", *(f"  - {text}" for text in self.not_proven)]
        return out


@dataclass(frozen=True)
class _Signed:
    checkpoint: notes.Checkpoint
    signers: str


def _decode(text: Any, what: str) -> bytes:
    if not isinstance(text, str):
        raise VerificationError(f"{what} is not base64 text")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise VerificationError(f"{what} is not base64") from None


def _mentions(value: Any, wanted: str) -> bool:
    """Whether `wanted` is a value anywhere in a JSON value (keys are not values)."""
    if isinstance(value, dict):
        return any(_mentions(item, wanted) for item in value.values())
    if isinstance(value, list):
        return any(_mentions(item, wanted) for item in value)
    return value == wanted


def receipt_trust(receipt: Mapping[str, Any], pinned: Sequence[notes.Verifier]) -> Trust:
    """The pinned keys; without any, the receipt's own key (self-consistency only)."""
    try:
        own = notes.parse_vkey(str(receipt["vkey"]))
    except notes.NoteError as error:
        raise VerificationError(f"the receipt's vkey is not a verifier key: {error}") from None
    return Trust.choose(pinned, [own], "the vkey inside the receipt")


def _open(trust: Trust, note: Any, what: str, report: ReceiptReport) -> _Signed:
    """The checkpoint of a note; a problem, not an exception, when no trusted key signed it
    (the proofs are still checked against its root so that every problem is listed)."""
    if not isinstance(note, str):
        raise VerificationError(f"{what} is not a signed note")
    try:
        opened = trust.open(note, what)
        signers = ", ".join(f"{v.name}+{v.key_id.hex()}" for v in opened.verified_by)
        return _Signed(notes.parse_checkpoint(opened.text), signers)
    except notes.NoteError as error:
        report.problems.append(str(error))
    try:
        return _Signed(notes.parse_checkpoint(notes.unverified_text(note)), "")
    except notes.NoteError as error:
        raise VerificationError(f"{what} is not a checkpoint: {error}") from None


def verify_receipt(receipt: Any, trust: Trust) -> tuple[ReceiptReport, notes.Checkpoint]:
    """Check a receipt; returns the report and the receipt's checkpoint (to extend later)."""
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        raise VerificationError(f"not a {RECEIPT_FORMAT} receipt")
    missing = [name for name in _FIELDS if name not in receipt]
    if missing:
        raise VerificationError(f"the receipt lacks {', '.join(missing)}")
    report = ReceiptReport(warning=trust.warning)
    if trust.pinned and not any(v.vkey == receipt["vkey"] for v in trust.active()):
        report.not_proven.append(
            f"the receipt's own key {receipt['vkey']} is not one you pinned, so it was ignored"
        )
    signed = _open(trust, receipt["checkpoint"], "the receipt's checkpoint", report)
    checkpoint, origin, holder = signed.checkpoint, receipt["origin"], receipt["holder_id"]
    report.subject = f"the receipt of holder {holder} on {origin}"
    if checkpoint.origin != origin:
        report.problems.append(f"the checkpoint is of {checkpoint.origin}, not {origin}")
    if not str(origin).endswith(f"/issuers/{receipt['issuer_id']}"):
        report.problems.append(f"the origin {origin} is not the log of {receipt['issuer_id']}")
    if signed.signers:
        report.proven.append(
            f"the checkpoint of size {checkpoint.size} of {checkpoint.origin} (root "
            f"{b64(checkpoint.root)}) is signed by {signed.signers}"
            + (" (pinned)" if trust.pinned else " (the receipt's own key: self-consistency)")
        )
    listed = _indexes(receipt["indexes"], checkpoint.size, report)
    proven = _check_entries(receipt["entries"], listed, checkpoint, str(holder), report)
    if proven:
        report.proven.append(
            f"entries {', '.join(map(str, proven))} are in that log at those positions "
            f"(RFC 6962 inclusion proofs) and each names holder {holder}"
        )
    if not report.problems:
        report.proven.append(f"the receipt holds every one of the {len(listed)} indexes listed")
    report.not_proven.append(
        f"that no other entry concerns holder {holder}: the server chose the list of indexes; "
        "only the whole log shows that (flask --app wsgi log export, then "
        "python -m app.ledger.verify BUNDLE --vkey ...)"
    )
    balances = receipt.get("balances") or {}
    if balances:
        shown = ", ".join(f"{code}: {held}" for code, held in sorted(balances.items()))
        report.not_proven.append(
            f"the balances ({shown}): the page recomputed them from these entries; this tool "
            "checks the entries, it does not interpret them"
        )
    return report, checkpoint


def _indexes(value: Any, size: int, report: ReceiptReport) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in value
    ):
        raise VerificationError("the receipt's indexes are not a list of whole numbers")
    if value != sorted(set(value)):
        report.problems.append("the server's list of indexes is not in order without repeats")
    beyond = [i for i in value if not 0 <= i < size]
    if beyond:
        report.problems.append(f"indexes {beyond} are outside the checkpoint's tree of {size}")
    return value


def _check_entries(
    entries: Any, listed: list[int], checkpoint: notes.Checkpoint, holder: str, report
) -> list[int]:
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise VerificationError("the receipt's entries are not a list of objects")
    given = [_index(entry) for entry in entries]
    for index in sorted(set(listed) - set(given)):
        report.problems.append(
            f"entry {index} is in the server's list but not in the receipt: it was dropped"
        )
    for index in sorted({i for i in given if given.count(i) > 1 or i not in listed}):
        report.problems.append(f"entry {index} is not in the server's list, or given twice")
    proven = []
    for entry in entries:
        if _check_entry(entry, checkpoint, holder, report):
            proven.append(entry["index"])
    return proven


def _index(entry: dict) -> int:
    index = entry.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise VerificationError(f"an entry's index {index!r} is not a whole number")
    return index


def _check_entry(entry: dict, checkpoint: notes.Checkpoint, holder: str, report) -> bool:
    index = _index(entry)
    leaf = _decode(entry.get("leaf"), f"entry {index}'s leaf")
    proof = entry.get("proof")
    if not isinstance(proof, list):
        raise VerificationError(f"entry {index}'s proof is not a list")
    nodes = [_decode(node, f"entry {index}'s proof") for node in proof]
    try:
        merkle.verify_inclusion(
            merkle.leaf_hash(leaf), index, checkpoint.size, nodes, checkpoint.root
        )
    except merkle.ProofError as error:
        report.problems.append(f"entry {index}: {error}: it is not in the signed log")
        return False
    try:
        envelope, canonical = parse_canonical(leaf)
    except ValueError:
        envelope, canonical = None, False
    if not isinstance(envelope, dict) or not canonical:
        report.problems.append(f"entry {index}: the leaf is not canonical JSON")
        return False
    if envelope.get("origin") != checkpoint.origin or envelope.get("index") != index:
        report.problems.append(f"entry {index}: the leaf names another log or position")
        return False
    if not _mentions(envelope.get("data"), holder):
        report.problems.append(f"entry {index} does not name holder {holder}")
        return False
    return True


def verify_extension(
    held: notes.Checkpoint, trust: Trust, newer_note: Any, proof: Any, report: ReceiptReport
) -> None:
    """Check that a newer signed checkpoint extends `held` (an RFC 6962 consistency proof as
    `GET .../log/proof/consistency` returns it), adding to the report."""
    signed = _open(trust, newer_note, "the newer checkpoint", report)
    newer = signed.checkpoint
    if newer.origin != held.origin:
        report.problems.append(f"the newer checkpoint is of {newer.origin}, not {held.origin}")
        return
    if newer.size < held.size:
        report.problems.append(
            "the log is shorter than a checkpoint you hold: it was rolled back (the newer "
            f"checkpoint has {newer.size} entries, the receipt's {held.size})"
        )
        return
    if not isinstance(proof, dict) or not isinstance(proof.get("proof"), list):
        raise VerificationError('the consistency proof is not {"first","second","proof"} JSON')
    if (proof.get("first"), proof.get("second")) != (held.size, newer.size):
        report.problems.append(
            f"the consistency proof is from {proof.get('first')} to {proof.get('second')}, "
            f"not from {held.size} to {newer.size}"
        )
        return
    nodes = [_decode(node, "the consistency proof") for node in proof["proof"]]
    try:
        merkle.verify_consistency(held.size, newer.size, nodes, held.root, newer.root)
    except merkle.ProofError as error:
        report.problems.append(
            f"the newer checkpoint does not extend the receipt's ({error}): the log forked, "
            "or the proof is wrong"
        )
        return
    if not signed.signers:
        return
    report.proven.append(
        f"the newer checkpoint of size {newer.size} (signed by {signed.signers}) extends the "
        f"receipt's of size {held.size} (RFC 6962 consistency proof): the log still holds "
        "these entries"
    )
