"""What one command works with: its transaction, the ledger, who acts, on which issuer, when.

`app.commands.command()` builds one `CommandContext` per command and owns its transaction;
services take it as their first argument, record entries through it and never commit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.ledger.log import Ledger
from app.models.issuer import Issuer
from app.register.issuers import lock_issuer
from app.register.projection import Applied, Applier, apply_entry


@dataclass
class CommandContext:
    session: Session
    ledger: Ledger
    actor: str
    appliers: Mapping[str, Applier]
    # The issuer whose log this command has locked (None until a command registers one).
    issuer: Issuer | None = None

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
        return applied
