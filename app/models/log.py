"""The verifiable log's tables. Leaves, nodes and checkpoints are append-only (database triggers
refuse UPDATE and DELETE, see migrations); only the per-issuer state row moves forward."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

ISSUER_ID = String(36)


class LogState(Base):
    """Head of one issuer's log: its size, root and right-hand frontier (locked to append)."""

    __tablename__ = "log_states"

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    origin: Mapped[str] = mapped_column(String(255), unique=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, default=0)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    # Concatenated 32-byte hashes of the perfect subtrees of the tree's binary decomposition,
    # largest first: all an append needs to compute the next root.
    frontier: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    checkpoint_size: Mapped[int] = mapped_column(BigInteger, default=0)


class LogLeaf(Base):
    __tablename__ = "log_leaves"

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    index: Mapped[int] = mapped_column("idx", BigInteger, primary_key=True, autoincrement=False)
    leaf: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogNode(Base):
    """A completed perfect subtree of level >= 1 (level 0 hashes live in log_leaves)."""

    __tablename__ = "log_nodes"

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column("idx", BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogCheckpoint(Base):
    __tablename__ = "log_checkpoints"
    # "As of a timestamp" finds the last checkpoint signed at or before it.
    __table_args__ = (Index("ix_log_checkpoints_issuer_id_created_at", "issuer_id", "created_at"),)

    issuer_id: Mapped[str] = mapped_column(ISSUER_ID, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SigningKey(Base):
    """A published verifier key. Private keys never enter the database."""

    __tablename__ = "signing_keys"

    key_id: Mapped[str] = mapped_column(String(8), primary_key=True)  # hex of the 4-byte id
    name: Mapped[str] = mapped_column(String(255))
    algorithm: Mapped[str] = mapped_column(String(16), default="ed25519")
    vkey: Mapped[str] = mapped_column(Text, unique=True)
    status: Mapped[str] = mapped_column(String(16))  # active | retired
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
