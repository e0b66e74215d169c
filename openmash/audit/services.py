"""Appending to the audit trail and checking it."""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from openmash.audit.checkpoints import (
    Checkpoint,
    CheckpointProblem,
    checkpoint_append,
    checkpoint_last,
    checkpoints_read,
)
from openmash.audit.models import AuditChainHead, AuditEntry
from openmash.database import rows_insert

if TYPE_CHECKING:  # only named in annotations: the audit trail sits below the accounts that act
    from openmash.accounts.actors import Actor

GENESIS_HASH = "0" * 64


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@functools.lru_cache(maxsize=4)
def _keyed(key: bytes) -> hmac.HMAC:
    """HMAC-SHA256 with the audit key, the key already worked in: each entry hashes a ``.copy()`` of it."""
    return hmac.new(key, digestmod=hashlib.sha256)


def entry_hash(*, previous_hash: str, fields: dict[str, Any], keyed: bool = True) -> str:
    """The hash of one entry: its own fields, in a fixed form, chained to the previous hash, keyed with the
    audit key (``keyed=False``: plain SHA-256, as entries written before keyed hashes were)."""
    message = f"{previous_hash}|{_canonical(fields)}".encode()
    if not keyed:
        return hashlib.sha256(message).hexdigest()
    digest = _keyed(settings.AUDIT_KEY).copy()
    digest.update(message)
    return digest.hexdigest()


def _hashed_fields(entry: AuditEntry) -> dict[str, Any]:
    return {
        "sequence": entry.sequence,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "organisation_code": entry.organisation_code,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "person_id": str(entry.person_id) if entry.person_id else None,
        "reason": entry.reason,
        "detail": entry.detail,
    }


@dataclass(frozen=True)
class AuditInput:
    """One entry to append with ``audit_append``: the same fields ``audit_record`` takes."""

    action: str
    object_type: str
    object_id: object = ""
    person_id: uuid.UUID | None = None
    reason: str = ""
    detail: dict[str, Any] | None = None


