"""Every English area's full measures for a year at once (issue 16: "all 153 English areas under 20 seconds";
``openmash inspect --area all``), and one area's, over rows written straight into a throwaway database at a
national year's volume (domain.md section 6), so the reads can be timed without building the rows through the
services (which would take hours: docs/performance.md, "The national year").

    .venv/bin/python bench/all_areas.py                                  # SQLite, a fresh temporary database
    .venv/bin/python bench/all_areas.py --database-url postgres://postgres@127.0.0.1:54362/all_areas
    .venv/bin/python bench/all_areas.py --fraction 0.1                   # a tenth of a year, to try it out

It writes 153 councils whose sizes spread as England's do (log-normal shares of the children, the largest
about six times the median, two tiny ones like the Isles of Scilly and the City of London), each with a school
and one of 39 forces; then, in proportion to each council's share, over the year from 1 April 2015:
FRACTION x 1,500,000 domestic-abuse notifications (a tenth sent in Bury's batches, a minute apart), each with an
Operation Encompass notice to the school and the council's referral-decision clock (met, late or still open);
FRACTION x 87,000 missing episodes of a third as many children, half found and interviewed; FRACTION x 230,000
strategy discussions, 72,000 of them followed by an initial conference, each with the force invited; and
FRACTION x 20,000 police protection notices. Then it times ``areas_measures`` of the 153 areas and
``area_measures`` of the largest (``--runs`` times at once, 0 for the one area only; five times alone; best
and median, wall clock), and prints ``uptime`` before and after. Given a database that already holds the
bench's year (a ``--database-url`` kept from a run before), it times that year without writing again.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_in_process

AREAS = 153
FORCES = 39
YEAR = dt.datetime(2015, 4, 1, tzinfo=dt.UTC)
SECONDS = 365 * 86400
# A national year (domain.md section 6).
NOTIFICATIONS = 1_500_000
EPISODES = 87_000
STRATEGY_DISCUSSIONS = 230_000
INITIAL_CONFERENCES = 72_000
PROTECTIONS = 20_000
CHUNK = 20_000


def shares_of_children(rng: random.Random) -> list[float]:
    """Each council's share of England's children: log-normal (sigma 0.7: the largest a few times the median,
    as Kent or Essex to a middling unitary), and two tiny areas."""
    weights = [rng.lognormvariate(0, 0.7) for _ in range(AREAS - 2)] + [0.004, 0.01]
    total = sum(weights)
    return [weight / total for weight in weights]


def spread_counts(total: int, shares: list[float]) -> list[int]:
    return [math.floor(total * share + 0.5) for share in shares]


DAY = dt.timedelta(hours=24)
HOUR = dt.timedelta(hours=1)


class Inserter:
    """Rows written straight into a model's table, far faster than ``bulk_create`` at millions of rows: the
    columns given, each as the database stores it, and every other column its field's default (the same for
    every row). PostgreSQL by COPY, SQLite by ``executemany``."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.written: dict[str, int] = {}

    def _convert(self, field):
        from django.db import models

        if self.connection.vendor == "postgresql":
            return (lambda value: json.dumps(value)) if isinstance(field, models.JSONField) else None
        target = field.target_field if field.is_relation else field
        if isinstance(field, models.DateTimeField):
            # Django's SQLite form: naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".
            return lambda value: None if value is None else str(value.astimezone(dt.UTC).replace(tzinfo=None))
        if isinstance(target, models.UUIDField):
            return lambda value: None if value is None else value.hex
        if isinstance(field, models.DateField):
            return lambda value: None if value is None else value.isoformat()
        if isinstance(field, models.JSONField):
            return lambda value: json.dumps(value)
        return None

    def insert(self, model, names: list[str], rows: list[tuple]) -> None:
        from django.db import transaction

        if not rows:
            return
        # A primary key not given is made for each row (a UUID), or left to the database (an integer).
        fields = [
            field
            for field in model._meta.concrete_fields
            if field.name in names or not field.primary_key or not field.auto_created
        ]
        made = [n for n, field in enumerate(fields) if field.primary_key and field.name not in names]
        given = {name: n for n, name in enumerate(names)}
        assert set(given) <= {field.name for field in fields}, set(given) - {field.name for field in fields}
        constants = {}
        for field in fields:
            if field.name not in given:
                auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                value = dt.datetime.now(dt.UTC) if auto else field.get_default()
                constants[field.name] = field.get_db_prep_save(value, self.connection)
                if self.connection.vendor == "postgresql" and isinstance(value, dict | list):
                    constants[field.name] = json.dumps(value)
        columns = [field.column for field in fields]
        plan = [
            (given[field.name], self._convert(field))
            if field.name in given
            else (None, constants[field.name])
            for field in fields
        ]
        key_of = self._convert(model._meta.pk) or (lambda value: value)

        def row_of(row: tuple) -> tuple:
            values = [
                (convert(row[index]) if convert else row[index]) if index is not None else convert
                for index, convert in plan
            ]
            for n in made:
                values[n] = key_of(uuid.uuid4())
            return tuple(values)

        quoted = ", ".join(self.connection.ops.quote_name(column) for column in columns)
        # One transaction a table's rows (SQLite would otherwise commit, and sync, each row).
        with transaction.atomic(), self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {model._meta.db_table} ({quoted}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row_of(row))
            else:
                marks = ", ".join("?" for _ in columns)
                cursor.cursor.executemany(
                    f"INSERT INTO {model._meta.db_table} ({quoted}) VALUES ({marks})",
                    [row_of(row) for row in rows],
                )
        self.written[model._meta.db_table] = self.written.get(model._meta.db_table, 0) + len(rows)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def write_year(args, rng: random.Random, shares: list[float]) -> list:
    """The councils, their schools and forces, and a year of rows in proportion to each council's share."""
    from django.db import connection

    from openmash.clocks.models import Clock
    from openmash.events.models import Event, EventKind
    from openmash.lib.clock_rules import ClockRule
    from openmash.meetings.models import Meeting, MeetingInvitation, MeetingKind, Participation
    from openmash.missing.models import Category, MissingEpisode, ReturnInterview
    from openmash.organisations.models import Organisation
    from openmash.people.models import Person
    from openmash.sharing.models import Share

    began = time.perf_counter()
    forces = Organisation.objects.bulk_create(
        [Organisation(code=f"BENCH-P{n:02}", name=f"Bench Police {n}", kind="police") for n in range(FORCES)]
    )
    councils = Organisation.objects.bulk_create(
        [Organisation(code=f"BENCH-C{n:03}", name=f"Bench {n}", kind="council") for n in range(AREAS)]
    )
    schools = Organisation.objects.bulk_create(
        [
            Organisation(code=f"BENCH-S{n:03}", name=f"Bench Primary {n}", kind="school", parent=council)
            for n, council in enumerate(councils)
        ]
    )
    force_of = {council.pk: forces[n % FORCES].pk for n, council in enumerate(councils)}
    table = Inserter(connection)
    event_columns = [
        "id",
        "kind",
        "recorded_by",
        "recorded_by_label",
        "occurred_at",
        "reported_at",
        "recorded_at",
    ]
    share_columns = [
        "id",
        "event",
        "recipient",
        "route",
        "notification_rule",
        "notification_due_at",
        "occurred_at",
        "reported_at",
        "recorded_at",
        "shared_at",
    ]
    clock_columns = [
        "id",
        "rule",
        "nation",
        "figure",
        "organisation",
        "event",
        "subject_type",
        "subject_id",
        "started_at",
        "due_at",
        "stopped_at",
        "breached_at",
    ]

    def at(seconds: float) -> dt.datetime:
        return YEAR + dt.timedelta(seconds=seconds)

    # Domestic-abuse notifications, their Encompass notices and the council's referral-decision clocks.
    events: list[tuple] = []
    rows: list[tuple] = []
    clocks: list[tuple] = []

    def flush() -> None:
        table.insert(Event, event_columns, events)
        table.insert(Share, share_columns, rows)
        table.insert(Clock, clock_columns, clocks)
        events.clear(), rows.clear(), clocks.clear()

    counts = spread_counts(int(NOTIFICATIONS * args.fraction), shares)
    for council, school, count in zip(councils, schools, counts, strict=True):
        force = force_of[council.pk]
        for n in range(count):
            reported = at(rng.randrange(SECONDS))
            if n % 10 == 0:  # batched: shared a minute apart on the 1st of the next month
                shared = reported.replace(day=1, hour=9, minute=0) + dt.timedelta(days=32, minutes=n % 50)
            else:
                shared = reported + dt.timedelta(hours=rng.expovariate(1 / 6))
            event = uuid.uuid4()
            events.append(
                (event, EventKind.DOMESTIC_ABUSE, force, "Bench Police", reported, reported, shared)
            )
            for recipient, rule, due in (
                (council.pk, ClockRule.DA_NOTIFICATION, reported + DAY),
                (school.pk, ClockRule.ENCOMPASS, reported + 14 * HOUR),
            ):
                rows.append(
                    (
                        uuid.uuid4(),
                        event,
                        recipient,
                        "home-council",
                        rule,
                        due,
                        reported,
                        reported,
                        shared,
                        shared,
                    )
                )
            due = shared + DAY
            outcome = rng.random()
            stopped = shared + HOUR * rng.uniform(1, 20 if outcome < 0.8 else 60)
            open_now = outcome > 0.98
            clocks.append(
                (
                    uuid.uuid4(),
                    ClockRule.REFERRAL_DECISION,
                    "england",
                    "1 working day",
                    council.pk,
                    event,
                    "share",
                    event.hex,
                    shared,
                    due,
                    None if open_now else stopped,
                    due if not open_now and stopped > due else None,
                )
            )
            if len(events) >= CHUNK:
                flush()
    flush()

    # Police protection, with whether alternatives were discussed (the event's details).
    protections: list[tuple] = []
    for council, count in zip(councils, spread_counts(int(PROTECTIONS * args.fraction), shares), strict=True):
        for n in range(count):
            began_at = at(rng.randrange(SECONDS))
            event = uuid.uuid4()
            protections.append(
                (
                    *(event, EventKind.POLICE_PROTECTION, force_of[council.pk], "x", began_at, began_at),
                    *(began_at, {"alternatives_discussed": n % 3 > 0}),
                )
            )
            told = began_at + HOUR * rng.uniform(0.5, 8)
            rows.append(
                (
                    uuid.uuid4(),
                    event,
                    council.pk,
                    "home-council",
                    ClockRule.POLICE_PROTECTION_INFORM,
                    began_at + 4 * HOUR,
                    began_at,
                    began_at,
                    told,
                    told,
                )
            )
    table.insert(Event, [*event_columns, "details"], protections)
    flush()

    # Missing episodes: a third as many children (some go missing again and again), half found and interviewed.
    people: list[tuple] = []
    episodes: list[tuple] = []
    interviews: list[tuple] = []
    for council, count in zip(councils, spread_counts(int(EPISODES * args.fraction), shares), strict=True):
        force = force_of[council.pk]
        children = [uuid.uuid4() for _ in range(max(1, count // 3))]
        people += [(child, f"C{n}", "Bench", council.pk) for n, child in enumerate(children)]
        for n in range(count):
            reported = at(rng.randrange(SECONDS))
            report = uuid.uuid4()
            events.append((report, EventKind.MISSING, force, "x", reported, reported, reported))
            found = reported + HOUR * rng.expovariate(1 / 20) if n % 2 else None
            told = reported + HOUR * rng.expovariate(1)
            category = Category.AWAY if n % 5 == 0 else Category.MISSING
            episode = uuid.uuid4()
            episodes.append(
                (
                    episode,
                    children[n % len(children)],
                    council.pk,
                    category,
                    force,
                    report,
                    *(reported, reported, reported, found, told),
                )
            )
            if found is not None:
                offered = found + HOUR * rng.choice([24, 48, 96])
                held = found + 60 * HOUR if rng.random() < 0.7 else None
                interviews.append((episode, council.pk, offered, "child", "x", held, rng.random() < 0.6))
    table.insert(Person, ["id", "given_name", "family_name", "recorded_by"], people)
    table.insert(Event, event_columns, events)
    events.clear()
    table.insert(
        MissingEpisode,
        [
            *("id", "child", "council", "category", "reported_by", "missing_report"),
            *("last_seen_at", "reported_at", "recorded_at", "found_at", "council_told_at"),
        ],
        episodes,
    )
    table.insert(
        ReturnInterview,
        ["episode", "service", "offered_at", "offered_to", "offered_by_label", "held_at", "independent"],
        interviews,
    )

    # Strategy discussions, some followed by an initial conference; the force invited to each.
    people, meetings, conferences, invitations = [], [], [], []
    meeting_columns = ["id", "kind", "reference", "child", "council", "convened_by_label", "convened_at"]
    meeting_columns += ["scheduled_for", "held_at", "event", "s47_decision", "s47_started_on"]
    for council, discussions, held in zip(
        councils,
        spread_counts(int(STRATEGY_DISCUSSIONS * args.fraction), shares),
        spread_counts(int(INITIAL_CONFERENCES * args.fraction), shares),
        strict=True,
    ):
        force = force_of[council.pk]
        for n in range(discussions):
            child = uuid.uuid4()
            people.append((child, f"S{n}", "Bench", council.pk))
            when = at(rng.randrange(SECONDS))
            invitation, discussion = uuid.uuid4(), uuid.uuid4()
            events.append((invitation, EventKind.STRATEGY_DISCUSSION, council.pk, "x", when, when, when))
            s47 = n < held
            meetings.append(
                (
                    *(
                        discussion,
                        MeetingKind.STRATEGY_DISCUSSION,
                        f"SD-{discussion.hex[:16]}",
                        child,
                        council.pk,
                    ),
                    *("Bench", when, when, when, invitation, s47, when.date() if s47 else None),
                )
            )
            invitations.append((discussion, force))
            if s47:
                conference_at = when + dt.timedelta(days=rng.choice([14, 18, 21, 25, 35]))
                event, conference = uuid.uuid4(), uuid.uuid4()
                events.append(
                    (
                        event,
                        EventKind.CONFERENCE,
                        council.pk,
                        "x",
                        conference_at,
                        conference_at,
                        conference_at,
                    )
                )
                conferences.append(
                    (
                        *(conference, MeetingKind.INITIAL_CONFERENCE, f"IC-{conference.hex[:16]}", child),
                        *(
                            council.pk,
                            "Bench",
                            conference_at,
                            conference_at,
                            conference_at,
                            event,
                            discussion,
                        ),
                    )
                )
                invitations.append((conference, force))
    table.insert(Person, ["id", "given_name", "family_name", "recorded_by"], people)
    table.insert(Event, event_columns, events)
    table.insert(Meeting, meeting_columns, meetings)
    table.insert(Meeting, [*meeting_columns[:10], "strategy_discussion"], conferences)
    took_part = [rng.choice(list(Participation)) for _ in invitations]
    table.insert(
        MeetingInvitation,
        ["meeting", "organisation", "role_expected", "participation", "non_attendance_reason"],
        [
            (meeting, force, "Police", part, "" if part == Participation.ATTENDED else "Shift cover")
            for (meeting, force), part in zip(invitations, took_part, strict=True)
        ],
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"wrote {table.written} in {time.perf_counter() - began:.0f} s "
        f"({args.fraction} of a national year, {AREAS} areas)"
    )
    return councils


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--fraction", type=float, default=1.0, help="of a national year's volumes")
    parser.add_argument("--runs", type=int, default=3, help="of every area at once (0: the one area only)")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    django_in_process(args.database_url, prefix="openmash-bench-all-areas-")
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from openmash.insight.measures import Period, area_measures, areas_measures
    from openmash.organisations.models import Organisation

    rng = random.Random(args.seed)
    shares = shares_of_children(rng)
    councils = list(Organisation.objects.filter(code__startswith="BENCH-C").order_by("code"))
    if councils:
        print(f"{len(councils)} areas' year there already (a database kept from a run before): timing it")
    else:
        councils = write_year(args, rng, shares)

    period = Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    largest = councils[max(range(AREAS), key=lambda n: shares[n])]
    print(f"before: {uptime()}")
    if args.runs:
        every = areas_measures(councils=councils, period=period)  # warm: rules, caches, the server's pages
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            every = areas_measures(councils=councils, period=period)
            times.append(time.perf_counter() - started)
        da = sum(area["domestic_abuse_notifications"]["count"] for area in every.values())
        missing = sum(area["missing_children"]["episodes"] for area in every.values())
        print(
            f"{connection.vendor}: all {len(every)} areas' measures for a year: best {min(times):.1f} s, "
            f"median {statistics.median(times):.1f} s of {args.runs} ({da} notifications, {missing} episodes)"
        )
    one = []
    area_measures(council=largest, period=period)  # warm
    for _ in range(5):
        started = time.perf_counter()
        result = area_measures(council=largest, period=period)
        one.append(time.perf_counter() - started)
    print(
        f"{connection.vendor}: the largest area's measures for a year: best {1000 * min(one):.0f} ms, "
        f"median {1000 * statistics.median(one):.0f} ms of {len(one)} "
        f"({result['domestic_abuse_notifications']['count']} notifications, "
        f"{result['missing_children']['episodes']} episodes)"
    )
    print(f"after: {uptime()}")
    # The two agree (tests/insight/test_all_areas.py checks it on hand-made rows; here at volume).
    if args.runs:
        assert {**every[largest.code], "measured_at": ""} == {**result, "measured_at": ""}
    print(json.dumps({key: result[key] for key in ("domestic_abuse_notifications", "missing_children")}))
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        cProfile.runctx(
            "areas_measures(councils=councils, period=period)", globals(), locals(), "/tmp/all_areas.prof"
        )
        pstats.Stats("/tmp/all_areas.prof").sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
