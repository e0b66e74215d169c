import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, for dictionaries keyed by a variable."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def govuk_datetime(value: dt.datetime | None) -> str:
    """An instant as GOV.UK writes it, in London time: "2 December 2026 at 9:05am", "at midday"."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if (local.hour, local.minute) == (12, 0):
        time = "midday"
    elif (local.hour, local.minute) == (0, 0):
        time = "midnight"
    else:
        time = f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    return f"{local.day} {local:%B %Y} at {time}"
