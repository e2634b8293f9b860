"""Substantial-holding notices and persons with significant control.

Importing the package installs the `notice.*` appliers and, on every command, an entry
listener and a finisher that records the command's threshold crossings before it is sealed
(the register does not import this package; the app imports it at start, see
`app.register_extensions`)."""

from app.notices.appliers import install_appliers
from app.notices.crossings import hear_entry, record_crossings
from app.register.context import finish_commands_with, listen_to_entries

install_appliers()
listen_to_entries(hear_entry)
finish_commands_with(record_crossings)
