import datetime as dt

from django import template
from django.utils import timezone

from openmash.lib import govuk
from openmash.ui.forms import error_summary_items

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, for dictionaries keyed by a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def govuk_datetime(value: dt.datetime | None) -> str:
    """An instant as GOV.UK writes it, in London time: "2 December 2026 at 9:05am", "at midday"."""
    return govuk.govuk_datetime(value)


@register.filter
def govuk_date(value: dt.date | dt.datetime | None) -> str:
    """A date as GOV.UK writes it, always with the year: "2 December 2026" (an instant's date in London)."""
    return govuk.govuk_date(value)


@register.filter
def govuk_time(value: dt.time | dt.datetime | None) -> str:
    """A time of day as GOV.UK writes it: "8:30am", "midday"."""
    if value is None:
        return ""
    if isinstance(value, dt.time):
        value = timezone.make_aware(dt.datetime.combine(dt.date(2026, 1, 1), value))
    return govuk.govuk_time(value)


@register.filter
def error_summary_links(form) -> list[tuple[str, str]]:
    """A form's errors as (link target, message), for ``includes/error_summary.html``."""
    return error_summary_items(form) if form is not None and form.is_bound else []


@register.filter
def govuk_age(value: dt.date | None) -> str:
    """A date of birth as an age today: "9 years old", "14 months old"."""
    return govuk.govuk_age(value)
