"""RFC 6962 / RFC 9162 Merkle tree: hashing, append frontier, proof plans and verification.

Pure functions over hashes. Storage lives elsewhere: it keeps the perfect subtrees that
`frontier_append` reports, and answers the `ids` of a `ProofPlan`. Modelled on
transparency-dev/merkle (compact ranges, proof.Nodes with its ephemeral node).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

HASH_SIZE = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

# Domain separation keeps a leaf from ever being passed off as an interior node (RFC 6962 §2.1).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofError(ValueError):
    """A proof, a hash or a tree size given for verification does not hold."""


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(_LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


class NodeId(NamedTuple):
    """The perfect subtree over leaves [index << level, (index + 1) << level)."""

    level: int
    index: int

    def coverage(self) -> tuple[int, int]:
        return self.index << self.level, (self.index + 1) << self.level


def root_from_leaf_hashes(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH by the RFC's recursive definition: the reference the rest is tested against."""

    def mth(begin: int, end: int) -> bytes:
        n = end - begin
        if n == 1:
            return leaf_hashes[begin]
        k = 1 << ((n - 1).bit_length() - 1)  # largest power of two < n
        return node_hash(mth(begin, begin + k), mth(begin + k, end))

    return mth(0, len(leaf_hashes)) if leaf_hashes else EMPTY_ROOT


# --- compact ranges ---------------------------------------------------------------------------


def _range_ids(begin: int, end: int) -> list[NodeId]:
    """The fewest perfect subtrees exactly covering [begin, end), leftmost first."""
    ids: list[NodeId] = []
    while begin < end:
        level = (end - begin).bit_length() - 1
        if begin:
            # A subtree must start on a multiple of its own width.
            level = min(level, (begin & -begin).bit_length() - 1)
        ids.append(NodeId(level, begin >> level))
        begin += 1 << level
    return ids


def frontier_ids(size: int) -> list[NodeId]:
    """The perfect subtrees of the binary decomposition of `size`, largest first."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return _range_ids(0, size)


def _fold(hashes: Sequence[bytes]) -> bytes:
    # Right to left: in a left-balanced tree the smaller subtrees on the right hang lowest.
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def frontier_append(
    frontier: Sequence[bytes], size: int, new_leaf_hash: bytes
) -> tuple[list[bytes], list[tuple[NodeId, bytes]]]:
    """Add one leaf to the frontier of a tree of `size` leaves.

    Returns the frontier for size + 1 and the perfect subtrees of level >= 1 the leaf
    completed, lowest first, for storage.
    """
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    if len(frontier) != (want := size.bit_count()):
        raise ValueError(f"frontier has {len(frontier)} hashes, size {size} takes {want}")
    if len(new_leaf_hash) != HASH_SIZE:
        raise ValueError(f"leaf hash is {len(new_leaf_hash)} bytes, want {HASH_SIZE}")
    stack = list(frontier)
    completed: list[tuple[NodeId, bytes]] = []
    carry, level, new_size = new_leaf_hash, 0, size + 1
    # Each trailing one bit of `size` is a subtree the new leaf now pairs up with, like a carry.
    while (size >> level) & 1:
        carry = node_hash(stack.pop(), carry)
        level += 1
        completed.append((NodeId(level, (new_size >> level) - 1), carry))
    stack.append(carry)
    return stack, completed


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The root of the tree a frontier summarises; EMPTY_ROOT for the empty tree."""
    return _fold(frontier)


# --- proof plans ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProofPlan:
    """Which stored perfect subtrees a proof needs, and how to turn them into the proof.

    Each proof element is the fold of one group of adjacent subtrees. Most groups hold one
    subtree; a right-border group stands for an incomplete ("ephemeral") subtree, which is
    never stored because it changes with every append.
    """

    ids: tuple[NodeId, ...]
    groups: tuple[tuple[NodeId, ...], ...] = field(repr=False)

    @classmethod
    def _of(cls, groups: Sequence[Sequence[NodeId]]) -> ProofPlan:
        frozen = tuple(tuple(g) for g in groups)
        ids = tuple(dict.fromkeys(i for g in frozen for i in g))
        return cls(ids=ids, groups=frozen)

    def assemble(self, hashes: Mapping[NodeId, bytes]) -> list[bytes]:
        """The proof from the hashes of `ids`; KeyError names a subtree that was not given."""
        for node in self.ids:
            if len(hashes[node]) != HASH_SIZE:
                raise ValueError(f"hash of {node} is {len(hashes[node])} bytes, want {HASH_SIZE}")
        return [_fold([hashes[node] for node in group]) for group in self.groups]


def _path_groups(level: int, index: int, size: int) -> list[tuple[NodeId, ...]]:
    """Groups proving node (level, index) into the tree of `size`, bottom up, seed excluded."""
    # Above the fork the path to the node and the path to the tree's right edge part ways;
    # the fork's right sibling is the ephemeral node (transparency-dev/merkle proof.nodes).
    inner = (index ^ (size >> level)).bit_length() - 1
    fork = NodeId(level + inner, index >> inner)
    begin, end = fork.coverage()
    groups = [(NodeId(level + i, (index >> i) ^ 1),) for i in range(inner)]
    right = _range_ids(end, size)
    if right:
        groups.append(tuple(right))
    groups.extend((node,) for node in reversed(_range_ids(0, begin)))
    return groups


def inclusion_plan(index: int, size: int) -> ProofPlan:
    if not 0 <= index < size:
        raise ValueError(f"index {index} out of range for tree size {size}")
    return ProofPlan._of(_path_groups(0, index, size))


