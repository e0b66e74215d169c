"""The retention rules (rules.toml) and the dates they give. Framework-free arithmetic, tested on its own."""

import datetime as dt
import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

RULES_FILE = Path(__file__).with_name("rules.toml")

LOOKED_AFTER = "looked-after"
CHILD_PROTECTION = "child-protection"
CHILD_IN_NEED = "child-in-need"
DOMESTIC_ABUSE_NFA = "domestic-abuse-no-further-action"
MULTI_AGENCY_RECORD = "multi-agency-record"
PERSON_DETAILS = "person-details"


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    applies_to: str
    keep_from: str
    birthday: int | None  # kept at least until this birthday
    years_after: int | None  # and at least this many years after the record's own date
    source: str
    url: str
    statutory: bool = False  # its figures are the law's: an area may raise them, not lower them

    def with_figures(self, *, birthday: int | None, years_after: int | None) -> "Rule":
        """This rule with an area's own figures, where it set them (only the parts the rule has)."""
        return replace(
            self,
            birthday=birthday if birthday is not None and self.birthday is not None else self.birthday,
            years_after=years_after
            if years_after is not None and self.years_after is not None
            else self.years_after,
        )

    def kept_until(self) -> str:
        """In words: "the 25th birthday, and 6 years after the end of the plan"."""
        parts = []
        if self.birthday is not None:
            parts.append(f"the {ordinal(self.birthday)} birthday")
        if self.years_after is not None:
            parts.append(f"{self.years_after} years after {self.keep_from.split(', and ')[-1]}")
        return ", and ".join(parts)

    def keep_until(
        self, *, date_of_birth: dt.date | None, record_date: dt.date | None, child: bool = True
    ) -> dt.date | None:
        """The first day the record may go: the later of the birthday and the years after the record's date.
        A birthday counts only for a child's record (``child``). None while it cannot be worked out (no date
        of birth where a birthday counts; a status still open)."""
        dates = []
        if self.birthday is not None and child:
            if date_of_birth is None:
                return None
            dates.append(years_later(date_of_birth, self.birthday))
        if self.years_after is not None:
            if record_date is None:
                return None
            dates.append(years_later(record_date, self.years_after))
        return max(dates) if dates else None


def ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def years_later(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later; 29 February becomes 1 March in a year without one (a person born on 29
    February reaches an age on 1 March in such a year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


@cache
def rules() -> dict[str, Rule]:
    with RULES_FILE.open("rb") as handle:
        raw = tomllib.load(handle)
    found = {}
    for key, values in raw.items():
        if values.get("birthday") is None and values.get("years_after") is None:
            raise ValueError(f"retention rule {key} in {RULES_FILE} has neither a birthday nor years_after")
        found[key] = Rule(
            key=key,
            label=values["label"],
            applies_to=values["applies_to"],
            keep_from=values["from"],
            birthday=values.get("birthday"),
            years_after=values.get("years_after"),
            source=" ".join(values["source"].split()),
            url=values["url"],
            statutory=bool(values.get("statutory", False)),
        )
    return found
