"""Dates and times as GOV.UK writes them, in UK time: "2 December 2026", "2 December 2026 at 9:05am"."""

import datetime as dt

from django.utils import timezone


def govuk_date(value: dt.date | dt.datetime | None) -> str:
    """A date with its year always (an instant's date in UK time)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y}"


def govuk_time(value: dt.datetime) -> str:
    """ "9:05am", "midday", "midnight": no seconds, no leading zero."""
    local = timezone.localtime(value)
    if (local.hour, local.minute) == (12, 0):
        return "midday"
    if (local.hour, local.minute) == (0, 0):
        return "midnight"
    return f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"


def govuk_datetime(value: dt.datetime | None) -> str:
    """An instant in UK time: "2 December 2026 at 9:05am", "at midday"."""
    if value is None:
        return ""
    return f"{govuk_date(value)} at {govuk_time(value)}"


def age_in_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def govuk_age(born: dt.date | None, on: dt.date | None = None) -> str:
    """A child's age in words: "9 years old"; under 2, in months ("14 months old"); "" when not known."""
    if born is None:
        return ""
    on = on or timezone.localdate()
    years = age_in_years(born, on)
    if years >= 2:
        return f"{years} years old"
    months = (on.year - born.year) * 12 + on.month - born.month - (on.day < born.day)
    if months < 1:
        return "under a month old"
    return f"{months} month{'s' if months != 1 else ''} old"
