"""`log verify` over the database: recompute every leaf hash, every stored node, every
checkpoint's root and signature, and the state row, streaming the log in batches.

The keys in the database came with the data: unless the caller pins keys, checking signatures
against them proves only that the database agrees with itself, and the report says so."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.ledger import merkle, notes
from app.ledger.keyring import verifiers
from app.ledger.log import Entry, get_state, read_entries, split_hashes
from app.ledger.log_verifier import LogVerifier, VerificationError
from app.ledger.trust import KeptCheckpoint, Trust
from app.models.log import LogCheckpoint, LogNode

BATCH = 5_000


@dataclass(frozen=True)
class AuditReport:
    issuer_id: str
    origin: str
    size: int
    nodes: int
    checkpoints: int
    chain_from: int | None = None
    signers: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    warning: str | None = None  # set when no key was pinned


def _batches(
    session: Session, issuer_id: str, size: int
) -> Iterator[tuple[list[Entry], dict[int, LogCheckpoint]]]:
    """Leaves in index order, a batch at a time, with the checkpoints that end inside it."""
    for start in range(0, size, BATCH):
        end = min(start + BATCH, size)
        # Plain rows, not ORM objects: a million leaves would each be built and tracked.
        leaves = read_entries(session, issuer_id, start, end)
        checkpoints = session.scalars(
            select(LogCheckpoint).where(
                LogCheckpoint.issuer_id == issuer_id,
                LogCheckpoint.tree_size > start,
                LogCheckpoint.tree_size <= end,
            )
        ).all()
        yield leaves, {checkpoint.tree_size: checkpoint for checkpoint in checkpoints}
        session.expunge_all()


def _stored_nodes(
    session: Session, issuer_id: str, wanted: list[tuple[merkle.NodeId, bytes]]
) -> dict[merkle.NodeId, bytes]:
    by_level: dict[int, list[int]] = {}
    for node, _ in wanted:
        by_level.setdefault(node.level, []).append(node.index)
    found = {}
    for level, indexes in by_level.items():
        rows = session.execute(
            select(LogNode.index, LogNode.hash).where(
                LogNode.issuer_id == issuer_id,
                LogNode.level == level,
                LogNode.index >= min(indexes),
                LogNode.index <= max(indexes),
            )
        )
        found.update((merkle.NodeId(level, row.index), row.hash) for row in rows)
    return found


def audit_log(
    session: Session,
    issuer_id: str,
    progress: Callable[[int, int], None] | None = None,
    pinned: Sequence[notes.Verifier] = (),
    kept: Sequence[KeptCheckpoint] = (),
) -> AuditReport:
    state = get_state(session, issuer_id)
    origin, size, checkpoint_size = state.origin, state.tree_size, state.checkpoint_size
    stored_frontier, stored_root = split_hashes(state.frontier), state.root_hash
    if size != checkpoint_size:
        raise VerificationError(f"state size {size} differs from its checkpoint {checkpoint_size}")
    trust = Trust.choose(pinned, verifiers(session), "the keys in the database itself")
    verifier = LogVerifier(origin, trust, kept)
    node_count = 0
    for leaves, checkpoints in _batches(session, issuer_id, size):
        completed: list[tuple[merkle.NodeId, bytes]] = []
        for leaf in leaves:
            completed.extend(verifier.add_leaf(leaf.index, leaf.leaf, leaf.leaf_hash))
            checkpoint = checkpoints.pop(verifier.size, None)
            if checkpoint is not None:
                verifier.check_checkpoint(
                    checkpoint.tree_size, checkpoint.note, checkpoint.root_hash
                )
        node_count += _check_nodes(session, issuer_id, completed)
        if progress:
            progress(verifier.size, size)
    if verifier.size != size:
        raise VerificationError(f"the log has {verifier.size} leaves; its state says {size}")
    verifier.finish()
    stored_checkpoints = session.scalar(
        select(func.count()).select_from(LogCheckpoint).where(LogCheckpoint.issuer_id == issuer_id)
    )
    if stored_checkpoints != verifier.checkpoints_checked:
        raise VerificationError(
            f"{stored_checkpoints} checkpoints stored, {verifier.checkpoints_checked} at sizes "
            "the log has"
        )
    stored_count = session.scalar(
        select(func.count()).select_from(LogNode).where(LogNode.issuer_id == issuer_id)
    )
    if stored_count != node_count:
        raise VerificationError(f"{stored_count} nodes stored where the tree has {node_count}")
    if verifier.frontier != stored_frontier or verifier.root != stored_root:
        raise VerificationError("the state row's frontier or root does not match the leaves")
    return AuditReport(
        issuer_id,
        origin,
        size,
        node_count,
        verifier.checkpoints_checked,
        verifier.chain_from,
        tuple(trust.signers()),
        tuple(verifier.kept_checked),
        trust.warning,
    )


def _check_nodes(
    session: Session, issuer_id: str, completed: list[tuple[merkle.NodeId, bytes]]
) -> int:
    stored = _stored_nodes(session, issuer_id, completed)
    for node, digest in completed:
        if stored.get(node) != digest:
            first_leaf = node.index << node.level
            raise VerificationError(
                f"stored node level {node.level} index {node.index} is wrong or missing",
                first_leaf + (1 << node.level) - 1,
            )
    return len(completed)
