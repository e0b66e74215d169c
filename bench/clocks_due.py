"""Time the clock engine's batch path: 1,000,000 mixed starts for several rules.

Run from the repository root: .venv/bin/python bench/clocks_due.py [count]
Starts are spread over three years, at any second, half in UTC and half in Europe/London, as stored clocks
would be. Each rule is timed cold (fresh calendars) once, then warm.
"""

import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openmash.clocks import engine

RULES = [
    ("referral-decision", "england"),
    ("assessment", "england"),
    ("assessment", "scotland"),
    ("first-review-conference", "northern-ireland"),
    ("dbs-enhanced", "wales"),
    ("da-notification", "england"),
    ("police-protection-max", "scotland"),
    ("encompass", "england"),
]
TERM_BREAKS = [(date(year, 7, 22), date(year, 9, 2)) for year in range(2024, 2028)]


def starts(count: int) -> list[datetime]:
    rng = random.Random(2016)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    span = 3 * 365 * 86400
    out = [base + timedelta(seconds=rng.randrange(span)) for _ in range(count)]
    return [moment if i % 2 else moment.astimezone(engine.LONDON) for i, moment in enumerate(out)]


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    batch = starts(count)
    print(f"{count:,} starts, 2024-2026, half UTC and half Europe/London")
    print(f"{'rule':<26} {'nation':<17} {'cold s':>7} {'warm s':>7} {'us/start':>9}")
    for rule_id, nation in RULES:
        engine._bank_holidays.cache_clear()
        engine._WORKING_DAYS = {n: engine._WorkingDays(n) for n in engine.Nation}
        timings = []
        for _ in range(2):
            began = time.perf_counter()
            result = engine.due_many(rule_id, batch, nation=nation, term_breaks=TERM_BREAKS)
            timings.append(time.perf_counter() - began)
        assert len(result) == count
        print(
            f"{rule_id:<26} {nation:<17} {timings[0]:7.3f} {timings[1]:7.3f} {timings[1] / count * 1e6:9.3f}"
        )


if __name__ == "__main__":
    main()
