"""Checking the instants people record: given, with a time zone, and (for what has happened) not in the future.

A device a few minutes fast must not make "just now" look like the future, so "in the past" allows
``CLOCK_SKEW``. Framework-free: the caller passes ``now``.
"""

import datetime as dt
from zoneinfo import ZoneInfo

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


LONDON = ZoneInfo("Europe/London")
NOT_A_LONDON_TIME = (
    "That time did not happen in London: clocks went forward an hour that night. "
    "Give the time with its offset from UTC"
)
# The earliest instant an event can have happened at, and the earliest date of birth: anything before is a
# typing slip (0001-01-01, 1900) that would otherwise overflow or poison every clock counted from it.
EARLIEST_EVENT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
EARLIEST_BIRTH = dt.date(1900, 1, 1)


class NonexistentLocalTime(ValueError):
    """A London wall time inside the spring-forward gap: no instant had it."""


def london_to_utc(value: dt.datetime) -> dt.datetime:
    """An instant given without an offset, read as Europe/London wall time, in UTC.

    The one rule for every entry point (forms, API, imports): a time in the hour the clocks skip in spring is
    refused (``NonexistentLocalTime``); a time in the hour they repeat in autumn is read as its first
    occurrence, British Summer Time (``fold=0``). A value that already has an offset is only converted."""
    if value.utcoffset() is not None:
        return value.astimezone(dt.UTC)
    aware = value.replace(tzinfo=LONDON, fold=0)
    instant = aware.astimezone(dt.UTC)
    if instant.astimezone(LONDON).replace(tzinfo=None) != value.replace(fold=0):
        raise NonexistentLocalTime(NOT_A_LONDON_TIME)
    return instant
