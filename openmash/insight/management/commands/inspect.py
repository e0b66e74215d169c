import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from openmash.insight.measures import Period, area_measures, areas_measures
from openmash.insight.report import html_report, pdf_report
from openmash.lib.replica import replica_reads
from openmash.organisations.models import Nation, Organisation, OrganisationKind
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date: give it as YYYY-MM-DD, like 2016-03-31") from error


def _council(text: str) -> Organisation:
    # "Bury" names a council and may name other bodies too: a council of that name is meant.
    council = Organisation.objects.filter(kind=OrganisationKind.COUNCIL, name__iexact=text.strip()).first()
    if council is not None:
        return council
    try:
        organisation = organisation_resolve(text)
    except UnknownOrganisation as error:
        raise CommandError(str(error)) from error
    if organisation.kind != OrganisationKind.COUNCIL:
        raise CommandError(f"{organisation.name} is not a council: give a council area's code or name")
    return organisation


# ``--area all``: every English council area (issue 16: "all 153 English areas"), read at once.
ALL = "all"


def _english_councils() -> list[Organisation]:
    return list(
        Organisation.objects.filter(kind=OrganisationKind.COUNCIL, nation=Nation.ENGLAND).order_by("code")
    )


class Command(BaseCommand):
    help = (
        "The measures of one council area over a period (issue 16; defined in docs/metrics.md): "
        "'inspect --area CODE_OR_NAME --from YYYY-MM-DD --to YYYY-MM-DD [--format json|html|pdf] [--out FILE]'. "
        "The period is whole days in London time, both included. JSON and HTML go to standard output unless "
        "--out is given; a PDF needs --out. '--area all' gives every English council area's measures at once, "
        "as JSON keyed by area code."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--area",
            required=True,
            help="The council area: its GSS code or exact name, or 'all' for every English council area (JSON only)",
        )
        parser.add_argument("--from", dest="first_day", required=True, help="The first day, YYYY-MM-DD")
        parser.add_argument(
            "--to", dest="last_day", required=True, help="The last day (included), YYYY-MM-DD"
        )
        parser.add_argument("--format", choices=["json", "html", "pdf"], default="json")
        parser.add_argument(
            "--out", type=Path, help="The file to write (standard output when left out, json only)"
        )

    def handle(self, *args, area, first_day, last_day, format, out, **options):
        period = Period(_day(first_day), _day(last_day))
        if period.last_day < period.first_day:
            raise CommandError("--to is before --from: give the first day, then the last")
        if format == "pdf" and out is None:
            raise CommandError("A PDF needs --out FILE")
        every = area.strip().lower() == ALL
        if every and format != "json":
            raise CommandError("--area all gives JSON only: give one area for an HTML or PDF report")
        # Heavy reads, on the read replica when one is configured (lib/replica.py, docs/deployment.md).
        with replica_reads():
            if every:
                # Each measure's rows for all the areas in a few queries, not an area at a time.
                measures = areas_measures(councils=_english_councils(), period=period)
            else:
                measures = area_measures(council=_council(area), period=period)
        if format == "pdf":
            out.write_bytes(pdf_report(measures))
        else:
            text = json.dumps(measures, indent=2) if format == "json" else html_report(measures)
            if out is None:
                self.stdout.write(text)
                return
            out.write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {out}")
