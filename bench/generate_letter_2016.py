"""Time ``openmash generate --scenario letter-2016`` (what ``make demo`` loads) into a fresh database, then each
area's full measures for the year (``insight.measures.area_measures``, what ``openmash inspect`` prints).

    .venv/bin/python bench/generate_letter_2016.py                     # SQLite, a fresh temporary database
    .venv/bin/python bench/generate_letter_2016.py --fraction 0.01     # five times the demo's volumes
    .venv/bin/python bench/generate_letter_2016.py --database-url postgres://postgres@127.0.0.1:54343/letter

Prints the generation's wall clock and process CPU seconds, what was made, and for each area the best and
median of three timings of its measures.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import django_in_process


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="")
    parser.add_argument("--fraction", type=float, default=None)
    parser.add_argument("--seed", type=int, default=2016)
    args = parser.parse_args()
    os.environ["OPENMASH_DEMO"] = "true"
    django_in_process(args.database_url, prefix="openmash-bench-letter-")
    from django.core.management import call_command

    from openmash.demo.letter2016 import AREAS, DEFAULT_SCALE, generate_letter_2016
    from openmash.insight.measures import Period, area_measures
    from openmash.organisations.models import Organisation, OrganisationKind
    from openmash.organisations.services import reference_load

    call_command("migrate", verbosity=0)
    reference_load()
    began, cpu = time.monotonic(), time.process_time()
    generated = generate_letter_2016(seed=args.seed, scale=args.fraction or DEFAULT_SCALE)
    seconds, cpu_seconds = time.monotonic() - began, time.process_time() - cpu
    print(f"generated in {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU: {generated.counts}")
    year = Period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    for area in AREAS:
        council = Organisation.objects.get(kind=OrganisationKind.COUNCIL, name=area.council)
        timings = []
        for _ in range(3):
            start = time.monotonic()
            area_measures(council=council, period=year)
            timings.append((time.monotonic() - start) * 1000)
        print(
            f"{area.council:<22} measures best {min(timings):.0f} ms, median {statistics.median(timings):.0f} ms"
        )


if __name__ == "__main__":
    main()
