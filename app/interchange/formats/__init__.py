"""Snapshot formats: each turns a Snapshot and its streamed rows into text or bytes, a chunk at
a time, so that a register of any size is written in bounded memory."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from app.register.snapshot import ClassTotal, HoldingRow

CHUNK_ROWS = 2_000


def chunked(parts: Iterable[str], rows: int = CHUNK_ROWS) -> Iterator[str]:
    """Join small pieces into chunks of `rows` pieces: one write per chunk, not per row."""
    batch: list[str] = []
    for part in parts:
        batch.append(part)
        if len(batch) >= rows:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def by_class(
    classes: Iterable[ClassTotal], rows: Iterable[HoldingRow]
) -> Iterator[tuple[ClassTotal, Iterator[HoldingRow]]]:
    """Pair each class with its run of rows. Rows come in class-code order, the order of
    `classes`; a class without holdings gets an empty run. Each run must be consumed before
    the next pair is taken (like itertools.groupby)."""
    pending = iter(rows)
    lookahead: list[HoldingRow] = []

    def run(code: str) -> Iterator[HoldingRow]:
        while True:
            row = lookahead.pop() if lookahead else next(pending, None)
            if row is None:
                return
            if row.class_code != code:
                lookahead.append(row)
                return
            yield row

    for share_class in classes:
        yield share_class, run(share_class.code)
