"""``openmash generate --scale national --year YYYY``: a year (from 1 April YYYY) of domestic-abuse
notifications and missing episodes for every council and police force, at national volumes (domain.md section
6), through the history imports: the bulk path a council or force loading another system's records uses
(checked and staged, written a chunk a short transaction, released a chunk at a time; docs/import.md).

Only these two kinds: they are the volume (about 1.5 million notifications and 87,000 missing episodes a year).
The casework of the letter-2016 scenario (meetings, police protection, joint visits, closures, vetting) goes
through the practitioners' services one step at a time, about 30 ms a step here: a national year of it (over a
million steps) is out of reach of one run, and is not generated at this scale.

An area's share of each national volume is its share of the postcodes in the ONS postcode directory (the
councils' sizes are not in the shipped reference data; postcodes follow addresses). ``fraction`` generates the
first part of the year only (0.01: the first 3.65 days' worth of the year's volumes, spread over that time), so
a run can be measured and the whole year extrapolated.
"""

import csv
import datetime as dt
import multiprocessing
import random
import string
import tempfile
import time
import zoneinfo
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path

from django.db import connections
from faker import Faker

from openmash.accounts.actors import import_actor
from openmash.demo.volumes import NATIONAL
from openmash.events.models import ImportBatch
from openmash.missing.importing import import_missing
from openmash.organisations.models import District, Organisation, OrganisationKind
from openmash.organisations.postcodes import _letter
from openmash.recording.importing import import_domestic_abuse

LONDON = zoneinfo.ZoneInfo("Europe/London")
FILE_PREFIX = "national-"

# (force, what, step, done, total)
Progress = Callable[[str, str, str, int, int], None]


@dataclass
class NationalSummary:
    year: int
    fraction: float
    councils: int = 0
    forces: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def add(self, other: "NationalSummary") -> None:
        self.councils += other.councils
        self.forces += other.forces
        self.counts.update(other.counts)

    @property
    def rows(self) -> int:
        return sum(self.counts.values())

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


def postcodes_by_council() -> dict[int, list[str]]:
    """Every postcode of the directory under the council (with children's services) it is in."""
    councils = {
        code: pk
        for code, pk in Organisation.objects.filter(kind=OrganisationKind.COUNCIL).values_list("code", "pk")
    }
    councils.update(dict(District.objects.values_list("gss_code", "council_id")))
    found: dict[int, list[str]] = {}
    for letter in string.ascii_uppercase:
        for postcode, authority in _letter(letter).items():
            council = councils.get(authority)
            if council is not None:
                found.setdefault(council, []).append(postcode)
    return found


