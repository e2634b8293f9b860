"""Which keys a verifier trusts: the keys the user pinned, and keys reached from them through
`key.rotated` entries whose rotation record a trusted key signed. Keys that come with the data
being checked (a bundle's header, the database's key table) prove only that the data agrees
with itself, and every report says so."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.ledger import keys, notes

ROTATION_KIND = "key.rotated"

SELF_CONSISTENCY_WARNING = (
    "WARNING: NO KEY PINNED. Only self-consistency was checked: the signatures were checked "
    "with keys that came with the data ({source}), so whoever produced the data could have "
    "signed it with a key of their own. Pin the log's key with --vkey or --vkey-file (fetch it "
    "once from GET /api/v1/log/keys and keep it apart from the data) to check that this is the "
    "log you trust."
)


def banner(warning: str) -> str:
    """The warning framed so that it cannot be missed in a terminal."""
    rule = "!" * 78
    return f"{rule}\n{textwrap.fill(warning, 78)}\n{rule}"


class TrustError(ValueError):
    """A pinned key or a kept checkpoint that cannot be read."""


def _key(verifier: notes.Verifier) -> tuple[str, bytes]:
    return verifier.name, verifier.key_id


def _short(verifier: notes.Verifier) -> str:
    return f"{verifier.name}+{verifier.key_id.hex()}"


@dataclass
class Trust:
    """The keys a verifier trusts while it walks a log in order.

    A rotation retires its old key: the old key still counts for the checkpoint that first
    covers the rotation (the command that rotated seals with both keys), not for later ones."""

    pinned: bool
    source: str  # where the keys came from, for the self-consistency warning
    trusted: dict[tuple[str, bytes], notes.Verifier] = field(default_factory=dict)
    how: dict[tuple[str, bytes], str] = field(default_factory=dict)
    retiring: list[tuple[notes.Verifier, int]] = field(default_factory=list)
    retired: dict[tuple[str, bytes], int] = field(default_factory=dict)
    unfollowed: list[str] = field(default_factory=list)
    used: set[tuple[str, bytes]] = field(default_factory=set)

    @classmethod
    def pinned_keys(cls, verifiers: Iterable[notes.Verifier]) -> Trust:
        trust = cls(pinned=True, source="pinned")
        for verifier in verifiers:
            trust._add(verifier, "pinned")
        return trust

    @classmethod
    def self_consistency(cls, verifiers: Iterable[notes.Verifier], source: str) -> Trust:
        trust = cls(pinned=False, source=source)
        for verifier in verifiers:
            trust._add(verifier, f"came with the data: {source}")
        return trust

    @classmethod
    def choose(
        cls, pinned: Sequence[notes.Verifier], shipped: Iterable[notes.Verifier], source: str
    ) -> Trust:
        """The pinned keys when there are any, else the keys that came with the data."""
        if pinned:
            return cls.pinned_keys(pinned)
        return cls.self_consistency(shipped, source)

    def _add(self, verifier: notes.Verifier, how: str) -> None:
        self.trusted.setdefault(_key(verifier), verifier)
        self.how.setdefault(_key(verifier), how)

    @property
    def warning(self) -> str | None:
        return None if self.pinned else SELF_CONSISTENCY_WARNING.format(source=self.source)

    def follow_rotation(self, index: int, record: Mapping[str, Any]) -> None:
        """Trust the new key of a rotation whose old key is trusted and whose record both keys
        signed; otherwise remember why not, for the message if a checkpoint then fails."""
        try:
            keys.verify_rotation(record)
            old = notes.parse_vkey(str(record["old_vkey"]))
            new = notes.parse_vkey(str(record["new_vkey"]))
        except (keys.SigningKeyError, notes.NoteError) as error:
            self.unfollowed.append(f"the rotation at index {index} was not followed: {error}")
            return
        if self.trusted.get(_key(old)) != old or _key(old) in self.retired:
            self.unfollowed.append(
                f"the rotation at index {index} to {_short(new)} was not followed: its old key "
                f"{_short(old)} is not one you trust"
            )
            return
        self._add(new, f"reached from {_short(old)} by the rotation at index {index}")
        self.retiring.append((old, index))

    def active(self) -> list[notes.Verifier]:
        return [v for key, v in self.trusted.items() if key not in self.retired]

    def open(self, note: str, what: str) -> notes.OpenedNote:
        """Check a note against the keys trusted now; NoteError in words when none signed it."""
        try:
            opened = notes.open_note(note, self.active())
        except notes.UntrustedNote:
            raise notes.UntrustedNote(self._untrusted(note, what)) from None
        self.used.update(_key(v) for v in opened.verified_by)
        return opened

    def _untrusted(self, note: str, what: str) -> str:
        try:
            signers = ", ".join(notes.signer_ids(note)) or "nobody"
        except notes.NoteError:
            signers = "nobody"
        whose = "you pinned" if self.pinned else "that came with the data"
        trusted = ", ".join(_short(v) for v in self.active()) or "none"
        message = f"{what} is signed by no key {whose} (signed by {signers}; trusted: {trusted})"
        retired = [
            f"{name}+{kid.hex()} was retired by the rotation at index {index}"
            for (name, kid), index in self.retired.items()
        ]
        return "; ".join([message, *retired, *self.unfollowed])

    def checkpoint_verified(self, size: int) -> None:
        """A checkpoint of `size` verified: rotations it covers retire their old keys."""
        still = []
        for old, index in self.retiring:
            if index < size:
                self.retired[_key(old)] = index
            else:
                still.append((old, index))
        self.retiring = still

    def signers(self) -> list[str]:
        """Each key that verified a checkpoint, and why it is trusted."""
        return [f"{_short(self.trusted[key])} ({self.how[key]})" for key in sorted(self.used)]


# --- what the user brings: pinned keys and kept checkpoints ---------------------------------


def load_pinned(vkeys: Sequence[str], files: Sequence[Path]) -> list[notes.Verifier]:
    """The verifiers of --vkey texts and of --vkey-file files (one vkey a line, # comments)."""
    found = []
    for text in vkeys:
        try:
            found.append(notes.parse_vkey(text.strip()))
        except notes.NoteError as error:
            raise TrustError(f"--vkey {text!r}: {error}") from None
    for path in files:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as error:
            raise TrustError(f"cannot read {path}: {error}") from None
        for number, line in enumerate(lines, start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            try:
                found.append(notes.parse_vkey(line))
            except notes.NoteError as error:
                raise TrustError(f"{path} line {number}: {error}") from None
    return found


@dataclass(frozen=True)
class KeptCheckpoint:
    """A signed checkpoint the user kept from before; its signature is checked when used."""

    source: str
    note: str
    checkpoint: notes.Checkpoint

    @property
    def what(self) -> str:
        return f"the checkpoint you kept ({self.source}, size {self.checkpoint.size})"


def kept_checkpoint(source: str, note: str) -> KeptCheckpoint:
    try:
        checkpoint = notes.parse_checkpoint(notes.unverified_text(note))
    except notes.NoteError as error:
        raise TrustError(f"{source} is not a signed checkpoint: {error}") from None
    return KeptCheckpoint(source, note, checkpoint)


def load_kept(paths: Sequence[Path]) -> list[KeptCheckpoint]:
    kept = []
    for path in paths:
        try:
            note = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise TrustError(f"cannot read {path}: {error}") from None
        kept.append(kept_checkpoint(str(path), note))
    return kept
