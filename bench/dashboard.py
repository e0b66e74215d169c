"""The partnership dashboard for one area (issue 16: under 500 ms), on the demo data: the reference
organisations, the demo cast and its few days of history (``openmash demo``'s), in a throwaway database.

    .venv/bin/python bench/dashboard.py                                   # SQLite, a fresh temporary file
    .venv/bin/python bench/dashboard.py --database-url postgres://postgres@127.0.0.1:54341/dashboard
    .venv/bin/python bench/dashboard.py --scenario letter-2016 --database-url sqlite:////tmp/letter.sqlite3

With ``--year YYYY`` it asks for the financial year from 1 April YYYY (for a database holding ``openmash generate
--scale national --year YYYY``'s year: ``bench/generate_national.py``). With ``--stored`` the worker's job
(``insight.services.national_comparisons_refresh``) first stores the national comparison of the standard periods
(timed), as a running worker would have, so the dashboard reads it; without it any stored one of the period is
removed first, so the first request works it out itself (as on a fresh install, or for a period of the reader's
own choosing).

With ``--scenario letter-2016`` it also generates ``openmash generate --scenario letter-2016``'s year (unless the
database already holds it: give a database URL to keep it between runs) and asks for the year of the scenario
(1 April 2015 to 31 March 2016), with every generated area in the national comparison.

It signs in as the partnership lead and asks for the dashboard of Stockton-on-Tees (the default period: the last
12 months) RUNS times through Django's test client (the whole request: middleware, the policy, the measures,
every council's comparison, twelve months of trends, the charts, the template and the audit entry), and prints
the median and 95th percentile of the wall-clock time. Then the same for the findings page and a drill-down
list, and the monthly trends and the national comparison (worked out afresh) alone.
"""

import argparse
import cProfile
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import django_in_process, percentile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--scenario", choices=["letter-2016"], default=None)
    parser.add_argument("--year", type=int, default=None, help="the financial year from 1 April YYYY")
    parser.add_argument(
        "--stored", action="store_true", help="the worker's job stores the national comparison first"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print where one dashboard request spends its time"
    )
    args = parser.parse_args()
    os.environ["OPENMASH_DEMO"] = "true"  # a throwaway database: the demo's sign-ins may be loaded into it
    django_in_process(args.database_url, prefix="openmash-bench-dashboard-")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    call_command("migrate", verbosity=0)
    from openmash.demo.cast import SIGN_INS, demo_load
    from openmash.demo.letter2016 import generate_letter_2016, letter_2016_loaded
    from openmash.demo.services import demo_database_mark
    from openmash.demo.story import demo_story_load
    from openmash.insight.comparison import active_councils, national_comparison
    from openmash.insight.forms import period_query
    from openmash.insight.measures import Period
    from openmash.insight.models import NationalComparison
    from openmash.insight.services import national_comparisons_refresh
    from openmash.insight.trends import default_period, monthly_trends
    from openmash.organisations.models import Organisation
    from openmash.organisations.services import reference_load

    demo_database_mark(demo_usernames=[name for name, *_rest in SIGN_INS], database_url_allowed=True)
    if not Organisation.objects.filter(is_reference=True).exists():
        reference_load()
    cast = demo_load()
    demo_story_load(cast)
    query = ""
    if args.scenario == "letter-2016":
        if not letter_2016_loaded():
            began = time.perf_counter()
            generate_letter_2016()
            print(f"letter-2016 generated in {time.perf_counter() - began:.0f} s")
        query = "?" + period_query(Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31)))
    if args.year:
        query = "?" + period_query(Period(dt.date(args.year, 4, 1), dt.date(args.year + 1, 3, 31)))
    if args.stored:
        began = time.perf_counter()
        stored = national_comparisons_refresh(every=dt.timedelta(0))
        print(
            f"the worker's job: {len(stored)} standard periods' national comparison stored in "
            f"{time.perf_counter() - began:.1f} s"
        )
    else:
        NationalComparison.objects.all().delete()
    code = cast.organisations["council"].code
    client = Client(HTTP_HOST="localhost")
    client.force_login(cast.users["partnership.lead"])
    pages = {
        "dashboard": reverse("insight:area", args=[code]) + query,
        "findings": reverse("insight:findings", args=[code]) + query,
        "drill-down (domestic-abuse notifications)": reverse(
            "insight:area-list", args=[code, "da-notifications"]
        )
        + query,
    }
    print(f"database: {connection.vendor}; area: {cast.organisations['council'].name}; runs: {args.runs}")
    for name, url in pages.items():
        began = time.perf_counter()
        assert client.get(url).status_code == 200  # warm: templates compiled, rules read, comparison kept
        first = (time.perf_counter() - began) * 1000
        if args.profile and name == "dashboard":
            cProfile.runctx("client.get(url)", globals(), locals(), sort="cumulative")
        times = []
        for _ in range(args.runs):
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200
        print(
            f"{name}: p50 {statistics.median(times):.0f} ms, p95 {percentile(times, 0.95):.0f} ms, "
            f"best {min(times):.0f} ms; the first {first:.0f} ms"
        )
    # The two parts the dashboard reads most rows for, alone: the monthly trends of the area, and the national
    # comparison worked out afresh (the dashboard keeps it for 15 minutes).
    if args.year:
        period = Period(dt.date(args.year, 4, 1), dt.date(args.year + 1, 3, 31))
    elif args.scenario:
        period = Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    else:
        period = default_period()
    council = cast.organisations["council"]
    parts = {
        "monthly trends": lambda: monthly_trends(council=council, period=period),
        f"national comparison ({len(active_councils(period))} active areas)": lambda: national_comparison(
            period
        ),
    }
    for name, part in parts.items():
        times = []
        for _ in range(max(5, args.runs // 4)):
            began = time.perf_counter()
            part()
            times.append((time.perf_counter() - began) * 1000)
        print(f"{name}: p50 {statistics.median(times):.0f} ms, best {min(times):.0f} ms")


if __name__ == "__main__":
    main()
