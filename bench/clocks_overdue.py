"""The overdue and due-soon lists (the deadlines page's query) for an organisation with 100,000 open clocks.

    .venv/bin/python bench/clocks_overdue.py                                   # SQLite, fresh temporary file
    .venv/bin/python bench/clocks_overdue.py --database-url postgres://postgres@127.0.0.1:54329/bench

It prepares a fresh database (migrate, reference data, the demo cast), writes --open open clocks for
Stockton-on-Tees (a third overdue, spread over two years either side of now, each for its own child) and as
many again for other councils, plus as many stopped ones, then times `clocks.selectors.deadlines` for the
organisation (the page's two capped lists, their uncapped counts and the escalated list) --runs times.
"""

import argparse
import gc
import os
import random
import statistics
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
    parser.add_argument("--open", type=int, default=100_000, help="open clocks for the measured council")
    parser.add_argument("--runs", type=int, default=100)
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
    from django.db import connection
    from django.utils import timezone

    from openmash.accounts.actors import actor_for_user
    from openmash.clocks.models import Clock
    from openmash.clocks.selectors import Scope, deadlines
    from openmash.clocks.services import clocks_sweep_breaches
    from openmash.demo.cast import SIGN_INS, demo_load
    from openmash.demo.services import demo_database_mark
    from openmash.organisations.models import Organisation, OrganisationKind
    from openmash.organisations.services import reference_load
    from openmash.people.models import Person

    call_command("migrate", verbosity=0)
    reference_load()
    demo_database_mark(demo_usernames=[name for name, *_rest in SIGN_INS], database_url_allowed=True)
    cast = demo_load()
    council = cast.organisations["council"]
    others = list(Organisation.objects.filter(kind=OrganisationKind.COUNCIL).exclude(pk=council.pk)[:50])
    rng = random.Random(2016)
    now = timezone.now()
    rules = ["assessment", "strategy-discussion", "initial-conference", "core-group", "review-conference"]
    owners = [cast.users[name] for name in ("social.worker", "mash.practitioner", "team.manager")] + [None]

    began = time.perf_counter()
    people = [
        Person(given_name=f"Child{n}", family_name="Bench", recorded_by=council) for n in range(args.open)
    ]
    Person.objects.bulk_create(people, batch_size=5000)

    def clock(organisation, person, *, stopped: bool) -> Clock:
        due = now + dt.timedelta(seconds=rng.randrange(-2 * 365 * 86400, 4 * 365 * 86400))
        started = due - dt.timedelta(days=30)
        return Clock(
            rule=rng.choice(rules),
            nation="england",
            figure="bench",
            organisation=organisation,
            owner=rng.choice(owners) if organisation == council else None,
            person=person,
            subject_type="bench",
            subject_id=uuid.uuid4().hex,
            started_at=started,
            due_at=due,
            stopped_at=started + dt.timedelta(days=1) if stopped else None,
        )

    batch: list[Clock] = []
    for person in people:
        batch.append(clock(council, person, stopped=False))
        batch.append(clock(rng.choice(others), person, stopped=False))
        batch.append(clock(council, person, stopped=True))
        if len(batch) >= 15000:
            Clock.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Clock.objects.bulk_create(batch, batch_size=5000)
    prepared = time.perf_counter() - began
    # As the worker does every 15 seconds: the overdue ones are marked breached and escalated.
    swept_at = time.perf_counter()
    swept = clocks_sweep_breaches()
    sweep_seconds = time.perf_counter() - swept_at
    with connection.cursor() as cursor:
        # What autovacuum does after a load this size (on SQLite, the planner's statistics).
        cursor.execute("VACUUM ANALYZE clocks_clock" if connection.vendor == "postgresql" else "ANALYZE")
    # The 300,000 objects built above would otherwise make each full garbage collection of this process take
    # a fifth of a second, which a server process does not carry.
    del people, batch
    gc.collect()

    actor = actor_for_user(cast.users["team.manager"])
    timings = []
    result = None
    for _ in range(3):  # warm the caches, as a page in steady use is
        deadlines(actor=actor, scope=Scope.ORGANISATION)
    for _ in range(args.runs):
        start = time.perf_counter()
        result = deadlines(actor=actor, scope=Scope.ORGANISATION)
        timings.append(time.perf_counter() - start)
    assert result is not None
    timings.sort()
    print(
        f"database: {connection.vendor}; open clocks for {council.name}: {args.open:,}; all clocks: "
        f"{Clock.objects.count():,} (prepared in {prepared:.0f} s)"
    )
    print(f"first sweep marked {swept:,} clocks breached and escalated in {sweep_seconds:.2f} s")
    print(f"overdue {result.overdue_count:,} (listed {len(result.overdue)}), open in all {result.total:,}")
    print(
        f"deadlines list, {args.runs} runs: p50 {1000 * statistics.median(timings):.1f} ms, "
        f"p99 {1000 * timings[min(len(timings) - 1, round(0.99 * (len(timings) - 1)))]:.1f} ms, "
        f"max {1000 * timings[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()
