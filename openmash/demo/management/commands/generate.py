import os
import time
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from openmash.demo.letter2016 import DEFAULT_SCALE, generate_letter_2016, letter_2016_loaded
from openmash.demo.national import generate_national, national_loaded, year_problem
from openmash.demo.services import DemoRefused, demo_database_mark
from openmash.organisations.models import Organisation
from openmash.organisations.services import reference_load


class Command(BaseCommand):
    help = (
        "Generate made-up operational data through the real services, deterministic for a seed. "
        "--scenario letter-2016: a year (1 April 2015 to 31 March 2016) for the areas of the October 2016 "
        "letter, each with its failure as reported, and three areas that do well. "
        "--scale national --year YYYY: a year (from 1 April YYYY) for every council and force at national "
        "volumes (domain.md section 6). Only with OPENMASH_DEMO=true, into a database marked as a demo or one "
        "with no accounts but the demo's (which it then marks): never into a live service's database."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--scenario", choices=["letter-2016"], help="a named scenario")
        what.add_argument("--scale", choices=["national"], help="every council and force")
        parser.add_argument("--year", type=int, help="with --scale national: the year starting 1 April YYYY")
        parser.add_argument("--seed", type=int, default=2016, help="the same seed gives the same data (2016)")
        parser.add_argument(
            "--fraction",
            type=float,
            default=None,
            help=(
                "letter-2016: the share of each area's real yearly volumes generated (default "
                f"{DEFAULT_SCALE}, with a floor so each finding shows); national: the share of the year "
                "generated (default 1: the whole year)"
            ),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=(
                "national: how many forces are imported at once, each in its own process (default: the "
                "machine's cores, up to 4, on PostgreSQL; 1 on SQLite, which has one writer)"
            ),
        )
        parser.add_argument(
            "--allow-database-url",
            action="store_true",
            help="generate into the database DATABASE_URL names (it must hold nothing real)",
        )

    def handle(self, *args, scenario, scale, year, seed, fraction, workers, allow_database_url, **options):
        if scale == "national" and year is None:
            raise CommandError("--scale national needs --year YYYY (the year starting 1 April YYYY)")
        if scale == "national" and (problem := year_problem(year, fraction or 1.0, timezone.now())):
            raise CommandError(problem)
        try:
            demo_database_mark(demo_usernames=[], database_url_allowed=allow_database_url)
        except DemoRefused as refusal:
            raise CommandError(f"Nothing generated. {refusal}") from refusal
        if not Organisation.objects.filter(is_reference=True).exists():
            reference_load()
        console = Console(file=cast(IO[str], self.stdout), highlight=False)
        began = time.monotonic()
        if scenario == "letter-2016":
            if letter_2016_loaded():
                console.print("The letter-2016 scenario is already generated in this database: nothing added")
                return
            generated = generate_letter_2016(
                seed=seed, scale=fraction or DEFAULT_SCALE, progress=lambda line: console.print(line)
            )
            seconds = time.monotonic() - began
            console.print(
                f"Generated the letter-2016 scenario (seed {seed}) for {len(generated.areas)} areas "
                f"in {seconds:.1f} seconds:"
            )
            for kind, count in sorted(generated.counts.items()):
                console.print(f"  {kind.replace('_', ' ')}: {count}")
            return
        fraction = fraction or 1.0
        if national_loaded(year):
            console.print(f"The national year from 1 April {year} is already generated here: nothing added")
            return
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bars:
            tasks: dict[tuple[str, str], TaskID] = {}

            def progress(force: str, what: str, step: str, done: int, total: int) -> None:
                # One bar for each force's file, through its steps (checking, writing, releasing).
                key = (force, what)
                if key not in tasks:
                    tasks[key] = bars.add_task("", total=total)
                bars.update(
                    tasks[key], description=f"{force}: {what}, {step.lower()}", completed=done, total=total
                )

            if workers is None:
                workers = min(4, os.cpu_count() or 1) if connection.vendor == "postgresql" else 1
            if workers < 1:
                raise CommandError("--workers must be 1 or more")
            summary = generate_national(
                year=year, seed=seed, fraction=fraction, progress=progress, workers=workers
            )
        console.print(
            f"Generated {summary.rows:,} records ({summary.counts['domestic_abuse_notifications']:,} domestic-abuse "
            f"incidents, {summary.counts['missing_episodes']:,} missing episodes) for {summary.councils} councils "
            f"and {summary.forces} forces, {fraction:g} of the year from 1 April {year}, in "
            f"{summary.seconds:.1f} seconds: {summary.rate:,.0f} records a second "
            f"({workers} force{'s' if workers > 1 else ''} at a time)"
        )
