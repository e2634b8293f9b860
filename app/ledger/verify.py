"""Verify a log bundle or a holder's receipt offline: no database, no Flask, no trust in us.

`python -m app.ledger.verify BUNDLE` replays a bundle written by `flask log export` (JSON Lines,
streamed, so memory stays flat) through `LogVerifier`. Because every root is recomputed from
one sequence of leaves, each checkpoint is a prefix of the next, which is what consistency
means. Only signatures by pinned keys (--vkey, --vkey-file) and keys reached from them by a
signed rotation count; without a pinned key the bundle's own keys are used and the report
says loudly that only self-consistency was checked. `--receipt FILE` checks a receipt instead.
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from app.ledger import notes, receipts
from app.ledger.log_verifier import (
    LogVerifier,
    VerificationError,
    b64,
    chain_summary,
    parse_canonical,
)
from app.ledger.trust import KeptCheckpoint, Trust, TrustError, banner, load_kept, load_pinned

__all__ = ["LogVerifier", "VerificationError", "parse_canonical", "verify_bundle", "write_bundle"]

BUNDLE_FORMAT = "shareledger-log-bundle/1"


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
    chain_from: int | None = None
    signers: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    warning: str | None = None  # set when no key was pinned


def verify_bundle(
    lines: Iterator[str],
    progress: Callable[[int], None] | None = None,
    pinned: Sequence[notes.Verifier] = (),
    kept: Sequence[KeptCheckpoint] = (),
) -> BundleReport:
    """Verify a bundle; with `pinned` keys only their signatures (and those of keys reached
    from them by rotation) count, else the header's keys, which prove only self-consistency."""
    try:
        header = json.loads(next(lines))
    except (StopIteration, ValueError):
        raise VerificationError("the bundle has no header line") from None
    if header.get("type") != "header" or header.get("format") != BUNDLE_FORMAT:
        raise VerificationError(f"not a {BUNDLE_FORMAT} bundle")
    try:
        shipped = [notes.parse_vkey(text) for text in header["vkeys"]]
    except (KeyError, notes.NoteError) as error:
        raise VerificationError(f"bad verifier keys in header: {error}") from error
    trust = Trust.choose(pinned, shipped, "the keys in the bundle's own header")
    verifier = LogVerifier(header["origin"], trust, kept)
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
    verifier.finish()
    return BundleReport(
        verifier.origin,
        verifier.size,
        verifier.checkpoints_checked,
        verifier.root,
        verifier.chain_from,
        tuple(trust.signers()),
        tuple(verifier.kept_checked),
        trust.warning,
    )


# --- the command line -----------------------------------------------------------------------

EXIT_FAILED, EXIT_UNREADABLE, EXIT_UNPINNED = 1, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m app.ledger.verify",
        description="Verify an exported ShareLedger log bundle, or a holder's receipt, offline. "
        "Pin the log's key (--vkey) or only self-consistency is checked. Exit 0: verified; "
        "1: verification failed; 2: unreadable input; 3: no key pinned under --strict.",
    )
    parser.add_argument("bundle", type=Path, nargs="?", help="a bundle from `flask log export`")
    parser.add_argument("--receipt", type=Path, help="a receipt downloaded from /me/")
    parser.add_argument(
        "--vkey", action="append", default=[], help="a verifier key you trust (repeatable)"
    )
    parser.add_argument(
        "--vkey-file", action="append", default=[], type=Path, help="vkeys, one a line"
    )
    parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        type=Path,
        help="a signed checkpoint you kept: the bundle must contain it (repeatable)",
    )
    parser.add_argument("--newer-checkpoint", type=Path, help="with --receipt: a later checkpoint")
    parser.add_argument(
        "--consistency-proof", type=Path, help="with --newer-checkpoint: the proof's JSON"
    )
    parser.add_argument("--strict", action="store_true", help="fail (exit 3) when no key is pinned")
    return parser


def _usage_error(args: argparse.Namespace) -> str | None:
    if (args.bundle is None) == (args.receipt is None):
        return "give either a bundle or --receipt FILE"
    if args.receipt is not None and args.checkpoint:
        return "--checkpoint is for bundles; for a receipt use --newer-checkpoint"
    if args.receipt is None and (args.newer_checkpoint or args.consistency_proof):
        return "--newer-checkpoint and --consistency-proof go with --receipt"
    if (args.newer_checkpoint is None) != (args.consistency_proof is None):
        return "--newer-checkpoint and --consistency-proof go together"
    return None


def _warn_unpinned(warning: str | None, strict: bool) -> int:
    if warning is None:
        return 0
    print(banner(warning))
    if strict:
        print("FAILED (--strict): no key pinned", file=sys.stderr)
        return EXIT_UNPINNED
    return 0


def _verify_bundle_file(args: argparse.Namespace, pinned: Sequence[notes.Verifier]) -> int:
    def progress(size: int) -> None:
        print(f"  verified {size:,} leaves", file=sys.stderr, flush=True)

    kept = load_kept(args.checkpoint)
    with args.bundle.open(encoding="utf-8") as lines:
        report = verify_bundle(iter(lines), progress, pinned, kept)
    print(
        f"OK: {report.origin}: {report.size} leaves, {report.checkpoints} signed checkpoints, "
        f"root {b64(report.root)}"
    )
    print(f"  signed by: {'; '.join(report.signers)}")
    print(f"  {chain_summary(report.chain_from)}")
    for what in report.kept:
        print(f"  contains {what}: not rolled back, not forked")
    return _warn_unpinned(report.warning, args.strict)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise VerificationError(f"{what} {path} is not JSON: {error}") from None


def _verify_receipt_file(args: argparse.Namespace, pinned: Sequence[notes.Verifier]) -> int:
    receipt = _read_json(args.receipt, "the receipt")
    trust = receipts.receipt_trust(receipt, pinned)
    report, held = receipts.verify_receipt(receipt, trust)
    if args.newer_checkpoint is None:
        report.not_proven.append(
            "that the log still holds this checkpoint: give --newer-checkpoint and "
            "--consistency-proof"
        )
    else:
        newer = args.newer_checkpoint.read_text(encoding="utf-8")
        proof = _read_json(args.consistency_proof, "the consistency proof")
        receipts.verify_extension(held, trust, newer, proof, report)
    print("\n".join(report.lines()))
    unpinned = _warn_unpinned(report.warning, args.strict)
    return EXIT_FAILED if report.problems else unpinned


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    problem = _usage_error(args)
    if problem:
        parser.error(problem)
    try:
        pinned = load_pinned(args.vkey, args.vkey_file)
        if args.receipt is not None:
            return _verify_receipt_file(args, pinned)
        return _verify_bundle_file(args, pinned)
    except (OSError, TrustError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    except VerificationError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
