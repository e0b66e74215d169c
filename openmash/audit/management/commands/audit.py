from django.core.management.base import BaseCommand, CommandError

from openmash.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Work with the audit trail. 'audit verify' checks every hash link and reports the first broken one."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Check the whole hash chain; exit 1 at the first broken link.")

    def handle(self, *args, **options):
        result = audit_verify()
        if result.ok:
            self.stdout.write(f"Audit trail intact: {result.checked} entries checked.")
            return
        raise CommandError(
            f"Audit trail broken at entry #{result.first_broken_sequence}: {result.problem} "
            f"({result.checked} entries before it are intact)."
        )
