"""Missing children at scale (issue 15): a council's missing-children list with 5,000 episodes a year, and the
import of a large file of episodes.

    .venv/bin/python bench/missing.py                        # SQLite, fresh temporary file
    .venv/bin/python bench/missing.py --database-url postgres://postgres@127.0.0.1:54329/bench
    .venv/bin/python bench/missing.py --import-episodes 50000   # and time `openmash import missing`

It prepares a fresh database (migrate, reference data, the demo cast), writes --episodes episodes over the last
12 months for Stockton-on-Tees (a child for every three episodes, three in four found, half of those offered a
return interview) and as many for another council, then times `missing.selectors.missing_list` for Stockton's
social worker --runs times. With --import-episodes N it writes a CSV of N episodes and runs
`openmash import missing FILE --org "Cleveland Police"` in its own process, with its progress bar, and reports
the rate.
"""

import argparse
import csv
import gc
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="postgres://... (default: a fresh SQLite file)")
    parser.add_argument(
        "--episodes", type=int, default=5_000, help="episodes a year for the measured council"
    )
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--import-episodes", type=int, default=0, help="also time importing a file of N")
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="openmash-bench-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ["OPENMASH_VAR_DIR"] = var_dir
    os.environ.setdefault("OPENMASH_SECRET_KEY", "benchmark-secret-key-0123456789abcdefghijkl")
    os.environ["OPENMASH_DEMO"] = "true"  # a new, throwaway database: the demo cast may load into it
    os.environ.setdefault("OPENMASH_AUDIT_KEY", "benchmark-audit-key-0123456789abcdefghijklmn")
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmash.settings"
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from openmash.accounts.actors import actor_for_user
    from openmash.demo.cast import SIGN_INS, demo_load
    from openmash.demo.services import demo_database_mark
    from openmash.events.models import Event, EventKind, Source
    from openmash.missing.models import MissingEpisode, ReturnInterview
    from openmash.missing.selectors import missing_list
    from openmash.organisations.selectors import organisation_resolve
    from openmash.organisations.services import reference_load
    from openmash.people.models import Person

    call_command("migrate", verbosity=0)
    reference_load()
    demo_database_mark(demo_usernames=[name for name, *_rest in SIGN_INS], database_url_allowed=True)
    cast = demo_load()
    police = cast.organisations["police"]
    now = timezone.now()
    rng = random.Random(15)

    def load(council, count: int) -> None:
        people = [
            Person(
                id=uuid.uuid4(),
                kind="child",
                given_name=f"Child{number}",
                family_name=f"Bench{council.pk}",
                date_of_birth=dt.date(2010, 1, 1) + dt.timedelta(days=number % 2500),
                recorded_by=council,
            )
            for number in range(max(count // 3, 1))
        ]
        Person.objects.bulk_create(people, batch_size=2000)
        events, episodes, interviews = [], [], []
        for number in range(count):
            seen = now - dt.timedelta(minutes=rng.randrange(5, 365 * 24 * 60))
            event = Event(
                kind=EventKind.MISSING,
                recorded_by=police,
                recorded_by_label="bench",
                occurred_at=seen,
                reported_at=seen + dt.timedelta(minutes=30),
                recorded_at=seen + dt.timedelta(minutes=31),
                source=Source.IMPORT,
            )
            events.append(event)
            found = seen + dt.timedelta(hours=rng.randrange(1, 72)) if number % 4 else None
            if found is not None and found > now:
                found = None
            episode = MissingEpisode(
                child=people[number % len(people)],
                council=council,
                looked_after=number % 2 == 0,
                category="A" if number % 5 == 0 else "M",
                risk="medium",
                reported_by=police,
                missing_report=event,
                last_seen_at=seen,
                reported_at=seen + dt.timedelta(minutes=30),
                council_told_at=seen + dt.timedelta(minutes=rng.randrange(31, 180)),
                recorded_at=seen + dt.timedelta(minutes=31),
                found_at=found,
            )
            episodes.append(episode)
            if found is not None and number % 2:
                interviews.append(
                    ReturnInterview(
                        episode=episode,
                        service=council,
                        offered_at=found + dt.timedelta(hours=rng.randrange(1, 100)),
                        offered_to="bench",
                        offered_by_label="bench",
                        response="accepted" if number % 3 else "declined",
                    )
                )
        Event.objects.bulk_create(events, batch_size=2000)
        MissingEpisode.objects.bulk_create(episodes, batch_size=2000)
        ReturnInterview.objects.bulk_create(interviews, batch_size=2000)

    stockton = cast.organisations["council"]
    started = time.monotonic()
    load(stockton, args.episodes)
    load(organisation_resolve("Bury"), args.episodes)
    print(f"loaded {2 * args.episodes:,} episodes in {time.monotonic() - started:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    gc.collect()
    gc.freeze()
    worker = actor_for_user(cast.users["social.worker"])
    for _ in range(3):
        missing_list(actor=worker, council=stockton, audit=False)
    timings = []
    for _ in range(args.runs):
        began = time.perf_counter()
        lines = missing_list(actor=worker, council=stockton)
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    p99 = timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]
    print(
        f"missing list, {args.episodes:,} episodes a year, {len(lines):,} children: "
        f"p50 {statistics.median(timings):.0f} ms, p99 {p99:.0f} ms ({args.runs} runs)"
    )

    if args.import_episodes:
        path = Path(var_dir) / "episodes.csv"
        with path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "reference", "child_given_name", "child_family_name", "child_date_of_birth", "council",
                    "looked_after", "category", "risk_level", "last_seen_at", "reported_at", "council_told_at",
                    "found_at", "return_interview_offered_at", "return_interview_held_at",
                    "return_interview_independent",
                ]
            )  # fmt: skip
            for number in range(args.import_episodes):
                seen = now - dt.timedelta(minutes=rng.randrange(600, 3 * 365 * 24 * 60))
                found = seen + dt.timedelta(hours=rng.randrange(1, 48))
                offered = found + dt.timedelta(hours=rng.randrange(1, 96))
                held = offered + dt.timedelta(hours=rng.randrange(1, 48))
                held_text = held.isoformat() if number % 2 and held < now else ""
                writer.writerow(
                    [
                        f"IMP-{number}", f"Imported{number // 3}", "Child",
                        (dt.date(2009, 1, 1) + dt.timedelta(days=number // 3 % 3000)).isoformat(),
                        "E06000004", "yes" if number % 2 else "no", "away" if number % 7 == 0 else "missing",
                        "medium", seen.isoformat(), (seen + dt.timedelta(minutes=20)).isoformat(),
                        (seen + dt.timedelta(minutes=50)).isoformat(),
                        found.isoformat() if found < now else "",
                        offered.isoformat() if offered < now and found < now else "",
                        held_text, "yes" if held_text else "",
                    ]
                )  # fmt: skip
        env = dict(os.environ)
        env["PYTHONPATH"] = str(ROOT)
        began = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "openmash.cli",
                "import",
                "missing",
                str(path),
                "--org",
                "Cleveland Police",
            ],
            check=True,
            env=env,
        )
        took = time.monotonic() - began
        print(
            f"imported {args.import_episodes:,} episodes in {took:.0f} s: {args.import_episodes / took:,.0f} a second"
        )


if __name__ == "__main__":
    main()
