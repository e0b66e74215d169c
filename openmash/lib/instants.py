"""Checking the instants people record: given, with a time zone, and (for what has happened) not in the future.

A device a few minutes fast must not make "just now" look like the future, so "in the past" allows
``CLOCK_SKEW``. Framework-free: the caller passes ``now``.
"""

import datetime as dt

CLOCK_SKEW = dt.timedelta(minutes=5)
NO_TIME_ZONE = "Give the time with its offset from UTC, or as Europe/London local time"


def is_future(value: dt.datetime, now: dt.datetime) -> bool:
    """Later than now by more than a device's clock may be fast."""
    return value > now + CLOCK_SKEW


def instant_problem(
    value: dt.datetime | None, *, now: dt.datetime, missing: str, future: str = ""
) -> str | None:
    """What is wrong with a recorded instant, or None: ``missing`` when there is none, a time zone asked for
    when it has none, and ``future`` (when given) when it has not happened yet."""
    if value is None:
        return missing
    if value.utcoffset() is None:
        return NO_TIME_ZONE
    if future and is_future(value, now):
        return future
    return None
