"""What the API accepts: instants as ISO 8601 strings read by the one London rule, plausible dates, text that
fits its column and holds no character a database refuses. Checked while parsing, so a bad value is a 422
naming its field before anything is written."""

import datetime as dt
import re
from typing import Annotated, Any

from django.db import models
from ninja import Field, Schema
from pydantic import BeforeValidator, field_validator
from pydantic_core import PydanticCustomError

from openmash.lib.instants import EARLIEST_BIRTH, EARLIEST_EVENT, NonexistentLocalTime, london_to_utc

# A date first (and, for an instant, a time): a number, or a string of digits, would otherwise be read as
# seconds since 1970.
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")
EARLIEST_EVENT_TEXT = f"{EARLIEST_EVENT:%-d %B %Y}"


def _refused(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid", message)


def _instant(value: Any) -> dt.datetime:
    example = "2026-11-20T21:30:00+00:00"
    if isinstance(value, dt.datetime):  # already parsed (a schema built in code)
        parsed = value
    elif isinstance(value, str) and _ISO_INSTANT.match(value):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError as error:
            raise _refused(f"Give a real date and time, like {example}") from error
    else:
        raise _refused(f"Give the date and time as an ISO 8601 string, like {example}, not a number")
    try:
        instant = london_to_utc(parsed)
    except NonexistentLocalTime as error:
        raise _refused(str(error)) from error
    except OverflowError as error:  # the first or last hours a datetime holds, moved past its range
        raise _refused(f"Give a date and time between {EARLIEST_EVENT_TEXT} and now") from error
    if instant < EARLIEST_EVENT:
        raise _refused(f"Give a date and time on or after {EARLIEST_EVENT_TEXT}")
    return instant


def _iso_date(value: Any) -> dt.date:
    example = "2015-04-02"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif isinstance(value, str) and _ISO_DATE.match(value):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError as error:
            raise _refused(f"Give a real date, like {example}") from error
    else:
        raise _refused(f"Give the date as an ISO 8601 string, like {example}, not a number")
    return day


def _birth_date(value: Any) -> dt.date:
    day = _iso_date(value)
    if day < EARLIEST_BIRTH:
        raise _refused(f"Date of birth must be on or after {EARLIEST_BIRTH:%-d %B %Y}")
    return day


# Without an offset, Europe/London wall time (openmash.lib.instants.london_to_utc); always given back in UTC.
Instant = Annotated[dt.datetime, BeforeValidator(_instant)]
BirthDate = Annotated[dt.date, BeforeValidator(_birth_date)]
# A date searched for: any real date (an implausible one simply finds nobody).
SearchDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def column(model: type[models.Model], name: str, default: Any = ..., **extra: Any) -> Any:
    """A string field as long as ``model.name``'s column at most: the one source of its maxLength."""
    max_length = model._meta.get_field(name).max_length  # type: ignore[union-attr]
    return Field(default, max_length=max_length, **extra)


# NUL (PostgreSQL refuses it) and surrogates (JSON's "\ud800" escapes, unpaired: not Unicode text).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why no database would keep ``value`` as text, or None."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "Remove the NUL character (\\u0000)"
    return "Remove the unpaired surrogate: it is not a character"


class Input(Schema):
    """The base of every input schema: no string anywhere in it holds a character a database refuses."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and (problem := text_problem(text)):
                raise _refused(problem)
        return value
