"""Published verifier keys in the database, and key rotation as a logged, co-signed event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.ledger import keys, log, notes
from app.ledger.trust import ROTATION_KIND
from app.models.log import LogState, SigningKey


class KeyringError(RuntimeError):
    pass


def published_keys(session: Session) -> list[SigningKey]:
    return list(session.scalars(select(SigningKey).order_by(SigningKey.created_at)))


def verifiers(session: Session) -> list[notes.Verifier]:
    return [notes.parse_vkey(key.vkey) for key in published_keys(session)]


def _publish(session: Session, signer: notes.Signer, now: datetime) -> SigningKey:
    key = SigningKey(
        key_id=signer.key_id.hex(),
        name=signer.name,
        algorithm="ed25519",
        vkey=signer.vkey,
        status="active",
        created_at=now,
    )
    session.add(key)
    session.flush()
    return key


def publish_first_key(session: Session, signer: notes.Signer, now: datetime) -> None:
    """On a new database, publish the configured key. Any later key comes in by rotation."""
    if session.get(SigningKey, signer.key_id.hex()) is not None:
        return
    if session.scalar(select(SigningKey.key_id).limit(1)) is not None:
        raise KeyringError(
            f"the configured signing key {signer.key_id.hex()} is not the published one; "
            "keys change only through `flask keys rotate`"
        )
    try:
        with session.begin_nested():
            _publish(session, signer, now)
    except IntegrityError:
        # Several workers' first commands on a new database race to publish the same key.
        if session.get(SigningKey, signer.key_id.hex()) is None:
            raise


def rotate(
    session: Session, old: notes.Signer, new: notes.Signer, actor: str, now: datetime
) -> list[int]:
    """Record the rotation in every issuer's log, co-signed by both keys; retire the old key.

    The caller seals with both signers before committing, so the first checkpoint that
    contains the rotation carries both signatures. Returns the rotated issuers' new sizes.
    """
    current = session.get(SigningKey, old.key_id.hex())
    if current is None or current.status != "active":
        raise KeyringError(f"key {old.key_id.hex()} is not the active key")
    if session.get(SigningKey, new.key_id.hex()) is not None:
        raise KeyringError(f"key {new.key_id.hex()} is already published")
    record = keys.sign_rotation(old, new)
    _publish(session, new, now)
    issuer_ids = session.scalars(select(LogState.issuer_id).order_by(LogState.issuer_id))
    sizes = []
    for issuer_id in issuer_ids:
        entry = log.append(
            session, issuer_id, kind=ROTATION_KIND, actor=actor, data=record, recorded_at=now
        )
        sizes.append(entry.index + 1)
    return sizes


def retire(session: Session, signer: notes.Signer, now: datetime) -> None:
    key = session.get(SigningKey, signer.key_id.hex())
    if key is None:
        raise KeyringError(f"key {signer.key_id.hex()} is not published")
    key.status = "retired"
    key.retired_at = now
    session.flush()
