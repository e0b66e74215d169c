"""Time ``import_missing`` (a police force's file of missing episodes, as history) into a fresh database.

    .venv/bin/python bench/import_missing.py                       # SQLite, a fresh temporary file, 2,000 episodes
    .venv/bin/python bench/import_missing.py --episodes 5000 --database-url postgres://postgres@127.0.0.1:54371/bench_missing

It migrates a fresh database (for PostgreSQL, an empty database you created first), loads the reference data
(councils and forces), writes a file of --episodes episodes for the councils Cleveland Police covers over the
last year (one child in four missing again within the file, three in four found, half of those offered a
return interview and most of those held), and imports it in this process with ``--as history`` (or
``--as live``). Prints the import's wall-clock seconds, this process's CPU seconds (the database server's, on
PostgreSQL, not included), episodes and rows a second, and the rows written.
"""

import argparse
import csv
import datetime as dt
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_in_process  # noqa: E402

FORCE = "Cleveland Police"


def episodes_file(path: Path, n: int, councils: list[str], seed: int) -> Path:
    """A varied file of ``n`` episodes: repeat children, away and missing, found or not, interviews offered,
    held (independent or not) or not."""
    chance = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    children: list[tuple[str, str, str, str]] = []
    rows = []
    for serial in range(n):
        if children and chance.random() < 0.25:
            given, family, born, council = chance.choice(children)
        else:
            given = chance.choice(
                ["Kai", "Amelia", "Noah", "Isla", "Leo", "Ava", "Jude", "Maya", "Zac", "Evie"]
            )
            family = f"{chance.choice(['Rowe', 'Patel', 'Nowak', 'Okafor', 'Hughes', 'Begum'])}{serial}"
            born = (now.date() - dt.timedelta(days=chance.randint(4 * 365, 17 * 365))).isoformat()
            council = chance.choice(councils)
            children.append((given, family, born, council))
        last_seen = now - dt.timedelta(days=chance.uniform(20, 360))
        reported = last_seen + dt.timedelta(minutes=chance.randint(30, 240))
        row = {
            "reference": f"B-{serial:07d}",
            "child_given_name": given,
            "child_family_name": family,
            "child_date_of_birth": born,
            "council": council,
            "looked_after": chance.choice(["yes", "no"]),
            "category": chance.choices(["missing", "away"], [3, 1])[0],
            "risk_level": chance.choice(["no-apparent-risk", "low", "medium", "high"]),
            "last_seen_at": last_seen.isoformat(),
            "reported_at": reported.isoformat(),
            "council_told_at": (reported + dt.timedelta(minutes=chance.randint(5, 120))).isoformat()
            if chance.random() < 0.9
            else "",
            "found_at": "",
            "return_interview_offered_at": "",
            "return_interview_held_at": "",
            "return_interview_independent": "",
        }
        if chance.random() < 0.75:
            found = reported + dt.timedelta(hours=chance.uniform(3, 60))
            row["found_at"] = found.isoformat()
            if chance.random() < 0.5:
                offered = found + dt.timedelta(hours=chance.uniform(6, 90))
                row["return_interview_offered_at"] = offered.isoformat()
                if chance.random() < 0.7:
                    row["return_interview_held_at"] = (offered + dt.timedelta(hours=24)).isoformat()
                    row["return_interview_independent"] = chance.choice(["yes", "no"])
        rows.append(row)
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="", help="postgres://... (default: a fresh SQLite file)")
    parser.add_argument("--episodes", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--as", dest="imported_as", choices=["history", "live"], default="history")
    args = parser.parse_args()
    scratch = django_in_process(args.database_url, prefix="openmash-bench-import-missing-")

    from django.core.management import call_command
    from django.db import connection

    from openmash.accounts.actors import import_actor
    from openmash.missing.importing import import_missing
    from openmash.organisations.models import Organisation

    call_command("migrate", verbosity=0)
    call_command("load_reference", verbosity=0)
    force = Organisation.objects.get(name=FORCE)
    councils = sorted(force.covers.values_list("code", flat=True))
    path = episodes_file(Path(scratch) / "episodes.csv", args.episodes, councils, args.seed)
    tables = [
        "events_event",
        "missing_missingepisode",
        "sharing_share",
        "sharing_delivery",
        "clocks_clock",
        "access_accessreason",
        "audit_auditentry",
        "people_person",
    ]

    def counts() -> dict[str, int]:
        with connection.cursor() as cursor:
            found = {}
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {table}")
                found[table] = cursor.fetchone()[0]
            return found

    before = counts()
    began, cpu = time.monotonic(), time.process_time()
    summary = import_missing(actor=import_actor(force), path=path, imported_as=args.imported_as)
    seconds, cpu = time.monotonic() - began, time.process_time() - cpu
    written = {table: count - before[table] for table, count in counts().items()}
    rows = sum(written.values())
    print(f"database: {'PostgreSQL' if args.database_url else 'SQLite'}; imported as {args.imported_as}")
    print(f"{summary.episodes:,} episodes, {summary.shares:,} shares; rows written: {written}")
    print(
        f"import wall clock {seconds:.1f} s, this process's CPU {cpu:.1f} s: "
        f"{summary.episodes / seconds:,.0f} episodes a second, {rows / seconds:,.0f} rows a second "
        f"({rows:,} rows in the tables above)"
    )


if __name__ == "__main__":
    main()
