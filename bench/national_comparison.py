"""The dashboard's national comparison and one area's monthly trends, on a database that already holds a
generated year (``openmash generate --scale national --year 2015`` or ``--scenario letter-2016``).

    .venv/bin/python bench/national_comparison.py --database-url postgres://postgres@127.0.0.1:54352/national

Prints, best and median of ``--runs``, the national comparison of the year from 1 April (every active area's
headline figures, worked out afresh: what the dashboard keeps for 15 minutes) and the busiest area's twelve
monthly trends and headline measures of the year.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_in_process


def timed(what: str, runs: int, call: Callable[[], object]) -> None:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append(time.perf_counter() - began)
    print(f"{what}: best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--year", type=int, default=2015)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ["OPENMASH_DEMO"] = "true"
    django_in_process(args.database_url, prefix="openmash-bench-comparison-")
    from django.db.models import Count

    from openmash.insight.comparison import active_councils, national_comparison
    from openmash.insight.headlines import headline_measures
    from openmash.insight.measures import Period
    from openmash.insight.trends import monthly_trends
    from openmash.sharing.models import Share

    year = Period(dt.date(args.year, 4, 1), dt.date(args.year + 1, 3, 31))
    active = active_councils(year)
    busiest = max(
        active,
        key=lambda council: Share.objects.filter(recipient=council).aggregate(n=Count("pk"))["n"],
    )
    print(f"{len(active)} active areas; the busiest: {busiest.name}")
    timed("national comparison", args.runs, lambda: national_comparison(year))
    timed(f"{busiest.name}: monthly trends", args.runs, lambda: monthly_trends(council=busiest, period=year))
    timed(
        f"{busiest.name}: headline measures",
        args.runs,
        lambda: headline_measures(council=busiest, period=year),
    )


if __name__ == "__main__":
    main()
