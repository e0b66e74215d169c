from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openmash.accounts.actors import import_actor
from openmash.events.importing import ImportFailed, import_domestic_abuse
from openmash.organisations.models import OrganisationKind
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve


class Command(BaseCommand):
    help = (
        "Import records made elsewhere, keeping their real times. 'import domestic-abuse FILE --org FORCE' loads "
        "incidents from CSV or XLSX (columns in docs/import.md); a file with any error imports nothing."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        incidents = sub.add_parser("domestic-abuse", help="Domestic abuse incidents, one row per child")
        incidents.add_argument("file", type=Path, help="A .csv or .xlsx file")
        incidents.add_argument(
            "--org", required=True, help="The police force that recorded them: code or exact name"
        )

    def handle(self, *args, what, file, org, **options):
        try:
            force = organisation_resolve(org)
        except UnknownOrganisation as error:
            raise CommandError(str(error)) from error
        if force.kind != OrganisationKind.POLICE:
            raise CommandError(f"{force.name} is not a police force")
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        try:
            recorded = import_domestic_abuse(actor=import_actor(force), path=file)
        except ImportFailed as error:
            raise CommandError(f"Nothing was imported. {len(error.errors)} problem(s):\n{error}") from error
        shares = sum(len(item.shares) for item in recorded)
        self.stdout.write(f"Imported {len(recorded)} incident(s) from {file.name}, shared {shares} time(s).")