class NationalGenerator:
    def __init__(self, *, year: int, seed: int, fraction: float, progress: Progress | None = None) -> None:
        if not 0 < fraction <= 1:
            raise ValueError("fraction must be more than 0 and at most 1")
        self.year = year
        self.fraction = fraction
        self.seed = seed
        self.random = random.Random(seed)  # noqa: S311 (made-up data, repeatable for a seed: not a secret)
        self.faker = Faker("en_GB")
        self.faker.seed_instance(seed)
        self.progress = progress or (lambda *_args: None)
        # The year starts at midnight in London; every instant after is worked out in UTC. Adding to a London
        # time adds to its clock: across a clock change an hour is lost or repeated, and a report 40 minutes
        # after the incident on the morning the clocks went forward came out 20 minutes before it.
        self.start = dt.datetime.combine(dt.date(year, 4, 1), dt.time(), tzinfo=LONDON).astimezone(dt.UTC)
        self.span = dt.timedelta(days=365 * fraction)
        self.serial = 0
        self.prefix = ""
        self.postcodes: dict[int, list[str]] = {}
        self.total = 0
        # Names drawn once and combined: Faker is the slow part of making a million rows.
        self.given = [self.faker.first_name() for _ in range(2000)]
        self.family = [self.faker.last_name() for _ in range(2000)]

    def when(self) -> dt.datetime:
        return self.start + self.span * self.random.random()

    def child(self, at: dt.datetime) -> tuple[str, str, str]:
        born = at.date() - dt.timedelta(days=self.random.randint(4 * 365, 17 * 365 - 1))
        return self.random.choice(self.given), self.random.choice(self.family), born.isoformat()

    def volume(self, name: str, share: float) -> int:
        expected = NATIONAL[name].per_year * share * self.fraction
        # Whole numbers whose sum over the areas keeps the national figure: round up with the remainder's chance.
        return int(expected) + (self.random.random() < expected - int(expected))

    def _read_postcodes(self) -> None:
        if not self.postcodes:
            self.postcodes = postcodes_by_council()
            self.total = sum(len(found) for found in self.postcodes.values())

    def for_force(self, force: Organisation) -> None:
        """Draw the force's records from a stream of their own (the seed and the force's code), numbered under
        its code: the same records for a seed whichever order, or process, the forces are generated in."""
        self.random = random.Random(f"{self.seed}:{force.code}")  # noqa: S311 (as above)
        self.serial = 0
        self.prefix = f"{force.code}-"

    def incidents(self, council: Organisation, postcodes: list[str], n: int) -> list[dict[str, str]]:
        rows = []
        for _ in range(n):
            reported = self.when()
            given, family, born = self.child(reported)
            self.serial += 1
            rows.append(
                {
                    "police_reference": f"N{self.year % 100:02d}-{self.prefix}{self.serial:08d}",
                    "occurred_at": (reported - dt.timedelta(minutes=self.random.randint(5, 90))).isoformat(),
                    "reported_at": reported.isoformat(),
                    "shared_at": (reported + dt.timedelta(hours=self.random.uniform(0.3, 30))).isoformat(),
                    "risk_level": self.random.choices(["standard", "medium", "high"], [6, 3, 1])[0],
                    "postcode": self.random.choice(postcodes),
                    "council": council.code,
                    "child_given_name": given,
                    "child_family_name": family,
                    "child_date_of_birth": born,
                    "child_present": self.random.choice(["yes", "no"]),
                    "summary": "Domestic abuse incident at the child's home.",
                }
            )
        return rows

    def episodes(self, council: Organisation, n: int) -> list[dict[str, str]]:
        rows = []
        for _ in range(n):
            last_seen = self.when()
            reported = last_seen + dt.timedelta(minutes=self.random.randint(30, 240))
            found = reported + dt.timedelta(hours=self.random.uniform(3, 60))
            given, family, born = self.child(last_seen)
            self.serial += 1
            rows.append(
                {
                    "reference": f"M{self.year % 100:02d}-{self.prefix}{self.serial:08d}",
                    "child_given_name": given,
                    "child_family_name": family,
                    "child_date_of_birth": born,
                    "council": council.code,
                    "looked_after": "yes",
                    "category": self.random.choices(["missing", "away"], [3, 1])[0],
                    "risk_level": self.random.choice(["low", "medium", "high"]),
                    "last_seen_at": last_seen.isoformat(),
                    "reported_at": reported.isoformat(),
                    "council_told_at": (
                        reported + dt.timedelta(minutes=self.random.randint(5, 120))
                    ).isoformat(),
                    "found_at": found.isoformat(),
                    "return_interview_offered_at": (
                        found + dt.timedelta(hours=self.random.uniform(6, 90))
                    ).isoformat(),
                }
            )
        return rows

    def run(self, workers: int = 1) -> NationalSummary:
        """Every force's year, a force at a time, or ``workers`` forces at once in as many processes (each force's
        files are imported whole by one process; on PostgreSQL the imports of two forces run side by side, on
        SQLite they take turns at its one writer)."""
        summary = NationalSummary(year=self.year, fraction=self.fraction)
        self._read_postcodes()  # before any fork: read once
        forces = list(
            Organisation.objects.filter(kind=OrganisationKind.POLICE, is_reference=True)
            .prefetch_related("covers")
            .order_by("code")
        )
        began = time.monotonic()
        if workers <= 1:
            for force in forces:
                summary.add(self.force_year(force))
        else:
            self._in_processes(forces, workers, summary)
        summary.seconds = time.monotonic() - began
        return summary

    def force_rows(self, force: Organisation) -> tuple[list[dict[str, str]], list[dict[str, str]], int]:
        """One force's records (its councils' incidents, and their children's missing episodes), and how many
        of its councils have any: the same for a seed whenever they are drawn."""
        self._read_postcodes()
        self.for_force(force)
        incidents: list[dict[str, str]] = []
        episodes: list[dict[str, str]] = []
        councils = 0
        for council in sorted(force.covers.all(), key=lambda council: council.code):
            found = self.postcodes.get(council.pk)
            if not found:
                continue
            # A council covered by two forces (none in England and Wales today) would count twice.
            share = len(found) / self.total
            incidents += self.incidents(council, found, self.volume("domestic_abuse_notifications", share))
            episodes += self.episodes(council, self.volume("missing_episodes", share))
            councils += 1
        return incidents, episodes, councils

    def force_year(self, force: Organisation) -> "NationalSummary":
        """One force's records, generated and imported: its incidents in one file, its episodes in another."""
        incidents, episodes, councils = self.force_rows(force)
        done = NationalSummary(year=self.year, fraction=self.fraction, forces=1, councils=councils)
        with tempfile.TemporaryDirectory(prefix="openmash-national-") as folder:
            self._import(force, folder, incidents, episodes, done)
        return done

    def _in_processes(self, forces: list[Organisation], workers: int, summary: NationalSummary) -> None:
        # Forked, so each process has the postcodes read already and Django set up; no database connection
        # may cross a fork (each process opens its own). The processes tell their progress through a queue.
        # The parent may have threads (the progress bars' refresh): a forked process never touches what they
        # lock (the console), writing only to the database and the queue.
        global _forked
        connections.close_all()
        context = multiprocessing.get_context("fork")
        told: Queue = context.Queue()
        _forked = (self, told)
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                waiting = {pool.submit(_force_in_process, force.pk) for force in forces}
                try:
                    while waiting:
                        finished, waiting = wait(waiting, timeout=0.2, return_when=FIRST_COMPLETED)
                        while not told.empty():
                            self.progress(*told.get())
                        for future in finished:
                            summary.add(future.result())
                except BaseException:
                    # A force that fails stops the run at once, as one process would: the forces not begun
                    # are not begun, and the error is the command's.
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
                while not told.empty():
                    self.progress(*told.get())
        finally:
            _forked = None

    def _import(self, force, folder, incidents, episodes, summary: NationalSummary) -> None:
        name = force.name
        if incidents:
            path = _write(
                Path(folder) / f"{FILE_PREFIX}{self.year}-{force.code}-domestic-abuse.csv", incidents
            )
            import_domestic_abuse(
                actor=import_actor(force),
                path=path,
                progress=lambda step, done, of: self.progress(name, "incidents", step, done, of),
            )
            summary.counts["domestic_abuse_notifications"] += len(incidents)
        if episodes:
            path = _write(Path(folder) / f"{FILE_PREFIX}{self.year}-{force.code}-missing.csv", episodes)
            import_missing(
                actor=import_actor(force),
                path=path,
                progress=lambda step, done, of: self.progress(name, "missing episodes", step, done, of),
            )
            summary.counts["missing_episodes"] += len(episodes)


