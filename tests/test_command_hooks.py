"""Contexts above the register hear each command's entries and finish each command, inside its
transaction, without the register importing them (app.register.context)."""

from __future__ import annotations

import pytest

from app.commands import command
from app.register import context as command_context
from app.register import holders
from app.register.errors import Refused
from tests.support.helpers import HOLDER_A, holder_request


@pytest.fixture
def heard(monkeypatch):
    """Install a listener and a finisher for one test; what they heard."""
    heard = {"entries": [], "finished": []}

    def listener(ctx, entry):
        ctx.scratch.setdefault("test", []).append(entry.kind)
        heard["entries"].append((entry.issuer_id, entry.index, entry.kind))

    def finisher(ctx):
        heard["finished"].append(list(ctx.scratch.get("test", [])))

    monkeypatch.setattr(command_context, "_ENTRY_LISTENERS", [])
    monkeypatch.setattr(command_context, "_FINISHERS", [])
    command_context.listen_to_entries(listener)
    command_context.finish_commands_with(finisher)
    command_context.listen_to_entries(listener)  # installing twice installs once
    return heard


def test_listeners_hear_every_entry_and_finishers_run_once_per_command(app, new_issuer, heard):
    issuer_id = new_issuer()["id"]
    heard["entries"].clear()  # what registering the issuer recorded
    heard["finished"].clear()
    with app.app_context(), command("user:test", issuer_id) as ctx:
        first = holders.register_holder(ctx, holder_request(HOLDER_A)).holder_id
        holders.register_holder(ctx, holder_request({**HOLDER_A, "identifier": "X-2"}))
    assert first
    kinds = [kind for _, _, kind in heard["entries"]]
    assert kinds == ["holder.registered", "holder.registered"]
    assert {issuer for issuer, _, _ in heard["entries"]} == {issuer_id}
    assert heard["finished"] == [kinds]


def test_a_refused_command_is_not_finished(app, new_issuer, heard):
    issuer_id = new_issuer()["id"]
    heard["entries"].clear()  # what registering the issuer recorded
    heard["finished"].clear()
    with pytest.raises(Refused), app.app_context(), command("user:test", issuer_id) as ctx:
        holders.register_holder(ctx, holder_request(HOLDER_A))
        raise Refused("test_refusal", "refused after the first entry")
    assert len(heard["entries"]) == 1
    assert heard["finished"] == []