def consistency_plan(size1: int, size2: int) -> ProofPlan:
    if not 0 <= size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    if size1 in (0, size2):
        return ProofPlan._of([])
    # The largest perfect subtree ending at size1; the proof is its inclusion path into size2.
    level = (size1 & -size1).bit_length() - 1
    index = (size1 - 1) >> level
    groups = _path_groups(level, index, size2)
    # When size1 is a power of two the seed is the old root itself, which the verifier holds.
    return ProofPlan._of(groups if index == 0 else [(NodeId(level, index),), *groups])


def root_plan(size: int) -> ProofPlan:
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return ProofPlan._of([frontier_ids(size)])


# --- verification (RFC 9162 §2.1.3.2, §2.1.4.2) -----------------------------------------------


def _check_hash(name: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} is {len(value)} bytes, want {HASH_SIZE}")


def _check_proof(proof: Sequence[bytes]) -> None:
    for i, h in enumerate(proof):
        _check_hash(f"proof[{i}]", h)


def _inner_proof_size(index: int, size: int) -> int:
    """Levels where the path from leaf `index` to the root of a `size` tree has a sibling
    below the point where it joins the tree's right border."""
    return (index ^ (size - 1)).bit_length()


def _decompose_inclusion_proof(index: int, size: int) -> tuple[int, int]:
    """(inner, border): how many hashes of an inclusion proof chain below the right border,
    and how many along it."""
    inner = _inner_proof_size(index, size)
    return inner, (index >> inner).bit_count()


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for level, sibling in enumerate(proof):
        seed = node_hash(sibling, seed) if (index >> level) & 1 else node_hash(seed, sibling)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """As `_chain_inner`, but only the left siblings: the older tree of a consistency proof
    has nothing to the right of the path."""
    for level, sibling in enumerate(proof):
        if (index >> level) & 1:
            seed = node_hash(sibling, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for sibling in proof:
        seed = node_hash(sibling, seed)
    return seed


def _require_length(proof: Sequence[bytes], want: int, what: str) -> None:
    if len(proof) > want:
        raise ProofError(f"proof has {len(proof)} hashes, too many for {what} (want {want})")
    if len(proof) < want:
        raise ProofError(f"proof has {len(proof)} hashes, too few for {what} (want {want})")


def root_from_inclusion_proof(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]
) -> bytes:
    """The root implied by an inclusion proof; ProofError if the proof is malformed."""
    if index < 0 or size < 0:
        raise ProofError(f"negative index {index} or tree size {size}")
    if index >= size:
        raise ProofError(f"index {index} is not below tree size {size}")
    _check_hash("leaf hash", leaf_hash)
    _check_proof(proof)
    inner, border = _decompose_inclusion_proof(index, size)
    _require_length(proof, inner + border, f"index {index}/{size}")
    return _chain_border_right(_chain_inner(leaf_hash, proof[:inner], index), proof[inner:])


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    _check_hash("root", root)
    if root_from_inclusion_proof(leaf_hash, index, size, proof) != root:
        raise ProofError(f"inclusion proof for index {index}/{size} does not lead to the root")


def _check_trivial_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> bool:
    """Check the cases with nothing to chain; True when one of them applied."""
    if size1 < 0 or size2 < 0:
        raise ProofError(f"negative tree size {size1} or {size2}")
    if size1 > size2:
        raise ProofError(f"size1 {size1} is greater than size2 {size2}")
    if size1 == size2:
        if proof:
            raise ProofError(f"sizes are equal but the proof has {len(proof)} hashes")
        # Nothing to prove beyond equality. Any matching byte strings pass here (as in the
        # upstream vectors), except that the empty tree has exactly one root.
        if root1 != root2:
            raise ProofError("sizes are equal but the roots differ")
        if size1 == 0 and root1 != EMPTY_ROOT:
            raise ProofError("root of the empty tree is not EMPTY_ROOT")
        return True
    _check_hash("root1", root1)
    _check_hash("root2", root2)
    if size1 == 0:
        # Every tree extends the empty one; RFC 9162 defines no proof for it.
        if proof:
            raise ProofError(f"size1 is 0 but the proof has {len(proof)} hashes")
        if root1 != EMPTY_ROOT:
            raise ProofError("root1 of the empty tree is not EMPTY_ROOT")
        return True
    if not proof:
        raise ProofError("consistency proof is empty")
    return False


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """The structure of transparency-dev/merkle's proof/verify.go: the proof is, after its
    seed, the upper part of the inclusion proof of leaf size1 - 1 in the larger tree."""
    if _check_trivial_consistency(size1, size2, proof, root1, root2):
        return
    _check_proof(proof)
    inner, border = _decompose_inclusion_proof(size1 - 1, size2)
    # The levels below `shift` lie inside the perfect subtree that ends the old tree.
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    if size1 == 1 << shift:
        seed, path = root1, proof  # the old tree is that perfect subtree: its root seeds
    else:
        seed, path = proof[0], proof[1:]
    _require_length(path, inner + border, f"{size1} -> {size2}")
    mask = (size1 - 1) >> shift
    old = _chain_border_right(_chain_inner_right(seed, path[:inner], mask), path[inner:])
    if old != root1:
        raise ProofError(f"consistency proof does not lead to root1 of size {size1}")
    new = _chain_border_right(_chain_inner(seed, path[:inner], mask), path[inner:])
    if new != root2:
        raise ProofError(f"consistency proof does not lead to root2 of size {size2}")
