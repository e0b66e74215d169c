from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from openmash.accounts.actors import import_actor
from openmash.missing.importing import import_missing
from openmash.organisations.models import OrganisationKind
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.recording.importing import ImportBlocked, ImportFailed, import_domestic_abuse


def _as_option(parser, already: str, live_like: str) -> None:
    """Each import's choice between history and live work (sharing.models.ImportedAs), in its own words."""
    parser.add_argument(
        "--as",
        dest="imported_as",
        choices=["history", "live"],
        default="history",
        help=(
            f"history (the default): {already} with their real times but creating no work now (no deadlines, "
            f"escalations, alerts or webhooks); live: a backlog still waiting, delivered and escalated {live_like}"
        ),
    )


class Command(BaseCommand):
    help = (
        "Import records made elsewhere, keeping their real times. 'import domestic-abuse FILE --org FORCE' loads "
        "incidents from CSV or XLSX (columns in docs/import.md): every row is checked first and a file with any "
        "problem imports nothing; the incidents are then written in short transactions, so the service keeps "
        "answering, and become visible together once the whole file is in. If it stops part way, run it again. "
        "'import missing FILE --org ORG [--as history|live]' loads missing episodes, one row per episode, the same way."
    )
    # Django's system checks are of the code, not the data (the URL configuration, which imports every page
    # and the API, the templates, the admin): 0.7 s at every start, which `openmash check`, `serve` and the
    # test suite run anyway. An import needs none of the web layer, and a database not migrated fails it at
    # its first query, before anything is staged.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        incidents = sub.add_parser("domestic-abuse", help="Domestic abuse incidents, one row per child")
        incidents.add_argument("file", type=Path, help="A .csv or .xlsx file")
        incidents.add_argument(
            "--org", required=True, help="The police force that recorded them: code or exact name"
        )
        _as_option(
            incidents,
            "incidents already dealt with elsewhere, counted in every measure",
            "like any new incident",
        )
        episodes = sub.add_parser("missing", help="Missing children's episodes, one row per episode")
        episodes.add_argument("file", type=Path, help="A .csv or .xlsx file")
        episodes.add_argument(
            "--org", required=True, help="The organisation that recorded them: code or exact name"
        )
        _as_option(
            episodes,
            "episodes already dealt with elsewhere, counted in the missing list, the SSDA903 return and every "
            "measure",
            "like any new report",
        )

    def handle(self, *args, what, file, org, imported_as="history", **options):
        try:
            force = organisation_resolve(org)
        except UnknownOrganisation as error:
            raise CommandError(str(error)) from error
        if what == "domestic-abuse" and force.kind != OrganisationKind.POLICE:
            raise CommandError(f"{force.name} is not a police force")
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        console = Console(stderr=True)
        bar = Progress(
            TextColumn("{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("rows  {task.fields[rate]:>6} rows/s"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=console,
            disable=not console.is_terminal,
        )
        tasks: dict[str, TaskID] = {}

        def progress(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=total or None, rate="")
            speed = bar.tasks[tasks[step]].speed
            bar.update(
                tasks[step], completed=done, total=total or None, rate=f"{speed:,.0f}" if speed else ""
            )

        try:
            with bar:
                if what == "missing":
                    episodes = import_missing(
                        actor=import_actor(force), path=file, imported_as=imported_as, progress=progress
                    )
                else:
                    summary = import_domestic_abuse(
                        actor=import_actor(force), path=file, imported_as=imported_as, progress=progress
                    )
        except ImportFailed as error:
            count = len(error.errors) + error.more
            raise CommandError(f"Nothing was imported. {count} problem(s):\n{error}") from error
        except ImportBlocked as error:
            raise CommandError(f"Nothing was imported. {error}") from error
        how = (
            "as history (counted in the measures; nothing sent, no deadlines to meet now)"
            if imported_as == "history"
            else "as live work (delivered and on the clock)"
        )
        if what == "missing":
            self.stdout.write(
                f"Imported {episodes.episodes} episode(s) from {file.name} {how}, shared {episodes.shares} "
                f"time(s); all made visible at once in {episodes.release_seconds:.2f} s."
            )
            return
        self.stdout.write(
            f"Imported {summary.incidents} incident(s) ({summary.rows} row(s)) from {file.name} {how}, "
            f"shared {summary.shares} time(s); the release held the database at most "
            f"{summary.release_seconds:.2f} s at a time."
        )
