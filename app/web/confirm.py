"""Running one command from a page and confirming it: the page the browser lands on after any
command names the log entry it recorded and shows its proof (the entry page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, url_for

from app.commands import command
from app.ledger import log

# What an investor's confirmation adds: investors do not open the log's entry pages, but they
# can check every entry about them on their own page, in their browser.
RECORDED_AS = "It is log entry {index:,}; check it under “Check my entries on the log” below."


def run_and_confirm(
    actor: str,
    issuer_id: str,
    service: Callable[[Any, Any], Any],
    request: Any,
    done: str,
    then: str | None = None,
):
    """Run `service(ctx, request)` as one command, then go to its first log entry's page,
    which offers `then` (a local path) to continue. Domain errors propagate to the caller,
    which shows them next to the field they concern."""
    index = run_command(actor, issuer_id, service, request)
    flash(f"{done}: log entry {index:,}.", "ok")
    return redirect(url_for("entries.entry", issuer_id=issuer_id, index=index, then=then))


def run_command(
    actor: str, issuer_id: str, service: Callable[[Any, Any], Any], request: Any
) -> int:
    """Run `service(ctx, request)` as one command; the log index of the first entry it
    recorded, for the confirmation to name."""
    with command(actor, issuer_id) as ctx:
        # The first entry this command records is at the log's size before it.
        index = log.signed_size(ctx.session, issuer_id)
        service(ctx, request)
    return index


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (a crafted link cannot send the user
    elsewhere)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 32 for char in target):
        return None
    return target
