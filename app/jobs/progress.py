"""How far a running job has got: a stage ("rows checked against the register"), a count done
and, when known, a total.

A job's kinds report steps to a `ProgressReporter`; it passes one on every `every` steps (and
at each new stage and the end of one) to the writer it was given, which commits the figures where a
`GET /jobs/{id}` sees them. A command's own entries are counted too when a kind asks for it
(`count_entries`), through the register's entry listener, so that a batch issuance reports
per allocation recorded without the register knowing about jobs.
"""

from __future__ import annotations

from collections.abc import Callable

from app.register.context import CommandContext, listen_to_entries
from app.register.projection import Applied

ProgressWriter = Callable[[str, int, "int | None"], None]
SCRATCH_KEY = "app.jobs.progress"


class ProgressReporter:
    def __init__(self, write: ProgressWriter | None, every: int = 1000) -> None:
        self._write = write
        self.every = max(1, every)
        self._entries_stage: str | None = None
        self._entries_total: int | None = None
        self._entries_done = 0
        self._reported: tuple[str | None, int] = (None, 0)

    def step(self, stage: str, done: int, total: int | None = None) -> None:
        if self._write is None:
            return
        # Steps come one by one or a batch at a time: pass one on once `every` more are done
        # since the last passed on, at a new stage, and at the end of one.
        moved_on = stage != self._reported[0] or done - self._reported[1] >= self.every
        if moved_on or done == total:
            self._reported = (stage, done)
            self._write(stage, done, total)

    def count_entries(self, ctx: CommandContext, stage: str, total: int | None) -> None:
        """Report each log entry `ctx`'s command records from now on as a step of `stage`."""
        self._entries_stage, self._entries_total, self._entries_done = stage, total, 0
        ctx.scratch[SCRATCH_KEY] = self
        self.step(stage, 0, total)

    def _entry_recorded(self) -> None:
        if self._entries_stage is None:
            return
        self._entries_done += 1
        self.step(self._entries_stage, self._entries_done, self._entries_total)


def _hear_entry(ctx: CommandContext, _entry: Applied) -> None:
    reporter = ctx.scratch.get(SCRATCH_KEY)
    if reporter is not None:
        reporter._entry_recorded()


listen_to_entries(_hear_entry)
