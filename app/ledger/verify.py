"""Verify a log from its leaves and checkpoints alone: no database, no Flask, no trust in us.

`LogVerifier` replays a log in index order, recomputing leaf hashes and the tree, and checks
every checkpoint it meets: its note's signature against the published keys, its origin, size and
root. Because every root is recomputed from one sequence of leaves, each checkpoint is a prefix
of the next, which is what consistency means. `python -m app.ledger.verify BUNDLE` runs it on a
bundle written by `flask log export` (JSON Lines, streamed, so memory stays flat).
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from app.ledger import merkle, notes
from app.ledger.canonical import canonical_bytes

BUNDLE_FORMAT = "shareledger-log-bundle/1"


class VerificationError(Exception):
    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message if index is None else f"index {index}: {message}")
        self.index = index


@dataclass
class LogVerifier:
    origin: str
    verifiers: Sequence[notes.Verifier]
    size: int = 0
    frontier: list[bytes] = field(default_factory=list)
    checkpoints_checked: int = 0
    last_checkpoint_size: int = 0
    signers_seen: set[str] = field(default_factory=set)

    def add_leaf(
        self, index: int, leaf: bytes, stored_hash: bytes | None = None
    ) -> list[tuple[merkle.NodeId, bytes]]:
        """Check one leaf and extend the tree; returns the perfect subtrees it completed."""
        if index != self.size:
            raise VerificationError(f"expected leaf {self.size} next", index)
        digest = merkle.leaf_hash(leaf)
        if stored_hash is not None and stored_hash != digest:
            raise VerificationError("stored leaf hash does not match the leaf bytes", index)
        self._check_envelope(index, leaf)
        self.frontier, completed = merkle.frontier_append(self.frontier, index, digest)
        self.size += 1
        return completed

    def _check_envelope(self, index: int, leaf: bytes) -> None:
        try:
            envelope, canonical = parse_canonical(leaf)
        except ValueError:
            raise VerificationError("leaf is not JSON", index) from None
        if not isinstance(envelope, dict) or not canonical:
            raise VerificationError("leaf is not in RFC 8785 canonical form", index)
        if envelope.get("origin") != self.origin or envelope.get("index") != index:
            raise VerificationError("leaf names another log or position", index)

    @property
    def root(self) -> bytes:
        return merkle.frontier_root(self.frontier)

    def check_checkpoint(self, tree_size: int, note: str, stored_root: bytes | None = None) -> None:
        """Check a checkpoint once the leaves up to its size have been added."""
        where = tree_size - 1
        if tree_size != self.size:
            raise VerificationError(f"checkpoint {tree_size} met at size {self.size}", where)
        try:
            opened = notes.open_note(note, self.verifiers)
            checkpoint = notes.parse_checkpoint(opened.text)
        except notes.NoteError as error:
            raise VerificationError(f"checkpoint {tree_size}: {error}", where) from error
        if checkpoint.origin != self.origin or checkpoint.size != tree_size:
            raise VerificationError(f"checkpoint {tree_size} names another log or size", where)
        root = self.root
        if checkpoint.root != root or (stored_root is not None and stored_root != root):
            raise VerificationError(f"checkpoint {tree_size} root does not match the leaves", where)
        self.checkpoints_checked += 1
        self.last_checkpoint_size = tree_size
        self.signers_seen.update(v.vkey for v in opened.verified_by)


# --- canonical form ---------------------------------------------------------------------------


def parse_canonical(leaf: bytes) -> tuple[Any, bool]:
    """The JSON value of `leaf`, and whether `leaf` is exactly its RFC 8785 form (the same
    encoder that wrote it, `app.ledger.canonical`, encodes it again)."""
    value = json.loads(leaf)
    try:
        return value, canonical_bytes(value) == leaf
    except ValueError:  # NaN, a fraction out of range, a lone surrogate: no RFC 8785 form
        return value, False


# --- bundles -------------------------------------------------------------------------------


def write_bundle(
    out: TextIO,
    origin: str,
    vkeys: Sequence[str],
    leaves: Iterator[tuple[int, bytes]],
    checkpoints: Iterator[tuple[int, str]],
) -> int:
    """Write a bundle: header, then leaves in order with each checkpoint after its last leaf."""

    def line(record: dict[str, Any]) -> None:
        out.write(json.dumps(record, separators=(",", ":")) + "\n")

    line({"type": "header", "format": BUNDLE_FORMAT, "origin": origin, "vkeys": list(vkeys)})
    pending = next(checkpoints, None)
    count = 0
    for index, leaf in leaves:
        line({"type": "leaf", "index": index, "leaf": base64.b64encode(leaf).decode()})
        count += 1
        while pending is not None and pending[0] == index + 1:
            line({"type": "checkpoint", "tree_size": pending[0], "note": pending[1]})
            pending = next(checkpoints, None)
    return count


@dataclass(frozen=True)
class BundleReport:
    origin: str
    size: int
    checkpoints: int
    root: bytes


def verify_bundle(
    lines: Iterator[str], progress: Callable[[int], None] | None = None
) -> BundleReport:
    try:
        header = json.loads(next(lines))
    except (StopIteration, ValueError):
        raise VerificationError("the bundle has no header line") from None
    if header.get("type") != "header" or header.get("format") != BUNDLE_FORMAT:
        raise VerificationError(f"not a {BUNDLE_FORMAT} bundle")
    try:
        verifiers = [notes.parse_vkey(text) for text in header["vkeys"]]
    except (KeyError, notes.NoteError) as error:
        raise VerificationError(f"bad verifier keys in header: {error}") from error
    verifier = LogVerifier(header["origin"], verifiers)
    for number, text in enumerate(lines, start=2):
        try:
            record = json.loads(text)
            if record["type"] == "leaf":
                verifier.add_leaf(record["index"], base64.b64decode(record["leaf"], validate=True))
                if progress and verifier.size % 10_000 == 0:
                    progress(verifier.size)
            elif record["type"] == "checkpoint":
                verifier.check_checkpoint(record["tree_size"], record["note"])
            else:
                raise VerificationError(f"line {number}: unknown record type {record['type']!r}")
        except (KeyError, TypeError, ValueError) as error:
            raise VerificationError(f"line {number}: malformed record ({error})") from error
    if verifier.checkpoints_checked == 0:
        raise VerificationError("the bundle has no checkpoint, so nothing is signed")
    if verifier.last_checkpoint_size != verifier.size:
        raise VerificationError(
            f"leaves after {verifier.last_checkpoint_size} are covered by no checkpoint"
        )
    return BundleReport(verifier.origin, verifier.size, verifier.checkpoints_checked, verifier.root)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.ledger.verify",
        description="Verify an exported ShareLedger log bundle offline.",
    )
    parser.add_argument("bundle", type=Path)
    args = parser.parse_args(argv)

    def progress(size: int) -> None:
        print(f"  verified {size:,} leaves", file=sys.stderr, flush=True)

    try:
        with args.bundle.open(encoding="utf-8") as lines:
            report = verify_bundle(iter(lines), progress)
    except OSError as error:
        print(f"error: cannot read {args.bundle}: {error}", file=sys.stderr)
        return 2
    except VerificationError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    print(
        f"OK: {report.origin}: {report.size} leaves, {report.checkpoints} signed checkpoints, "
        f"root {base64.b64encode(report.root).decode()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
