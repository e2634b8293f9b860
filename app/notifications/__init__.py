"""Notifications: a transactional outbox that the register's commands fill, and an SMTP
sender that empties it.

Importing the package installs an entry listener and a command finisher (the register does not
import this package; the app imports it at start, see `app.register_extensions`). Each entry a
command records is looked up in `events.EVENTS` and its messages are written as outbox rows at
once; the few whose message depends on what the rest of the command does (`AT_COMMAND_END`)
are kept in the command's scratch and written by the finisher. Both run in the command's own
transaction. Replay records no commands, so it writes no notifications.
"""

from app.notifications.events import AT_COMMAND_END
from app.notifications.outbox import queue_for_entry
from app.register.context import CommandContext, finish_commands_with, listen_to_entries
from app.register.projection import Applied

SCRATCH = "notifications"


def hear(ctx: CommandContext, entry: Applied) -> None:
    if entry.kind in AT_COMMAND_END:
        ctx.scratch.setdefault(SCRATCH, []).append(entry)
    else:
        queue_for_entry(ctx.session, entry)


def finish(ctx: CommandContext) -> None:
    for entry in ctx.scratch.pop(SCRATCH, []):
        queue_for_entry(ctx.session, entry, AT_COMMAND_END)


listen_to_entries(hear)
finish_commands_with(finish)
