"""Backing up and restoring the embedded database (SQLite), each copy checked and described by a manifest.

A backup uses SQLite's online backup API in one step: it reads the database inside one read transaction, so
the copy is the database as it stood at one instant, while the service goes on recording (in WAL mode a
reader never blocks a writer, nor a writer a reader). Copying the file with ``cp`` while the service runs can
give a copy that is not a database at all: the newest commits are in the ``-wal`` file beside it.

A restore writes the copy into the configured database through the same API, refuses while other
connections have that database open (unless forced), refuses a copy taken by a newer OpenMASH, and migrates
a copy taken by an older one. What it cannot give back is what was recorded after the backup: the audit
trail's signed checkpoints (kept outside the database, docs/decisions/0011) then name entries the restored
chain no longer has, so they are set aside in a file of their own, for the record, and the restore says so.

PostgreSQL is backed up with its own tools (pg_dump, or base backups with WAL archiving); docs/deployment.md.
"""

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from openmash.accounts.actors import system_actor
from openmash.audit.checkpoints import CheckpointProblem, checkpoints_read
from openmash.audit.models import AuditAction, AuditChainHead
from openmash.audit.services import VerifyResult, audit_record, audit_verify
from openmash.database import write_transaction
from openmash.sharing.models import Delivery, DeliveryStatus

MANIFEST_FORMAT = "openmash-backup/1"
POSTGRESQL_REFUSAL = (
    "This OpenMASH uses PostgreSQL (DATABASE_URL): back it up with PostgreSQL's own tools, "
    "pg_dump -Fc for a copy and pg_restore to bring it back, and base backups with WAL archiving for "
    "point-in-time recovery. docs/deployment.md ('Backing up and restoring') gives the exact commands, "
    "including the audit checkpoints to keep with each backup."
)


class BackupRefused(Exception):
    """The backup or restore was not done, for the reason given (nothing was changed)."""


@dataclass(frozen=True)
class ChainHead:
    sequence: int
    entry_hash: str
    keyed_from: int


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, written beside it as ``<backup>.manifest.json``."""

    format: str
    taken_at: str
    source: str
    file: str
    bytes: int
    sha256: str
    sqlite_version: str
    integrity_check: str
    migrations: list[str]  # "app.name", in the order they were applied
    audit_chain_head: ChainHead
    deliveries_waiting: int  # pending when the copy was taken: the restored database's workers send them

    def text(self) -> str:
        return json.dumps(asdict(self), indent=2) + "\n"


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def _source_path() -> Path:
    if connection.vendor != "sqlite":
        raise BackupRefused(POSTGRESQL_REFUSAL)
    return Path(connection.settings_dict["NAME"])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _integrity(db: sqlite3.Connection) -> str:
    """SQLite's full check of every page and index: "ok", or the problems it found."""
    rows = db.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows)


def _migrations(db: sqlite3.Connection) -> list[str]:
    return [
        f"{app}.{name}" for app, name in db.execute("SELECT app, name FROM django_migrations ORDER BY id")
    ]


def _chain_head(db: sqlite3.Connection) -> ChainHead:
    row = db.execute(
        f"SELECT last_sequence, last_hash, keyed_from FROM {AuditChainHead._meta.db_table} WHERE id = 1"  # noqa: S608
    ).fetchone()
    return ChainHead(*row) if row else ChainHead(0, "0" * 64, 1)


