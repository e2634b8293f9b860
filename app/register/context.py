"""What one command works with: its transaction, the ledger, who acts, on which issuer, when.

`app.commands.command()` builds one `CommandContext` per command and owns its transaction;
services take it as their first argument, record entries through it and never commit.

Contexts above the register hear about a command without the register importing them: an
entry listener (`listen_to_entries`) is called for every entry a command records (not for
replay, which applies the log without commands), and a finisher (`finish_commands_with`) runs
once at the end of every command, before its logs are sealed, in the same transaction. The
notices context computes threshold crossings there; notifications write their outbox rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.ledger.log import Ledger
from app.models.issuer import Issuer
from app.register.issuers import lock_issuer
from app.register.projection import Applied, Applier, apply_entry

EntryListener = Callable[["CommandContext", Applied], None]
CommandFinisher = Callable[["CommandContext"], None]
_ENTRY_LISTENERS: list[EntryListener] = []
_FINISHERS: list[CommandFinisher] = []


def listen_to_entries(listener: EntryListener) -> None:
    """Call `listener(context, entry)` after each entry a command records (installed once)."""
    if listener not in _ENTRY_LISTENERS:
        _ENTRY_LISTENERS.append(listener)


def finish_commands_with(finisher: CommandFinisher) -> None:
    """Call `finisher(context)` at the end of every command, before sealing (installed once).
    A finisher may record entries of its own; listeners hear those too."""
    if finisher not in _FINISHERS:
        _FINISHERS.append(finisher)


@dataclass
class CommandContext:
    session: Session
    ledger: Ledger
    actor: str
    appliers: Mapping[str, Applier]
    # The issuer whose log this command has locked (None until a command registers one).
    issuer: Issuer | None = None
    # Per-command state kept by listeners and finishers, under their own context's name.
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.ledger.clock

    def today(self) -> date:
        return self.clock().date()

    @property
    def issuer_id(self) -> str:
        if self.issuer is None:
            raise RuntimeError("this command has not locked an issuer")
        return self.issuer.id

    def lock(self, issuer_id: str) -> Issuer:
        """Lock the issuer's log for this command (NotFound for an unknown issuer)."""
        self.issuer = lock_issuer(self.session, self.ledger, issuer_id)
        return self.issuer

    def record(
        self, kind: str, data: Mapping[str, Any], *, issuer_id: str | None = None
    ) -> Applied:
        """Append one entry to the issuer's log and apply it to the tables, in this command's
        transaction. `issuer_id` is given only by the command that registers the issuer."""
        target = issuer_id or self.issuer_id
        entry = self.ledger.append(self.session, target, kind, self.actor, data)
        applied = Applied(target, entry.index, entry.recorded_at, kind, data)
        apply_entry(self.appliers, self.session, applied)
        for listener in _ENTRY_LISTENERS:
            listener(self, applied)
        return applied

    def finish(self) -> None:
        """Run the installed finishers; `command()` calls this once, before sealing."""
        for finisher in _FINISHERS:
            finisher(self)