# The generator and the progress queue of a run in processes, inherited by the forked processes.
_forked: "tuple[NationalGenerator, Queue] | None" = None


def _force_in_process(force_pk: int) -> NationalSummary:
    assert _forked is not None
    generator, told = _forked

    # What is still on its way to the parent when this process ends is dropped, not waited for: the parent,
    # stopped by another force's error, may no longer be reading (the process would wait for ever).
    told.cancel_join_thread()

    def progress(*step: object) -> None:
        told.put(step)

    generator.progress = progress
    try:
        return generator.force_year(Organisation.objects.prefetch_related("covers").get(pk=force_pk))
    finally:
        connections.close_all()


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def year_problem(year: int, fraction: float, now: dt.datetime) -> str:
    """Why the year (or its first ``fraction``) cannot be generated ("" if it can): its records are history, so
    it must be over, with the imports' few days of clock skew to spare; and from 2000 (the imports' earliest)."""
    if not 0 < fraction <= 1:
        return "--fraction must be more than 0 and at most 1"
    if year < 2000 or dt.datetime(year, 4, 1, tzinfo=dt.UTC) + dt.timedelta(days=365 * fraction + 3) > now:
        return f"The year from 1 April {year} must be over (its records are history): choose an earlier year"
    return ""


def national_loaded(year: int) -> bool:
    return ImportBatch.objects.filter(file_name__startswith=f"{FILE_PREFIX}{year}-").exists()


def generate_national(
    *, year: int, seed: int = 2016, fraction: float = 1.0, progress: Progress | None = None, workers: int = 1
) -> NationalSummary:
    """Generate the year (or its first ``fraction``) for every council and force, into a database marked as a
    demo (the caller checks), with the reference data loaded; ``workers`` forces at once. The same records
    for a seed whatever the number of workers."""
    return NationalGenerator(year=year, seed=seed, fraction=fraction, progress=progress).run(workers)
