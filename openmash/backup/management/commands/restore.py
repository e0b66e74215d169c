from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openmash.backup.services import BackupRefused, restore_from


class Command(BaseCommand):
    help = (
        "Restore the embedded (SQLite) database from a file written by 'openmash backup'. Refuses while an app "
        "server or worker has the database open (unless --force), checks the copy's integrity and checksum, "
        "refuses a copy from a newer OpenMASH and migrates one from an older, copies the database that was "
        "there aside, sets aside audit checkpoints for entries the backup does not hold, then verifies the "
        "restored audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The backup file (its .manifest.json beside it)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Write over the database even while other processes have it open (they then read the "
            "restored data; stop them if you can)",
        )

    def handle(self, *args, backup: Path, force: bool, **options):
        try:
            report = restore_from(backup=backup, force=force)
        except BackupRefused as refused:
            raise CommandError(f"Nothing restored: {refused}.") from refused
        taken = f", taken {report.taken_at}" if report.taken_at else ""
        self.stdout.write(
            f"Restored from {report.backup}{taken}: audit trail to entry #{report.audit_chain_head.sequence}."
        )
        if report.set_aside:
            self.stdout.write(f"The database that was there is kept at {report.set_aside}.")
        if report.migrations_run:
            self.stdout.write(
                f"{len(report.migrations_run)} migrations applied to bring it up to this version."
            )
        if report.checkpoints_lost:
            self.stdout.write(
                f"{report.checkpoints_lost} audit checkpoints named entries recorded after the backup, which are "
                f"lost with it: the checkpoint file as it was is kept at {report.checkpoints_set_aside}."
            )
        if report.leases_released:
            self.stdout.write(f"{report.leases_released} deliveries released for the workers to send again.")
        for note in report.notes:
            self.stdout.write(note + ".")
        verified = report.verified
        if verified is not None and not verified.ok:
            raise CommandError(f"Restored, but the audit trail does not verify: {verified.problem}.")
        if verified is not None:
            self.stdout.write(f"Audit trail intact: {verified.checked} entries checked.")
