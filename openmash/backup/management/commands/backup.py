from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openmash.backup.services import BackupRefused, backup_take, manifest_path


class Command(BaseCommand):
    help = (
        "Copy the embedded (SQLite) database to a file while the service runs, with SQLite's online backup: "
        "the copy is the database at one instant. The copy is checked (SQLite's integrity check) and a "
        "manifest is written beside it (<file>.manifest.json: when, the migrations applied, the audit chain's "
        "head, its checksum). On PostgreSQL it refuses and points to pg_dump (docs/deployment.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="The backup file to write")

    def handle(self, *args, out: Path, **options):
        try:
            manifest = backup_take(out=out)
        except BackupRefused as refused:
            raise CommandError(f"No backup taken: {refused}.") from refused
        self.stdout.write(
            f"Backup written to {out} ({manifest.bytes:,} bytes, integrity check {manifest.integrity_check}): "
            f"{len(manifest.migrations)} migrations applied, audit trail to entry "
            f"#{manifest.audit_chain_head.sequence}, {manifest.deliveries_waiting} deliveries waiting. "
            f"Manifest: {manifest_path(out)}. Keep the audit checkpoint file with it (docs/deployment.md)."
        )
