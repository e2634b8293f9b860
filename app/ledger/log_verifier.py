"""Replay one log in index order and check everything it claims: each leaf's canonical form
and position, the tree, and every checkpoint it meets (signature by a trusted key, origin,
size, root, and the predecessor it names). Used offline (`verify`) and on the database (`audit`).
No Flask, no database."""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.ledger import merkle, notes
from app.ledger.canonical import canonical_bytes
from app.ledger.trust import ROTATION_KIND, KeptCheckpoint, Trust


class VerificationError(Exception):
    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message if index is None else f"index {index}: {message}")
        self.index = index


@dataclass
class LogVerifier:
    """Replays one log. `trust` says which keys count (pinned, or those that came with the
    data); `kept` are checkpoints the user kept from before, which the log must contain."""

    origin: str
    trust: Trust
    kept: Sequence[KeptCheckpoint] = ()
    size: int = 0
    frontier: list[bytes] = field(default_factory=list)
    checkpoints_checked: int = 0
    last_checkpoint_size: int = 0
    # The size from which every checkpoint is known to be present: the predecessor named by
    # the first checkpoint that names one (None: no checkpoint names one).
    chain_from: int | None = None
    kept_checked: list[str] = field(default_factory=list)
    _kept_at: dict[int, list[KeptCheckpoint]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kept in self.kept:
            if kept.checkpoint.origin != self.origin:
                raise VerificationError(
                    f"{kept.what} is of another log ({kept.checkpoint.origin}), not {self.origin}"
                )
            self._kept_at.setdefault(kept.checkpoint.size, []).append(kept)
        self._check_kept()  # a kept checkpoint of size 0

    def add_leaf(
        self, index: int, leaf: bytes, stored_hash: bytes | None = None
    ) -> list[tuple[merkle.NodeId, bytes]]:
        """Check one leaf and extend the tree; returns the perfect subtrees it completed."""
        if index != self.size:
            raise VerificationError(f"expected leaf {self.size} next", index)
        digest = merkle.leaf_hash(leaf)
        if stored_hash is not None and stored_hash != digest:
            raise VerificationError("stored leaf hash does not match the leaf bytes", index)
        envelope = self._check_envelope(index, leaf)
        if envelope.get("kind") == ROTATION_KIND and isinstance(envelope.get("data"), dict):
            self.trust.follow_rotation(index, envelope["data"])
        self.frontier, completed = merkle.frontier_append(self.frontier, index, digest)
        self.size += 1
        if self._kept_at:
            self._check_kept()
        return completed

    def _check_envelope(self, index: int, leaf: bytes) -> dict[str, Any]:
        try:
            envelope, canonical = parse_canonical(leaf)
        except ValueError:
            raise VerificationError("leaf is not JSON", index) from None
        if not isinstance(envelope, dict) or not canonical:
            raise VerificationError("leaf is not in RFC 8785 canonical form", index)
        if envelope.get("origin") != self.origin or envelope.get("index") != index:
            raise VerificationError("leaf names another log or position", index)
        return envelope

    @property
    def root(self) -> bytes:
        return merkle.frontier_root(self.frontier)

    def check_checkpoint(self, tree_size: int, note: str, stored_root: bytes | None = None) -> None:
        """Check a checkpoint once the leaves up to its size have been added."""
        where = tree_size - 1
        if tree_size != self.size:
            raise VerificationError(f"checkpoint {tree_size} met at size {self.size}", where)
        try:
            opened = self.trust.open(note, f"checkpoint {tree_size}")
        except notes.NoteError as error:
            raise VerificationError(str(error), where) from error
        try:
            checkpoint = notes.parse_checkpoint(opened.text)
            previous = notes.previous_size(checkpoint)
        except notes.NoteError as error:
            raise VerificationError(f"checkpoint {tree_size}: {error}", where) from error
        if checkpoint.origin != self.origin or checkpoint.size != tree_size:
            raise VerificationError(f"checkpoint {tree_size} names another log or size", where)
        root = self.root
        if checkpoint.root != root or (stored_root is not None and stored_root != root):
            raise VerificationError(f"checkpoint {tree_size} root does not match the leaves", where)
        self._check_chain(tree_size, previous, where)
        self.trust.checkpoint_verified(tree_size)
        self.checkpoints_checked += 1
        self.last_checkpoint_size = tree_size

    def _check_chain(self, size: int, previous: int | None, where: int) -> None:
        last = self.last_checkpoint_size
        if previous is None:
            if self.chain_from is not None:
                raise VerificationError(
                    f"checkpoint {size} names no previous checkpoint although those since "
                    f"{self.chain_from} do",
                    where,
                )
            return
        if previous > last:
            raise VerificationError(
                f"checkpoint {size} follows checkpoint {previous}, which is missing (the last "
                f"checkpoint before it is {last}): a checkpoint was deleted",
                where,
            )
        if previous < last:
            raise VerificationError(
                f"checkpoint {size} names checkpoint {previous} as the one before it, but "
                f"checkpoint {last} came in between",
                where,
            )
        if self.chain_from is None:
            self.chain_from = previous

    def _check_kept(self) -> None:
        for kept in self._kept_at.pop(self.size, []):
            try:
                opened = self.trust.open(kept.note, kept.what)
            except notes.NoteError as error:
                raise VerificationError(str(error)) from error
            if notes.parse_checkpoint(opened.text).root != self.root:
                raise VerificationError(
                    f"the log forked: {kept.what} has root {b64(kept.checkpoint.root)}, but "
                    f"this log's root at size {self.size} is {b64(self.root)}: the log was "
                    "rewritten after you kept it"
                )
            self.kept_checked.append(kept.what)

    def finish(self) -> None:
        """After the last leaf: kept checkpoints beyond it, and leaves no checkpoint covers."""
        for size in sorted(self._kept_at):
            for kept in self._kept_at[size]:
                try:
                    self.trust.open(kept.note, kept.what)
                except notes.NoteError as error:
                    raise VerificationError(str(error)) from error
                raise VerificationError(
                    f"the log is shorter than a checkpoint you hold: it was rolled back "
                    f"({kept.what}; the log has {self.size} entries)"
                )
        if self.last_checkpoint_size != self.size:
            # Every command seals the log it grew, so its last leaf always has a checkpoint.
            raise VerificationError(
                f"leaves after {self.last_checkpoint_size} are covered by no checkpoint",
                self.last_checkpoint_size,
            )


def chain_summary(chain_from: int | None) -> str:
    if chain_from == 0:
        return "every checkpoint names its predecessor: none was deleted"
    if chain_from is None:
        return (
            "no checkpoint names its predecessor (signed before that was recorded): a deleted "
            "checkpoint would not show"
        )
    return (
        f"checkpoint chain provable from size {chain_from} on (the checkpoints before it were "
        "signed before each named its predecessor: a deleted one among them would not show)"
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- canonical form ---------------------------------------------------------------------------


def parse_canonical(leaf: bytes) -> tuple[Any, bool]:
    """The JSON value of `leaf`, and whether `leaf` is exactly its RFC 8785 form (the same
    encoder that wrote it, `app.ledger.canonical`, encodes it again)."""
    value = json.loads(leaf)
    try:
        return value, canonical_bytes(value) == leaf
    except ValueError:  # NaN, a fraction out of range, a lone surrogate: no RFC 8785 form
        return value, False
