"""Builders for the log verification tests: a grown register, its bundle, its real key, and a
forger who rewrites a leaf, recomputes the tree and re-signs every checkpoint with a key of
their own."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from app.commands import command, load_signer
from app.ledger import keys, merkle, notes
from app.ledger.canonical import canonical_bytes
from app.register import classes, holders, issuance
from tests.support.helpers import (
    ACTOR,
    HOLDER_A,
    HOLDER_B,
    class_request,
    holder_request,
    issue_request,
    submit,
    transfer_request,
)


def grow_register(app, issuer_id: str) -> list[str]:
    """40 entries over 14 commands: the issuer's registration; a class and two holders; then
    twelve batches of three allocations. Returns the two holder ids."""
    with app.app_context():
        with command(ACTOR, issuer_id) as ctx:
            classes.create_class(ctx, class_request())
            holder_ids = [
                holders.register_holder(ctx, holder_request(details)).holder_id
                for details in (HOLDER_A, HOLDER_B)
            ]
        for batch in range(12):
            request = issue_request(*((holder_ids[n % 2], batch + n + 1) for n in range(3)))
            submit(issuer_id, issuance.issue_shares, request)
    return holder_ids


def transfer(app, issuer_id: str, source: str, target: str, quantity: int) -> None:
    from app.register import transfers

    with app.app_context():
        submit(issuer_id, transfers.lodge_transfer, transfer_request(source, target, quantity))


def export(runner, issuer_id: str, path: Path) -> list[str]:
    result = runner.invoke(args=["log", "export", "--issuer", issuer_id, "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_text().splitlines()


def real_signer(app) -> notes.Signer:
    return load_signer(app)


def fresh_signer(name: str) -> notes.Signer:
    return notes.Signer(name, keys.generate_key())


def resign(note: str, signer: notes.Signer, **changes) -> str:
    """The note's checkpoint, with `changes` (origin, size, root), signed by `signer` alone."""
    checkpoint = notes.parse_checkpoint(notes.unverified_text(note))
    fields = {
        "origin": checkpoint.origin,
        "size": checkpoint.size,
        "root": checkpoint.root,
        "extensions": checkpoint.extensions,
        **changes,
    }
    return notes.sign_note(notes.format_checkpoint(notes.Checkpoint(**fields)), [signer])


def forge_bundle(lines: list[str], kind: str, change, signer: notes.Signer) -> list[str]:
    """Rewrite the first leaf of `kind` with `change(data)`, recompute the tree, re-sign every
    checkpoint with `signer`, and put its key in the header in place of the real ones."""
    header = json.loads(lines[0])
    header["vkeys"] = [signer.vkey]
    out, frontier, rewritten = [json.dumps(header)], [], False
    for line in lines[1:]:
        record = json.loads(line)
        if record["type"] == "leaf":
            leaf = base64.b64decode(record["leaf"])
            envelope = json.loads(leaf)
            if envelope["kind"] == kind and not rewritten:
                change(envelope["data"])
                leaf, rewritten = canonical_bytes(envelope), True
                record["leaf"] = base64.b64encode(leaf).decode()
            frontier, _ = merkle.frontier_append(frontier, record["index"], merkle.leaf_hash(leaf))
        else:
            root = merkle.frontier_root(frontier)
            record["note"] = resign(record["note"], signer, root=root)
        out.append(json.dumps(record))
    assert rewritten, f"no {kind} leaf to rewrite"
    return out


def build_receipt(app, issuer_id: str, holder_id: str, vkey: str) -> dict:
    """A receipt as the investor page writes it: the holder's leaves under the latest
    checkpoint, each with its inclusion proof, and the balances the page showed."""
    from app.extensions import db
    from app.ledger import log
    from app.register import holder_entries, queries

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    with app.app_context():
        session = db.session
        checkpoint = log.latest_checkpoint(session, issuer_id)
        size = checkpoint.tree_size
        holder, _ = queries.holder_with_details(session, issuer_id, holder_id)
        indexes = [i for i in holder_entries.entry_indexes(session, holder) if i < size]
        entries = []
        for index in indexes:
            (entry,) = log.read_entries(session, issuer_id, index, index + 1)
            proof = log.inclusion_proof(session, issuer_id, index, size)
            nodes = [b64(node) for node in proof]
            entries.append({"index": index, "leaf": b64(entry.leaf), "proof": nodes})
        balances = {
            version.class_code: str(version.held)
            for version in queries.current_holdings(session, issuer_id, holder_id)
        }
        return {
            "format": "shareledger-receipt/1",
            "origin": log.get_state(session, issuer_id).origin,
            "issuer_id": issuer_id,
            "holder_id": holder_id,
            "checkpoint": checkpoint.note,
            "vkey": vkey,
            "indexes": indexes,
            "entries": entries,
            "balances": balances,
        }
