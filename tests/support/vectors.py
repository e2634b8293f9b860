"""Where the shared test vectors are (RFC 6962 trees, OCF 1.2.0 schemas and samples)."""

from __future__ import annotations

import os
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]


def vectors_folder(name: str) -> Path:
    """The vectors folder `name` ("rfc6962", "ocf-1.2.0"). SHARELEDGER_VECTORS may name that
    folder itself or the vectors folder above it; otherwise it is `shared/vectors/<name>`
    beside the checkout or beside a folder above it (a git worktree sits deeper than the
    checkout it belongs to). Callers fail loudly when it is missing: a missing vector is a
    broken checkout, not a reason to pass."""
    env = os.environ.get("SHARELEDGER_VECTORS")
    if env:
        base = Path(env)
        return base / name if (base / name).is_dir() else base
    for folder in CHECKOUT.parents:
        candidate = folder / "shared" / "vectors" / name
        if candidate.is_dir():
            return candidate
    return CHECKOUT.parent / "shared" / "vectors" / name
