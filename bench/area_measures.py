"""One area's measures for a year (issue 16, ``openmash inspect``), over rows written straight into a
throwaway database at a large area's yearly volume, so the reads can be timed without building the rows
through the services.

    .venv/bin/python bench/area_measures.py                       # SQLite, in a fresh temporary database
    .venv/bin/python bench/area_measures.py --database-url postgres://postgres@127.0.0.1:54345/inspect

It writes, for one council: NOTIFICATIONS domestic-abuse notifications from two forces (a tenth of them sent
in runs a minute apart, as Bury's were), as many Operation Encompass notices, EPISODES missing episodes of
EPISODES // 4 children with half found and interviewed, and 200 police protection notices; then times
``insight.measures.area_measures`` for the year (best and median of five, wall clock) and counts its queries.
"""

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--notifications", type=int, default=15000)
    parser.add_argument("--episodes", type=int, default=2000)
    args = parser.parse_args()
    var_dir = tempfile.mkdtemp(prefix="openmash-bench-measures-")
    os.environ["OPENMASH_VAR_DIR"] = var_dir
    os.environ.setdefault("OPENMASH_SECRET_KEY", "benchmark-secret-key-0123456789abcdefghijkl")
    os.environ.setdefault("OPENMASH_AUDIT_KEY", "benchmark-audit-key-0123456789abcdefghijklmn")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "openmash.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from openmash.events.models import Event, EventKind
    from openmash.insight.measures import Period, area_measures
    from openmash.lib.clock_rules import ClockRule
    from openmash.missing.models import Category, MissingEpisode, ReturnInterview
    from openmash.organisations.models import Organisation
    from openmash.people.models import Person
    from openmash.sharing.models import Share

    rng = random.Random(16)
    council = Organisation.objects.create(code="BENCH-C", name="Benchshire", kind="council")
    school = Organisation.objects.create(code="BENCH-S", name="Bench Primary", kind="school", parent=council)
    forces = [
        Organisation.objects.create(code=f"BENCH-P{n}", name=f"Bench Police {n}", kind="police")
        for n in (1, 2)
    ]
    year = dt.datetime(2015, 4, 1, tzinfo=dt.UTC)
    began = time.perf_counter()
    events, shares = [], []
    for n in range(args.notifications):
        reported = year + dt.timedelta(seconds=rng.randrange(365 * 86400))
        force = forces[n % 2]
        if n % 10 == 0:  # batched: shared a minute apart on the 1st of the next month
            shared = reported.replace(day=1, hour=9, minute=0) + dt.timedelta(days=32, minutes=n % 50)
        else:
            shared = reported + dt.timedelta(hours=rng.expovariate(1 / 6))
        event = Event(
            kind=EventKind.DOMESTIC_ABUSE,
            recorded_by=force,
            recorded_by_label=force.name,
            occurred_at=reported,
            reported_at=reported,
            recorded_at=shared,
        )
        events.append(event)
        for recipient, rule, due in (
            (council, ClockRule.DA_NOTIFICATION, reported + dt.timedelta(hours=24)),
            (school, ClockRule.ENCOMPASS, reported + dt.timedelta(hours=14)),
        ):
            shares.append(
                Share(
                    event=event,
                    recipient=recipient,
                    route="home-council",
                    notification_rule=rule,
                    notification_due_at=due,
                    occurred_at=reported,
                    reported_at=reported,
                    recorded_at=shared,
                    shared_at=shared,
                )
            )
    for n in range(200):
        at = year + dt.timedelta(seconds=rng.randrange(365 * 86400))
        event = Event(
            kind=EventKind.POLICE_PROTECTION,
            recorded_by=forces[0],
            recorded_by_label="x",
            occurred_at=at,
            reported_at=at,
            recorded_at=at,
            details={"alternatives_discussed": n % 3 > 0},
        )
        events.append(event)
        shares.append(
            Share(
                event=event,
                recipient=council,
                route="home-council",
                notification_rule=ClockRule.POLICE_PROTECTION_INFORM,
                notification_due_at=at + dt.timedelta(hours=4),
                occurred_at=at,
                reported_at=at,
                recorded_at=at + dt.timedelta(hours=2),
                shared_at=at + dt.timedelta(hours=2),
            )
        )
    children = Person.objects.bulk_create(
        [
            Person(given_name=f"C{n}", family_name="Bench", recorded_by=council)
            for n in range(args.episodes // 4)
        ]
    )
    reports, episodes = [], []
    for n in range(args.episodes):
        reported = year + dt.timedelta(seconds=rng.randrange(365 * 86400))
        report = Event(
            kind=EventKind.MISSING,
            recorded_by=forces[0],
            recorded_by_label="x",
            occurred_at=reported,
            reported_at=reported,
            recorded_at=reported,
        )
        reports.append(report)
        found = reported + dt.timedelta(hours=rng.expovariate(1 / 20)) if n % 2 else None
        episodes.append(
            MissingEpisode(
                child=children[n % len(children)],
                council=council,
                category=Category.AWAY if n % 5 == 0 else Category.MISSING,
                reported_by=forces[0],
                missing_report=report,
                last_seen_at=reported,
                reported_at=reported,
                recorded_at=reported,
                found_at=found,
                council_told_at=reported + dt.timedelta(hours=rng.expovariate(1)),
            )
        )
    Event.objects.bulk_create(events + reports, batch_size=2000)
    Share.objects.bulk_create(shares, batch_size=2000)
    MissingEpisode.objects.bulk_create(episodes, batch_size=2000)
    ReturnInterview.objects.bulk_create(
        [
            ReturnInterview(
                episode=e,
                service=council,
                offered_at=e.found_at + dt.timedelta(hours=48),
                offered_to="child",
                offered_by_label="x",
                held_at=e.found_at + dt.timedelta(hours=60),
                independent=True,
            )
            for e in episodes
            if e.found_at is not None
        ],
        batch_size=2000,
    )
    print(
        f"wrote {len(events) + len(reports)} events, {len(shares)} shares, {len(episodes)} episodes "
        f"in {time.perf_counter() - began:.1f} s"
    )
    period = Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    area_measures(council=council, period=period)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx(
            "area_measures(council=council, period=period)", globals(), locals(), "/tmp/insight.prof"
        )
        pstats.Stats("/tmp/insight.prof").sort_stats("cumulative").print_stats(25)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = area_measures(council=council, period=period)
        times.append(time.perf_counter() - started)
    da = result["domestic_abuse_notifications"]
    print(
        f"{connection.vendor}: one area's measures for a year: best {1000 * min(times):.0f} ms, median "
        f"{1000 * statistics.median(times):.0f} ms, {len(queries)} queries "
        f"({da['count']} notifications, {da['batched_pct']}% batched, "
        f"{result['missing_children']['episodes']} episodes)"
    )


if __name__ == "__main__":
    main()