def _waiting(db: sqlite3.Connection) -> int:
    return db.execute(
        f"SELECT count(*) FROM {Delivery._meta.db_table} WHERE status = ?",  # noqa: S608
        [DeliveryStatus.PENDING.value],
    ).fetchone()[0]


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backup_take(*, out: Path) -> Manifest:
    """Copy the embedded database to ``out`` while the service runs, check the copy, and write its manifest
    beside it. The copy is written under a temporary name and renamed only once checked, so ``out`` is never
    a half-written database. Audited as an export of everything held."""
    source = _source_path()
    out = out.resolve()
    if out == source.resolve():
        raise BackupRefused("The backup file cannot be the database itself: choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    taken_at = timezone.now()
    with closing(sqlite3.connect(source, timeout=30)) as live, closing(sqlite3.connect(partial)) as copy:
        # pages=-1 (the default): every page in one step, inside one read transaction of the live database,
        # so the copy is one instant's state. A copy in several steps restarts whenever the service commits,
        # and under steady recording might never finish.
        live.backup(copy)
        # One self-contained file: a copy in WAL mode would want its -wal beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        checked = _integrity(copy)
        if checked != "ok":
            raise BackupRefused(
                f"The copy failed SQLite's integrity check ({checked}); no backup was written"
            )
        migrations, head, waiting = _migrations(copy), _chain_head(copy), _waiting(copy)
    _fsync(partial)
    partial.replace(out)
    manifest = Manifest(
        format=MANIFEST_FORMAT,
        taken_at=taken_at.isoformat(timespec="seconds"),
        source=str(source),
        file=out.name,
        bytes=out.stat().st_size,
        sha256=_sha256(out),
        sqlite_version=sqlite3.sqlite_version,
        integrity_check=checked,
        migrations=migrations,
        audit_chain_head=head,
        deliveries_waiting=waiting,
    )
    manifest_path(out).write_text(manifest.text())
    with write_transaction():
        audit_record(
            actor=system_actor(),
            action=AuditAction.EXPORT,
            object_type="database-backup",
            object_id=manifest.sha256[:16],
            reason="openmash backup",
            detail={"file": str(out), "sha256": manifest.sha256, "audit_head": head.sequence},
        )
    return manifest


@dataclass
class RestoreReport:
    backup: Path
    taken_at: str | None  # from the manifest, if there was one
    migrations_run: list[str]
    audit_chain_head: ChainHead
    set_aside: Path | None  # the database that was there before, copied aside
    checkpoints_set_aside: Path | None  # checkpoints naming entries recorded after the backup
    checkpoints_lost: int
    leases_released: int
    verified: VerifyResult | None = None
    notes: list[str] = field(default_factory=list)


def _read_manifest(backup: Path) -> dict | None:
    path = manifest_path(backup)
    if not path.exists():
        return None
    try:
        found = json.loads(path.read_text())
    except ValueError as error:
        raise BackupRefused(f"The manifest {path} cannot be read ({error})") from error
    if not isinstance(found, dict) or found.get("format") != MANIFEST_FORMAT:
        raise BackupRefused(f"{path} is not an OpenMASH backup manifest")
    return found


def _known_migrations() -> set[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _backup_checked(backup: Path) -> tuple[dict | None, list[str], ChainHead]:
    """The backup's manifest, migrations and chain head, after checking it is whole and ours to restore."""
    if not backup.is_file():
        raise BackupRefused(f"There is no backup file at {backup}")
    manifest = _read_manifest(backup)
    if manifest is not None and manifest.get("sha256") != _sha256(backup):
        raise BackupRefused(
            f"{backup} does not match its manifest's checksum: it was changed or cut short since it was taken"
        )
    try:
        with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as db:
            checked = _integrity(db)
            if checked != "ok":
                raise BackupRefused(f"{backup} fails SQLite's integrity check ({checked})")
            migrations, head = _migrations(db), _chain_head(db)
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{backup} is not an OpenMASH database ({error})") from error
    newer = sorted(set(migrations) - _known_migrations())
    if newer:
        raise BackupRefused(
            "The backup was taken by a newer version of OpenMASH: this version does not have the migrations "
            + ", ".join(newer[:5])
            + (" and more" if len(newer) > 5 else "")
            + ". Install the version that took it, then restore"
        )
    return manifest, migrations, head


@contextmanager
def _target(path: Path, *, force: bool) -> Iterator[sqlite3.Connection]:
    """The configured database, opened to be written whole. Unless forced, held in SQLite's exclusive mode:
    in WAL mode that is refused while any other connection (a running app server or worker) has the database
    open, and once taken it keeps every other connection out until the restore is done."""
    db = sqlite3.connect(path, timeout=0.5 if not force else 30, isolation_level=None)
    try:
        if not force:
            db.execute("PRAGMA locking_mode=EXCLUSIVE")
            try:
                db.execute("BEGIN EXCLUSIVE")
                db.execute("COMMIT")
            except sqlite3.OperationalError as error:
                raise BackupRefused(
                    f"The database {path} is in use (another process has it open: an app server or a "
                    "worker). Stop the service and the workers, then restore; or restore with --force to "
                    "write over it while they run"
                ) from error
        yield db
    finally:
        db.close()


def _has_tables(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0


def _checkpoints_trimmed(head: ChainHead, stamp: str) -> tuple[Path | None, int]:
    """Set aside the checkpoint file if it names entries past the restored chain's head, keeping in a new
    file only the checkpoints the restored chain can still be checked against. New entries will take those
    sequence numbers with other hashes, so the old checkpoints could never agree with them again."""
    path = Path(settings.AUDIT_CHECKPOINTS)
    if not path.exists():
        return None, 0
    try:
        found = checkpoints_read(path, key=settings.AUDIT_KEY)
    except CheckpointProblem:
        found = None  # not one we can trust any line of: set all of it aside
    kept = [checkpoint for checkpoint in found or [] if checkpoint.sequence <= head.sequence]
    lost = len(found) - len(kept) if found is not None else 0
    if found is not None and lost == 0:
        return None, 0
    aside = path.with_name(f"{path.name}.before-restore-{stamp}")
    path.replace(aside)
    path.write_text("".join(checkpoint.text() for checkpoint in kept))
    return aside, lost


def restore_from(*, backup: Path, force: bool = False) -> RestoreReport:
    """Write a backup into the configured embedded database, bring its schema up to this version, and check
    the restored audit trail. The database that was there is first copied aside beside it."""
    target = _source_path()
    backup = backup.resolve()
    if backup == target.resolve():
        raise BackupRefused("The backup file is the database itself: name the backup to restore from")
    manifest, migrations, head = _backup_checked(backup)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    connection.close()  # this process's own connection must not hold the database open
    set_aside = None
    with (
        _target(target, force=force) as db,
        closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as src,
    ):
        if _has_tables(db):
            set_aside = target.with_name(f"{target.name}.before-restore-{stamp}")
            with closing(sqlite3.connect(set_aside)) as aside:
                db.backup(aside)
        src.backup(db)
        checked = _integrity(db)
        if checked != "ok":
            raise BackupRefused(f"The restored database fails SQLite's integrity check ({checked})")
    known = _known_migrations()
    to_run = sorted(known - set(migrations))
    if to_run:
        call_command("migrate", interactive=False, verbosity=0)
    checkpoints_aside, lost = _checkpoints_trimmed(head, stamp)
    with write_transaction():
        # The workers that held these leases belonged to the database before: let the first worker of the
        # restored one send them at once. Each is sent with its own message id (webhook-id), so a receiver
        # that got one just before the loss can tell it has it already.
        released = Delivery.objects.filter(status=DeliveryStatus.PENDING, lease_until__isnull=False).update(
            lease_until=None, leased_by=""
        )
        audit_record(
            actor=system_actor(),
            action=AuditAction.UPDATE,
            object_type="database-restore",
            object_id=(manifest or {}).get("sha256", "")[:16],
            reason="openmash restore",
            detail={
                "file": str(backup),
                "taken_at": (manifest or {}).get("taken_at"),
                "audit_head_at_backup": head.sequence,
                "migrations_run": len(to_run),
                "checkpoints_lost": lost,
                "leases_released": released,
            },
        )
    report = RestoreReport(
        backup=backup,
        taken_at=(manifest or {}).get("taken_at"),
        migrations_run=to_run,
        audit_chain_head=head,
        set_aside=set_aside,
        checkpoints_set_aside=checkpoints_aside,
        checkpoints_lost=lost,
        leases_released=released,
    )
    if manifest is None:
        report.notes.append("The backup had no manifest beside it: its checksum could not be compared")
    report.verified = audit_verify()
    return report
