"""RFC 6962 Merkle tree: shared test vectors, an RFC-literal reference, and properties."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.ledger.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    NodeId,
    ProofError,
    consistency_plan,
    frontier_append,
    frontier_ids,
    frontier_root,
    inclusion_plan,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    root_plan,
    verify_consistency,
    verify_inclusion,
)
from tests.support import rfc6962
from tests.support.vectors import vectors_folder

VECTORS = vectors_folder("rfc6962")


def _cases(kind: str) -> list[Any]:
    folder = VECTORS / kind
    files = sorted(folder.rglob("*.json")) if folder.is_dir() else []
    return [pytest.param(f, id=f.relative_to(VECTORS).as_posix()) for f in files]


INCLUSION_CASES = _cases("inclusion")
CONSISTENCY_CASES = _cases("consistency")


def _load(path: Path) -> dict[str, Any]:
    case = json.loads(path.read_text())
    case["proof"] = [base64.b64decode(p) for p in case["proof"] or []]
    for key in ("root", "leafHash", "root1", "root2"):
        if key in case:
            case[key] = base64.b64decode(case[key])
    return case


def _reference_tree() -> tuple[list[bytes], list[bytes]]:
    data = json.loads((VECTORS / "reference-tree.json").read_text())
    leaves = [bytes.fromhex(x) for x in data["leaf_inputs_hex"]]
    return leaves, [bytes.fromhex(x) for x in data["root_hex_by_size"]]


# --- test-side reference: every stored subtree (RFC 6962 §2.1 itself is in tests/support) ---


def _leaves(size: int, salt: bytes = b"") -> list[bytes]:
    return [leaf_hash(salt + i.to_bytes(4, "big")) for i in range(size)]


def _store(leaf_hashes: Sequence[bytes]) -> dict[NodeId, bytes]:
    """Every perfect subtree, level by level, as the storage layer would hold them."""
    store = {NodeId(0, i): h for i, h in enumerate(leaf_hashes)}
    row, level = list(leaf_hashes), 0
    while len(row) >= 2:
        row = [node_hash(row[2 * i], row[2 * i + 1]) for i in range(len(row) // 2)]
        level += 1
        store.update({NodeId(level, i): h for i, h in enumerate(row)})
    return store


def _fetch(plan_ids: Sequence[NodeId], store: dict[NodeId, bytes]) -> dict[NodeId, bytes]:
    # Only what the plan asked for, so a proof cannot lean on subtrees it did not declare.
    return {i: store[i] for i in plan_ids}


def _flip(proof: list[bytes], at: int) -> list[bytes]:
    h = proof[at]
    return [*proof[:at], bytes([h[0] ^ 1]) + h[1:], *proof[at + 1 :]]


def _id_budget(size: int) -> float:
    return 2 * math.log2(size) + 2 if size else 0


# --- shared vectors ------------------------------------------------------------------------------


def test_vectors_present() -> None:
    assert (VECTORS / "reference-tree.json").is_file(), f"no RFC 6962 vectors at {VECTORS}"
    for cases in (INCLUSION_CASES, CONSISTENCY_CASES):
        wants = {_load(c.values[0])["wantErr"] for c in cases}
        assert wants == {True, False}
    assert len(REFERENCE_CASES) >= 10


@pytest.mark.parametrize("path", INCLUSION_CASES)
def test_inclusion_vector(path: Path) -> None:
    c = _load(path)
    args = (c["leafHash"], c["leafIdx"], c["treeSize"], c["proof"], c["root"])
    if c["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)
        assert root_from_inclusion_proof(*args[:4]) == c["root"]


@pytest.mark.parametrize("path", CONSISTENCY_CASES)
def test_consistency_vector(path: Path) -> None:
    c = _load(path)
    args = (c["size1"], c["size2"], c["proof"], c["root1"], c["root2"])
    if c["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


def test_reference_tree_roots() -> None:
    leaves, roots = _reference_tree()
    hashes = [leaf_hash(x) for x in leaves]
    store = _store(hashes)
    frontier: list[bytes] = []
    for n, want in enumerate(roots):
        assert root_from_leaf_hashes(hashes[:n]) == want
        assert frontier_root(frontier) == want
        plan = root_plan(n)
        assert plan.assemble(
            _fetch(plan.ids, {k: v for k, v in store.items() if k.coverage()[1] <= n})
        ) == [want]
        if n < len(hashes):
            frontier, _ = frontier_append(frontier, n, hashes[n])


def _over_reference_tree(path: Path) -> bool:
    c = _load(path)
    _, roots = _reference_tree()
    size = c.get("treeSize", c.get("size2"))
    return not c["wantErr"] and size < len(roots) and roots[size] == c.get("root", c.get("root2"))


# Happy paths built over the reference leaves: our own proofs must match them byte for byte.
REFERENCE_CASES = [
    c for c in INCLUSION_CASES + CONSISTENCY_CASES if _over_reference_tree(c.values[0])
]


@pytest.mark.parametrize("path", REFERENCE_CASES)
def test_generated_proof_equals_vector(path: Path) -> None:
    c = _load(path)
    leaves, _ = _reference_tree()
    size = c.get("treeSize", c.get("size2"))
    store = _store([leaf_hash(x) for x in leaves[:size]])
    if "leafIdx" in c:
        plan = inclusion_plan(c["leafIdx"], size)
    else:
        plan = consistency_plan(c["size1"], size)
    assert plan.assemble(_fetch(plan.ids, store)) == c["proof"]


# --- hashing and frontier -----------------------------------------------------------------------


def test_hashes_are_domain_separated_sha256() -> None:
    a, b = b"a" * HASH_SIZE, b"b" * HASH_SIZE
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert node_hash(a, b) != node_hash(b, a)
    assert root_from_leaf_hashes([]) == EMPTY_ROOT


def test_frontier_ids_and_coverage() -> None:
    assert frontier_ids(0) == []
    assert frontier_ids(13) == [NodeId(3, 0), NodeId(2, 2), NodeId(0, 12)]
    assert NodeId(2, 3).coverage() == (12, 16)
    with pytest.raises(ValueError):
        frontier_ids(-1)


def test_frontier_tracks_every_prefix() -> None:
    hashes = _leaves(300, b"prefix")
    frontier: list[bytes] = []
    for n, h in enumerate(hashes):
        frontier, _ = frontier_append(frontier, n, h)
        assert frontier_root(frontier) == root_from_leaf_hashes(hashes[: n + 1]), n


@settings(deadline=None)
@given(size=st.integers(0, 300), salt=st.binary(max_size=8))
@example(size=256, salt=b"").via("power of two")
@example(size=300, salt=b"").via("largest")
def test_frontier_append_matches_reference(size: int, salt: bytes) -> None:
    hashes = _leaves(size, salt)
    frontier: list[bytes] = []
    completed: list[tuple[NodeId, bytes]] = []
    for n, h in enumerate(hashes):
        frontier, done = frontier_append(frontier, n, h)
        assert [i.level for i, _ in done] == list(range(1, len(done) + 1))
        completed += done
    store = _store(hashes)
    assert frontier_root(frontier) == root_from_leaf_hashes(hashes)
    assert frontier == [store[i] for i in frontier_ids(size)]
    # Every interior perfect subtree is reported exactly once, with its true hash.
    assert len(completed) == len(dict(completed))
    assert dict(completed) == {k: v for k, v in store.items() if k.level >= 1}


def test_frontier_append_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        frontier_append([], 1, EMPTY_ROOT)  # size 1 needs one frontier hash
    with pytest.raises(ValueError):
        frontier_append([EMPTY_ROOT], 3, EMPTY_ROOT)
    with pytest.raises(ValueError):
        frontier_append([], 0, b"short")
    with pytest.raises(ValueError):
        frontier_append([], -1, EMPTY_ROOT)


# --- plans against the RFC definitions ----------------------------------------------------------


@pytest.mark.parametrize("size", range(0, 41))
def test_plans_match_rfc_exhaustively(size: int) -> None:
    hashes = _leaves(size, b"exhaustive")
    store = _store(hashes)
    root = root_from_leaf_hashes(hashes)
    plan = root_plan(size)
    assert plan.assemble(_fetch(plan.ids, store)) == [root]
    for index in range(size):
        plan = inclusion_plan(index, size)
        proof = plan.assemble(_fetch(plan.ids, store))
        assert proof == rfc6962.path(index, hashes), index
        verify_inclusion(hashes[index], index, size, proof, root)
    for size1 in range(size + 1):
        plan = consistency_plan(size1, size)
        proof = plan.assemble(_fetch(plan.ids, store))
        assert proof == rfc6962.proof(size1, hashes), size1
        verify_consistency(size1, size, proof, root_from_leaf_hashes(hashes[:size1]), root)


@pytest.mark.parametrize(
    ("make", "args"),
    [
        (inclusion_plan, (0, 0)),
        (inclusion_plan, (5, 5)),
        (inclusion_plan, (-1, 5)),
        (consistency_plan, (6, 5)),
        (consistency_plan, (-1, 5)),
        (root_plan, (-1,)),
    ],
)
def test_plans_reject_impossible_arguments(make: Any, args: tuple[int, ...]) -> None:
    with pytest.raises(ValueError):
        make(*args)


def test_assemble_needs_every_planned_hash() -> None:
    plan = inclusion_plan(5, 11)
    store = _fetch(plan.ids, _store(_leaves(11)))
    del store[plan.ids[-1]]
    with pytest.raises(KeyError):
        plan.assemble(store)


# --- properties over random trees ---------------------------------------------------------------


@st.composite
def _inclusion_case(draw: st.DrawFn) -> tuple[int, int, bytes]:
    size = draw(st.integers(1, 300))
    return draw(st.integers(0, size - 1)), size, draw(st.binary(max_size=8))


@st.composite
def _consistency_case(draw: st.DrawFn) -> tuple[int, int, bytes]:
    size2 = draw(st.integers(0, 300))
    return draw(st.integers(0, size2)), size2, draw(st.binary(max_size=8))


@settings(deadline=None)
@given(case=_inclusion_case(), data=st.data())
def test_inclusion_plan_proofs_verify_and_tampering_fails(
    case: tuple[int, int, bytes], data: st.DataObject
) -> None:
    index, size, salt = case
    hashes = _leaves(size, salt)
    root = root_from_leaf_hashes(hashes)
    plan = inclusion_plan(index, size)
    assert len(plan.ids) <= _id_budget(size)
    proof = plan.assemble(_fetch(plan.ids, _store(hashes)))
    verify_inclusion(hashes[index], index, size, proof, root)
    assert root_from_inclusion_proof(hashes[index], index, size, proof) == root

    extra = data.draw(st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE), label="extra")
    tampered = [[*proof, extra]]
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1), label="at")
        tampered += [_flip(proof, at), proof[:at] + proof[at + 1 :]]
    for bad in tampered:
        with pytest.raises(ProofError):
            verify_inclusion(hashes[index], index, size, bad, root)
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index), label="other")
        with pytest.raises(ProofError):
            verify_inclusion(hashes[other], index, size, proof, root)


@settings(deadline=None)
@given(case=_consistency_case(), data=st.data())
def test_consistency_plan_proofs_verify_and_tampering_fails(
    case: tuple[int, int, bytes], data: st.DataObject
) -> None:
    size1, size2, salt = case
    hashes = _leaves(size2, salt)
    root1, root2 = root_from_leaf_hashes(hashes[:size1]), root_from_leaf_hashes(hashes)
    plan = consistency_plan(size1, size2)
    assert len(plan.ids) <= _id_budget(size2)
    proof = plan.assemble(_fetch(plan.ids, _store(hashes)))
    verify_consistency(size1, size2, proof, root1, root2)

    extra = data.draw(st.binary(min_size=HASH_SIZE, max_size=HASH_SIZE), label="extra")
    tampered = [[*proof, extra]]
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1), label="at")
        tampered += [_flip(proof, at), proof[:at] + proof[at + 1 :]]
    for bad in tampered:
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, bad, root1, root2)
    if 0 < size1 < size2:
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof, root2, root2)


# --- malformed verification input ---------------------------------------------------------------

_H = _leaves(7, b"malformed")
_ROOT = root_from_leaf_hashes(_H)
_ROOT3 = root_from_leaf_hashes(_H[:3])
_INC = inclusion_plan(2, 7).assemble(_store(_H))
_CON = consistency_plan(3, 7).assemble(_store(_H))


def test_malformed_baselines_verify() -> None:
    # The cases below each change one thing from these.
    verify_inclusion(_H[2], 2, 7, _INC, _ROOT)
    verify_consistency(3, 7, _CON, _ROOT3, _ROOT)
    verify_consistency(0, 7, [], EMPTY_ROOT, _ROOT)
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    assert issubclass(ProofError, ValueError)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        pytest.param((_H[2], -2, 7, _INC, _ROOT), "negative", id="negative-index"),
        pytest.param((_H[2], 2, -7, _INC, _ROOT), "negative", id="negative-size"),
        pytest.param((_H[2], 7, 7, _INC, _ROOT), "not below", id="index-equals-size"),
        pytest.param((_H[2], 2, 0, _INC, _ROOT), "not below", id="empty-tree"),
        pytest.param((_H[2][:-1], 2, 7, _INC, _ROOT), "leaf hash is 31 bytes", id="short-leaf"),
        pytest.param(
            (_H[2], 2, 7, [*_INC[:-1], _INC[-1] + b"\0"], _ROOT),
            r"proof\[2\] is 33 bytes",
            id="long-proof-hash",
        ),
        pytest.param((_H[2], 2, 7, _INC, _ROOT[:-1]), "root is 31 bytes", id="short-root"),
        pytest.param((_H[2], 2, 7, [*_INC, _ROOT], _ROOT), "too many", id="appended"),
        pytest.param((_H[2], 2, 7, _INC[:-1], _ROOT), "too few", id="dropped"),
        pytest.param((_H[2], 2, 7, _INC[::-1], _ROOT), "does not lead", id="reordered-proof"),
        pytest.param((_H[3], 2, 7, _INC, _ROOT), "does not lead", id="other-leaf"),
        # Size 8 would pass: the root does not bind the size, which is why a signed head must.
        pytest.param((_H[2], 2, 3, _INC, _ROOT), "too many", id="other-size"),
    ],
)
def test_inclusion_rejects(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(ProofError, match=match):
        verify_inclusion(*args)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        pytest.param((-3, 7, _CON, _ROOT3, _ROOT), "negative", id="negative-size1"),
        pytest.param((3, -7, _CON, _ROOT3, _ROOT), "negative", id="negative-size2"),
        pytest.param((7, 3, _CON, _ROOT, _ROOT3), "greater than", id="size1-above-size2"),
        pytest.param((7, 7, _CON[:1], _ROOT, _ROOT), "equal but the proof", id="equal-nonempty"),
        pytest.param((7, 7, [], _ROOT, _ROOT3), "roots differ", id="equal-sizes-other-root"),
        pytest.param((0, 0, [], _ROOT, _ROOT), "EMPTY_ROOT", id="empty-tree-wrong-root"),
        pytest.param((0, 7, _CON[:1], EMPTY_ROOT, _ROOT), "size1 is 0", id="from-empty-proof"),
        pytest.param((0, 7, [], _ROOT3, _ROOT), "EMPTY_ROOT", id="from-empty-wrong-root1"),
        pytest.param(
            (0, 7, [], EMPTY_ROOT, _ROOT[:-1]), "root2 is 31", id="from-empty-short-root2"
        ),
        pytest.param((3, 7, [], _ROOT3, _ROOT), "is empty", id="empty-proof"),
        pytest.param(
            (3, 7, [*_CON[:-1], _CON[-1][:-1]], _ROOT3, _ROOT),
            r"proof\[\d\] is 31 bytes",
            id="short-proof-hash",
        ),
        pytest.param((3, 7, _CON, _ROOT3[:-1], _ROOT), "root1 is 31", id="short-root1"),
        pytest.param((3, 7, _CON, _ROOT3, _ROOT + b"\0"), "root2 is 33", id="long-root2"),
        pytest.param((3, 7, [*_CON, _ROOT], _ROOT3, _ROOT), "too many", id="appended"),
        pytest.param((3, 7, _CON[:-1], _ROOT3, _ROOT), "too few", id="dropped"),
        pytest.param((3, 7, _CON, _ROOT, _ROOT), "root1", id="wrong-root1"),
        pytest.param((3, 7, _CON, _ROOT3, _ROOT3), "root2", id="wrong-root2"),
        pytest.param((4, 7, _CON, _ROOT3, _ROOT), None, id="other-size1"),
    ],
)
def test_consistency_rejects(args: tuple[Any, ...], match: str | None) -> None:
    with pytest.raises(ProofError, match=match):
        verify_consistency(*args)