def audit_record(
    *,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object = "",
    person_id: uuid.UUID | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. Call it inside the transaction of the change it records, as late as possible:
    the chain head stays locked until that transaction commits."""
    entry = AuditInput(action, object_type, object_id, person_id, reason, detail)
    return audit_append([(actor, entry)])[0]


def audit_append(entries: Sequence[tuple[Actor, AuditInput]]) -> list[AuditEntry]:
    """Append entries by any number of actors (events recorded together by several API clients) under one
    lock of the chain head, in the order given."""
    written = []
    for row in audit_chain(audit_entries(entries)):
        entry = AuditEntry(**dict(zip(_COLUMNS, row, strict=True)))
        entry._state.adding, entry._state.db = False, connection.alias  # as the database holds it
        written.append(entry)
    return written


# The columns of an entry known before the chain head is locked, in this order in PlannedEntry.values.
_PLANNED_NAMES = (
    "actor_id",
    "actor_label",
    "organisation_code",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "reason",
    "detail",
)
# Every column, in the order of the rows ``audit_chain`` writes and returns.
_COLUMNS = ("sequence", "at", *_PLANNED_NAMES, "previous_hash", "entry_hash")


@dataclass(frozen=True, slots=True)
class PlannedEntry:
    """An entry ready to chain: every column but the time, the sequence number and the hashes, which only
    the holder of the chain head may give (``audit_chain``), and its canonical form in two pieces that those
    go between. ``head`` + ``"at"`` + ``tail`` + ``"sequence"`` is exactly ``_canonical(_hashed_fields(...))``
    (its keys sorted: action, actor_id, actor_label | at | detail ... reason | sequence), so the lock is held
    only for a hash, not for writing JSON."""

    values: tuple[Any, ...]
    head: str
    tail: str


def audit_entries(entries: Sequence[tuple[Actor, AuditInput]]) -> list[PlannedEntry]:
    """Entries ready to chain (``audit_chain``), made before the lock is taken. The entries of one event
    share their actor and their detail, so each is put in canonical form once."""
    heads: dict[tuple[str, Any, str], str] = {}
    details: dict[int, tuple[dict[str, Any], str]] = {}
    planned = []
    for actor, item in entries:
        label = actor.label[:300]
        head = heads.get((item.action, actor.id, label))
        if head is None:
            head = heads[item.action, actor.id, label] = _canonical(
                {"action": item.action, "actor_id": actor.id, "actor_label": label}
            )[:-1]
        detail = details.get(id(item.detail))
        if detail is None:
            canonical = _canonical(item.detail or {})
            # Round-tripped through JSON so the hash is of exactly what the database will give back.
            detail = details[id(item.detail)] = (json.loads(canonical), canonical)
        object_id, reason = str(item.object_id or ""), item.reason[:300]
        values = (
            actor.id,
            label,
            actor.organisation_code,
            item.action,
            item.object_type,
            object_id,
            item.person_id,
            reason,
            detail[0],
        )
        rest = _canonical(
            {
                "object_id": object_id,
                "object_type": item.object_type,
                "organisation_code": actor.organisation_code,
                "person_id": str(item.person_id) if item.person_id else None,
                "reason": reason,
            }
        )
        planned.append(PlannedEntry(values=values, head=head, tail=f'"detail":{detail[1]},{rest[1:-1]}'))
    return planned


def audit_chain(planned: Sequence[PlannedEntry]) -> list[tuple[Any, ...]]:
    """Lock the chain head, then number, time, hash and insert the entries (from ``audit_entries``); the rows
    written, each: sequence, at, the planned values, previous hash, entry hash."""
    if not planned:
        return []
    keyed = _keyed(settings.AUDIT_KEY)
    # No savepoint of its own: the caller's transaction (or this one) rolls back the entries with the change.
    with transaction.atomic(savepoint=False):
        sequence, previous = _head_locked()
        at = timezone.now()
        stamp = f',"at":"{at.astimezone(UTC).isoformat(timespec="microseconds")}",'
        rows = []
        for entry in planned:
            sequence += 1
            hashing = keyed.copy()
            hashing.update(f'{previous}|{entry.head}{stamp}{entry.tail},"sequence":{sequence}}}'.encode())
            digest = hashing.hexdigest()
            rows.append((sequence, at, *entry.values, previous, digest))
            previous = digest
        rows_insert(AuditEntry, _COLUMNS, rows).run()
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE audit_auditchainhead SET last_sequence = %s, last_hash = %s WHERE id = 1",
                [sequence, previous],
            )
    return rows


def _head_locked() -> tuple[int, str]:
    """The chain head's sequence and hash, locked until the transaction ends (on SQLite the write lock taken
    at BEGIN already serialises appends). Written out: every recorded event passes here."""
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_sequence, last_hash FROM audit_auditchainhead WHERE id = 1{lock}")  # noqa: S608
        found = cursor.fetchone()
    if found is None:  # a new database: the head's first use
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        return head.last_sequence, head.last_hash
    return found[0], found[1]


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_broken_sequence: int | None
    problem: str
    checkpoints: int = 0
    newest_checkpoint: Checkpoint | None = None

    @property
    def ok(self) -> bool:
        return self.first_broken_sequence is None and not self.problem


def audit_verify(*, checkpoints: Path | None = None, batch_size: int = 5000) -> VerifyResult:
    """Walk the whole chain and report the first entry whose link or contents do not hold, or the first
    signed checkpoint (``settings.AUDIT_CHECKPOINTS`` unless given) the chain no longer agrees with."""
    path = settings.AUDIT_CHECKPOINTS if checkpoints is None else checkpoints
    try:
        recorded = checkpoints_read(path, key=settings.AUDIT_KEY)
    except CheckpointProblem as problem:
        return VerifyResult(0, None, str(problem))
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None and AuditEntry.objects.exists():
        return VerifyResult(0, 1, "the chain head is missing, so the end of the chain cannot be checked")
    keyed_from = head.keyed_from if head is not None else 1
    newest = max(recorded, key=lambda checkpoint: checkpoint.sequence, default=None)
    for checkpoint in recorded:
        if checkpoint.keyed_from != keyed_from:
            return VerifyResult(
                0,
                None,
                f"the chain head says entries are keyed from #{keyed_from}, but the checkpoint {checkpoint} "
                f"says from #{checkpoint.keyed_from}",
            )
    if keyed_from > 1 and not recorded:
        return VerifyResult(
            0,
            None,
            f"entries #1 to #{keyed_from - 1} were hashed before the audit key was used and no checkpoint "
            "vouches for them yet; run 'openmash audit checkpoint'",
        )
    expected_at: dict[int, list[Checkpoint]] = {}
    for checkpoint in recorded:
        expected_at.setdefault(checkpoint.sequence, []).append(checkpoint)

    def broken(checked: int, sequence: int | None, problem: str) -> VerifyResult:
        return VerifyResult(checked, sequence, problem, len(recorded), newest)

    previous_hash = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    last_sequence = 0
    entries = AuditEntry.objects.order_by("sequence").iterator(chunk_size=batch_size)
    for entry in entries:
        if entry.sequence != expected_sequence:
            return broken(checked, expected_sequence, f"entry #{expected_sequence} is missing")
        if entry.previous_hash != previous_hash:
            return broken(checked, entry.sequence, f"entry #{entry.sequence} does not link to the one before")
        fields = _hashed_fields(entry)
        if entry_hash(previous_hash=previous_hash, fields=fields, keyed=entry.sequence >= keyed_from) != (
            entry.entry_hash
        ):
            return broken(
                checked,
                entry.sequence,
                f"entry #{entry.sequence} was changed after it was written, or written without the audit key",
            )
        for checkpoint in expected_at.get(entry.sequence, ()):
            if checkpoint.entry_hash != entry.entry_hash:
                return broken(
                    checked,
                    entry.sequence,
                    f"the chain up to entry #{entry.sequence} was rewritten: it no longer has the hash "
                    f"the checkpoint {checkpoint} recorded",
                )
        previous_hash = entry.entry_hash
        expected_sequence += 1
        last_sequence = entry.sequence
        checked += 1
    if head is not None and (head.last_sequence != last_sequence or head.last_hash != previous_hash):
        return broken(
            checked,
            last_sequence + 1,
            f"entries after #{last_sequence} are missing (the head names #{head.last_sequence})",
        )
    if newest is not None and newest.sequence > last_sequence:
        return broken(
            checked,
            last_sequence + 1,
            f"entries after #{last_sequence} are missing (the checkpoint {newest} recorded "
            f"#{newest.sequence})",
        )
    return VerifyResult(checked, None, "", len(recorded), newest)


def audit_checkpoint(*, path: Path | None = None) -> tuple[Checkpoint | None, bool]:
    """Sign the chain head's sequence number and hash and append them to the checkpoint file, unless the
    newest checkpoint there already names them. The checkpoint now standing and whether it was written."""
    path = settings.AUDIT_CHECKPOINTS if path is None else path
    head = AuditChainHead.objects.filter(id=1).first()
    if head is None or head.last_sequence == 0:
        return None, False
    last = checkpoint_last(path)
    if last is not None and (last.sequence, last.entry_hash, last.keyed_from) == (
        head.last_sequence,
        head.last_hash,
        head.keyed_from,
    ):
        return last, False
    return (
        checkpoint_append(
            path,
            key=settings.AUDIT_KEY,
            sequence=head.last_sequence,
            entry_hash=head.last_hash,
            keyed_from=head.keyed_from,
            at=timezone.now(),
        ),
        True,
    )
