"""Signed checkpoints of the audit chain's head, one JSON line each, appended to a file outside the database.

A checkpoint says: at this time, the chain's entry #sequence had this hash, and entries were keyed from
#keyed_from. It is signed with HMAC-SHA256 under the audit key, over a text that begins with its own label
so that no entry hash can ever pass for a checkpoint's signature. Whoever can change the database but does
not hold the key cannot write one; whoever can only write the file cannot either (docs/decisions/0011).
"""

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

_LABEL = b"openmash audit checkpoint|"
_SIGNED = ("at", "entry_hash", "keyed_from", "sequence")


class CheckpointProblem(Exception):
    """The checkpoint file has a line that cannot be read or whose signature does not hold."""


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    entry_hash: str
    keyed_from: int
    at: str
    signature: str
    line: int = field(default=0, compare=False)  # in the file it was read from

    def __str__(self) -> str:
        return f"of {self.at} (line {self.line})" if self.line else f"of {self.at}"

    def text(self) -> str:
        """The checkpoint as one line of the file."""
        fields = {name: getattr(self, name) for name in (*_SIGNED, "signature")}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")) + "\n"


def _signature(key: bytes, *, sequence: int, entry_hash: str, keyed_from: int, at: str) -> str:
    fields = {"at": at, "entry_hash": entry_hash, "keyed_from": keyed_from, "sequence": sequence}
    text = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, _LABEL + text, hashlib.sha256).hexdigest()


def checkpoint_append(
    path: Path, *, key: bytes, sequence: int, entry_hash: str, keyed_from: int, at: datetime
) -> Checkpoint:
    """Sign a checkpoint and append it as one line. One ``write`` to a file opened with O_APPEND, so several
    workers appending at once never interleave their lines."""
    stamp = at.astimezone(UTC).isoformat(timespec="seconds")
    signature = _signature(key, sequence=sequence, entry_hash=entry_hash, keyed_from=keyed_from, at=stamp)
    checkpoint = Checkpoint(sequence, entry_hash, keyed_from, stamp, signature)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, checkpoint.text().encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return checkpoint


def _parsed(text: str, line: int) -> Checkpoint:
    fields = json.loads(text)
    if not isinstance(fields, dict):
        raise ValueError("not an object")
    return Checkpoint(
        sequence=int(fields["sequence"]),
        entry_hash=str(fields["entry_hash"]),
        keyed_from=int(fields["keyed_from"]),
        at=str(fields["at"]),
        signature=str(fields["signature"]),
        line=line,
    )


def checkpoints_read(path: Path, *, key: bytes) -> list[Checkpoint]:
    """Every checkpoint in the file, in order, each signature checked; none if there is no file yet. Raises
    ``CheckpointProblem`` naming the first line that cannot be read or is not signed with this key."""
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return []
    found = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            checkpoint = _parsed(text, number)
        except (ValueError, KeyError, TypeError) as error:
            raise CheckpointProblem(f"line {number} of {path} is not a checkpoint ({error})") from error
        expected = _signature(
            key,
            sequence=checkpoint.sequence,
            entry_hash=checkpoint.entry_hash,
            keyed_from=checkpoint.keyed_from,
            at=checkpoint.at,
        )
        if not hmac.compare_digest(expected, checkpoint.signature):
            raise CheckpointProblem(
                f"the checkpoint on line {number} of {path} (entry #{checkpoint.sequence}, {checkpoint.at}) "
                "has a bad signature: it was changed, or not written with this audit key"
            )
        found.append(checkpoint)
    return found


def checkpoint_last(path: Path) -> Checkpoint | None:
    """The file's last checkpoint, read from its end, signature not checked (only to tell whether the head
    has moved since); None if there is none or it cannot be read."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, os.SEEK_END)
            file.seek(max(0, size - 4096))
            tail = file.read().decode(errors="replace")
    except FileNotFoundError:
        return None
    lines = [text for text in tail.splitlines() if text.strip()]
    if not lines:
        return None
    try:
        return _parsed(lines[-1], 0)
    except (ValueError, KeyError, TypeError):
        return None
