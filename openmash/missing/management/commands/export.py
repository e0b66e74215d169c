from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openmash.missing.exports import ssda903_missing
from openmash.organisations.models import OrganisationKind
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve


class Command(BaseCommand):
    help = (
        "Export data inspectors and the DfE ask for. 'export ssda903-missing --council CODE --year YYYY --out DIR' "
        "writes header.csv, episodes.csv and missing.csv of the looked-after children return (SSDA903) for the "
        "council's looked-after children with missing or away episodes in the collection year starting 1 April "
        "YYYY (dates DD/MM/YYYY)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        ssda = sub.add_parser(
            "ssda903-missing", help="The missing-episode files of the looked-after children return"
        )
        ssda.add_argument("--council", required=True, help="The responsible council: GSS code or exact name")
        ssda.add_argument("--year", required=True, type=int, help="The year the collection starts (1 April)")
        ssda.add_argument("--out", required=True, type=Path, help="The directory to write the three files to")

    def handle(self, *args, what, council, year, out, **options):
        try:
            organisation = organisation_resolve(council)
        except UnknownOrganisation as error:
            raise CommandError(str(error)) from error
        if organisation.kind != OrganisationKind.COUNCIL:
            raise CommandError(f"{organisation.name} is not a council")
        if not 2000 <= year <= 2100:
            raise CommandError("Give the year the collection starts, like 2026")
        written = ssda903_missing(council=organisation, year=year, out=out)
        for name, rows in written.items():
            self.stdout.write(f"{out / name}: {rows} {'row' if rows == 1 else 'rows'}")
