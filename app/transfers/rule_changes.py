"""Changing a class's transfer rules: a new version on the log, and a report of the current
holdings the new rules would not allow (the change is made all the same)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.register import classes
from app.transfers import checks, rules
from app.transfers.requests import ChangeRules

if TYPE_CHECKING:
    from app.register.context import CommandContext


@dataclass(frozen=True)
class RulesChanged:
    class_code: str
    current: rules.Versioned
    log_index: int
    breaches: list[checks.Breach]


def change_rules(ctx: CommandContext, request: ChangeRules) -> RulesChanged:
    classes.get_class(ctx.session, ctx.issuer_id, request.class_code)
    rules.validate(request.rules)
    before = rules.current_rules(ctx.session, ctx.issuer_id, request.class_code)
    data = {
        "class": request.class_code,
        "version": str(before.version + 1),
        "rules": request.rules.as_data(),
    }
    entry = ctx.record("rules.changed", data)
    current = rules.current_rules(ctx.session, ctx.issuer_id, request.class_code)
    found = checks.breaches(ctx.session, ctx.issuer_id, request.class_code, current)
    return RulesChanged(request.class_code, current, entry.index, found)
