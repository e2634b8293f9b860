"""RFC 6962 §2.1 read literally: the audit path and consistency proof over leaf hashes.

The reference that both the pure proof plans (tests/ledger) and the proofs read from storage
(tests/test_log_storage.py) are compared with, element for element.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.ledger.merkle import root_from_leaf_hashes


def _split(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) over leaf hashes."""
    if len(d) == 1:
        return []
    k = _split(len(d))
    if m < k:
        return [*path(m, d[:k]), root_from_leaf_hashes(d[k:])]
    return [*path(m - k, d[k:]), root_from_leaf_hashes(d[:k])]


def _subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [root_from_leaf_hashes(d)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, d[:k], b), root_from_leaf_hashes(d[k:])]
    return [*_subproof(m - k, d[k:], False), root_from_leaf_hashes(d[:k])]


def proof(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): the consistency proof from the first m leaves to all of D."""
    return [] if m in (0, len(d)) else _subproof(m, d, True)
