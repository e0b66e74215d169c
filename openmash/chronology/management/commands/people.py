from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from openmash.chronology.people_export import people_export
from openmash.merging.dedupe import dedupe
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve


class Command(BaseCommand):
    help = (
        "People's records. `openmash people dedupe [--area CODE]` finds likely duplicates already recorded and "
        "puts each to an agency that may see both; `openmash people export --org ORG --out FILE.csv` writes the "
        "people that organisation may see."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        dedupe_parser = sub.add_parser("dedupe", help="Find likely duplicate records for review")
        dedupe_parser.add_argument("--area", default="", help="A council (code or name): its people only")
        export = sub.add_parser("export", help="The people an organisation may see, as CSV")
        export.add_argument("--org", required=True, help="The organisation (code or exact name)")
        export.add_argument("--out", required=True, type=Path)

    def _organisation(self, name: str):
        try:
            return organisation_resolve(name)
        except UnknownOrganisation as error:
            raise CommandError(str(error)) from None

    def handle(self, *args, action, **options):
        if action == "export":
            organisation = self._organisation(options["org"])
            with options["out"].open("w", newline="", encoding="utf-8") as out:
                count = people_export(organisation, out)
            self.stdout.write(f"Wrote {count:,} people {organisation.name} may see to {options['out']}")
            return
        area = self._organisation(options["area"]) if options["area"] else None
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=not self.stdout.isatty()) as progress:
            tasks: dict[str, TaskID] = {}

            def report(stage: str, done: int, total: int) -> None:
                if stage not in tasks:
                    tasks[stage] = progress.add_task(stage, total=total or None)
                progress.update(tasks[stage], completed=done, total=total or None)

            result = dedupe(area=area, progress=report)
        self.stdout.write(
            f"Looked at {result.people:,} people: {result.pairs:,} likely pairs, {result.raised:,} put to review"
            + (f", {result.no_agency:,} that no one agency may see both of" if result.no_agency else "")
        )
