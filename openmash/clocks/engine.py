"""Statutory clocks: when each safeguarding deadline falls. Framework-free.

The rules are data (``rules/<nation>.toml``); the counting conventions are those of domain.md section 3:

- Instants are aware datetimes; reasoning is in Europe/London local time and every deadline is returned in it.
- "N working days from day D": D, the local date of the start, is day 0; the deadline is the end of the Nth
  weekday after D that is not a bank holiday of the nation (``holidays.UK`` subdivisions; that package lists a
  bank holiday falling at a weekend as well as its substitute weekday, so only weekdays are counted).
- "N days" (calendar) and "N months" (same day-of-month, clamped to a shorter month's last day) also end at
  the end of the local day.
- "N hours": N elapsed hours from the start, so 24 hours across a clock change is 24 real hours.
- "Next school-day start": the first school-day start strictly after the start; school days skip weekends,
  bank holidays and configured term breaks.

"The end of a day" is 23:59:59 local with microsecond 0: a deadline is an instant a person can read, and an
event stamped 23:59:59.5 on the last day is rare enough to accept as late rather than show 23:59:59.999999.
"""

from __future__ import annotations

import calendar
import functools
import re
import threading
import tomllib
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType

import holidays

from openmash.lib.instants import LONDON, london_to_utc

END_OF_DAY = time(23, 59, 59)
RULES_DIR = Path(__file__).parent / "rules"
# Far beyond any statutory figure; stops a mistyped override from building centuries of calendar.
MAX_AMOUNT = 10_000
# A school-day search that runs this far has been given term breaks that cover everything.
_MAX_SCHOOL_DAY_SEARCH = 3660


class Nation(StrEnum):
    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"

    @property
    def subdivision(self) -> str:
        """The ``holidays.UK`` subdivision code."""
        return _SUBDIVISIONS[self]


_SUBDIVISIONS = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}


class Unit(StrEnum):
    WORKING_DAYS = "working_days"
    DAYS = "days"
    HOURS = "hours"
    MONTHS = "months"
    SCHOOL_DAY_START = "school_day_start"


# An area may re-express a local default in any unit an area is known to use ("24 h to 3 days").
OVERRIDABLE_UNITS = frozenset({Unit.WORKING_DAYS, Unit.DAYS, Unit.HOURS, Unit.MONTHS})


@dataclass(frozen=True, slots=True)
class Rule:
    """One clock: what starts it and how its deadline is counted."""

    id: str
    title: str
    starts: str
    unit: Unit
    amount: int
    local_default: bool
    source: str
    # Only for school_day_start rules: the start of the school day when the area sets none.
    default_school_day_start: time | None = None
    # A service standard met by a share of cases rather than by each (DBS: 80% within 14 days).
    target_share: float | None = None
    # A duty to a child, not to each thing that raised it: while one clock of the rule is open for a child at
    # an organisation, whatever else would start it (another incident, police protection, a front-door
    # decision) is met by the same work, so no second clock starts (one strategy discussion, one clock).
    one_per_child: bool = False


# ---------------------------------------------------------------------------------------------------------
# Rules as data


_RULE_KEYS = {
    "id",
    "title",
    "starts",
    "local_default",
    "source",
    "default_school_day_start",
    "target_share",
    "one_per_child",
}


def _rule_from_toml(raw: Mapping[str, object], where: str) -> Rule:
    units = [unit for unit in Unit if unit.value in raw]
    unknown = set(raw) - _RULE_KEYS - {unit.value for unit in Unit}
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    if len(units) != 1:
        raise ValueError(f"{where}: give exactly one deadline of {[u.value for u in Unit]}")
    unit = units[0]
    if unit is Unit.SCHOOL_DAY_START:
        if raw[unit.value] is not True:
            raise ValueError(f"{where}: school_day_start must be true")
        amount = 1
        configured = raw.get("default_school_day_start", time(8, 30))
        if not isinstance(configured, time):
            raise ValueError(f"{where}: default_school_day_start must be a TOML local time such as 08:30:00")
        default_start: time | None = configured
    else:
        amount = _amount(raw[unit.value], where)
        default_start = None
    share = raw.get("target_share")
    if share is not None and not (isinstance(share, float) and 0 < share <= 1):
        raise ValueError(f"{where}: target_share must be a fraction such as 0.8")
    target_share = share if isinstance(share, float) else None
    for key in ("id", "title", "starts", "source"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ValueError(f"{where}: {key} must be a non-empty string")
    if not isinstance(raw.get("local_default"), bool):
        raise ValueError(f"{where}: local_default must be true or false")
    if not isinstance(raw.get("one_per_child", False), bool):
        raise ValueError(f"{where}: one_per_child must be true or false")
    return Rule(
        id=str(raw["id"]),
        title=str(raw["title"]),
        starts=str(raw["starts"]),
        unit=unit,
        amount=amount,
        local_default=bool(raw["local_default"]),
        source=str(raw["source"]),
        default_school_day_start=default_start,
        target_share=target_share,
        one_per_child=bool(raw.get("one_per_child", False)),
    )


def _amount(value: object, where: str) -> int:
    # bool is an int subclass: `hours = true` is a typo, not 1 hour.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_AMOUNT:
        raise ValueError(f"{where}: the figure must be a whole number from 1 to {MAX_AMOUNT}, not {value!r}")
    return value


def _nation(value: Nation | str) -> Nation:
    try:
        return Nation(value)
    except ValueError:
        raise ValueError(f"unknown nation {value!r}; expected one of {[n.value for n in Nation]}") from None


def load_rules(nation: Nation | str = Nation.ENGLAND) -> Mapping[str, Rule]:
    """The nation's rules by id, read once from its TOML file (read-only)."""
    return _load_rules(_nation(nation))


@functools.cache
def _load_rules(nation: Nation) -> Mapping[str, Rule]:
    path = RULES_DIR / f"{nation.value}.toml"
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    rules: dict[str, Rule] = {}
    for index, raw in enumerate(data.get("rules", [])):
        rule = _rule_from_toml(raw, f"{path.name} rule {index + 1}")
        if rule.id in rules:
            raise ValueError(f"{path.name}: rule {rule.id!r} appears twice")
        rules[rule.id] = rule
    if nation is not Nation.ENGLAND and set(rules) != set(_load_rules(Nation.ENGLAND)):
        # Every nation answers for every clock, so callers never need to ask which exist where.
        raise ValueError(f"{path.name}: its rule ids differ from england.toml's")
    return MappingProxyType(rules)


def rule_ids() -> tuple[str, ...]:
    """Every rule id, in the order of england.toml."""
    return tuple(_load_rules(Nation.ENGLAND))


def _resolve(rule_id: str, nation: Nation, overrides: Mapping[str, Mapping[str, int]] | None) -> Rule:
    rules = _load_rules(nation)
    if rule_id not in rules:
        raise ValueError(f"unknown rule {rule_id!r}; expected one of {list(rules)}")
    chosen = rules[rule_id]
    # Every override is checked, not only this rule's, so a bad area setting fails on first use.
    for overridden, figure in (overrides or {}).items():
        rule = rules.get(overridden)
        if rule is None:
            raise ValueError(f"cannot override unknown rule {overridden!r}")
        if not rule.local_default:
            raise ValueError(f"rule {overridden!r} is not a local default: an area may not change it")
        if not isinstance(figure, Mapping) or len(figure) != 1:
            raise ValueError(f"override for {overridden!r} must be one figure, such as {{'working_days': 3}}")
        ((unit_name, value),) = figure.items()
        if unit_name not in {unit.value for unit in OVERRIDABLE_UNITS}:
            raise ValueError(
                f"override for {overridden!r}: unit {unit_name!r} is not one of "
                f"{sorted(unit.value for unit in OVERRIDABLE_UNITS)}"
            )
        amount = _amount(value, f"override for {overridden!r}")
        if overridden == rule_id:
            chosen = replace(rule, unit=Unit(unit_name), amount=amount)
    return chosen


# ---------------------------------------------------------------------------------------------------------
# Calendars


def bank_holidays(year: int, nation: Nation | str = Nation.ENGLAND) -> frozenset[date]:
    """The nation's bank holidays in ``year``, weekend dates included as the holidays package lists them."""
    return _bank_holidays(_nation(nation), year)


@functools.cache
def _bank_holidays(nation: Nation, year: int) -> frozenset[date]:
    listed = holidays.UK(subdiv=nation.subdivision, years=year)
    return frozenset(day for day in listed if day.year == year)


def is_working_day(day: date, nation: Nation | str = Nation.ENGLAND) -> bool:
    """A weekday that is not a bank holiday of the nation."""
    return day.weekday() < 5 and day not in _bank_holidays(_nation(nation), day.year)


class _WorkingDays:
    """One nation's working days as sorted ordinals over whole years, grown on demand."""

    def __init__(self, nation: Nation) -> None:
        self._nation = nation
        self._lock = threading.Lock()
        # (first year, last year, ordinals), replaced whole so readers never see a half-built table.
        self._table: tuple[int, int, list[int]] = (1, 0, [])

    def add(self, day: date, n: int) -> date:
        ordinal = day.toordinal()
        while True:
            first, last, days = self._table
            index = bisect_right(days, ordinal) + n - 1
            if first <= day.year <= last and index < len(days):
                return date.fromordinal(days[index])
            # Every year has over 200 working days, so this many extra years always holds the answer.
            self._grow(day.year, day.year + n // 200 + 1)

    def _grow(self, first: int, last: int) -> None:
        with self._lock:
            old_first, old_last, _ = self._table
            if old_first <= old_last:
                first, last = min(first, old_first), max(last, old_last)
            start, end = date(first, 1, 1).toordinal(), date(last, 12, 31).toordinal()
            days = [
                ordinal
                for ordinal in range(start, end + 1)
                if is_working_day(date.fromordinal(ordinal), self._nation)
            ]
            self._table = (first, last, days)


_WORKING_DAYS = {nation: _WorkingDays(nation) for nation in Nation}


def add_working_days(day: date, n: int, nation: Nation | str = Nation.ENGLAND) -> date:
    """The nth working day after ``day`` (``day`` itself is day 0, whether or not it is a working day)."""
    return _WORKING_DAYS[_nation(nation)].add(day, _amount(n, "working days"))


def add_months(day: date, n: int) -> date:
    """The same day-of-month n months later, clamped to the last day of a shorter month."""
    months = day.year * 12 + day.month - 1 + n
    year, month = divmod(months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


# ---------------------------------------------------------------------------------------------------------
# Instants


def parse_instant(text: str) -> datetime:
    """An ISO 8601 date and time as an aware UTC datetime; without an offset it is Europe/London time.

    Read by the one rule for times without an offset (``openmash.lib.instants.london_to_utc``): a wall time
    in the spring-forward gap names no instant and is refused (``NonexistentLocalTime``, a ValueError); one
    in the repeated autumn hour is its first occurrence, British Summer Time.
    """
    cleaned = text.strip()
    if not re.search(r"\d[Tt ]\d", cleaned):
        raise ValueError(f"{text!r} is not an ISO 8601 date and time")
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date and time") from None
    return london_to_utc(value)


def _end_of(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def _naive(start: object) -> ValueError:
    return ValueError(f"start {start!r} has no time zone; give an aware datetime (see parse_instant)")


# ---------------------------------------------------------------------------------------------------------
# Deadlines


@dataclass(frozen=True, slots=True)
class _School:
    nation: Nation
    starts_at: time
    breaks: tuple[tuple[int, int], ...]  # inclusive ordinal ranges

    def is_school_day(self, day: date) -> bool:
        ordinal = day.toordinal()
        return is_working_day(day, self.nation) and not any(a <= ordinal <= b for a, b in self.breaks)

    def start_of(self, day: date) -> datetime:
        # fold=0: a start set inside a repeated hour means its first occurrence.
        return datetime.combine(day, self.starts_at, tzinfo=LONDON)

    def next_after(self, day: date) -> date:
        for offset in range(1, _MAX_SCHOOL_DAY_SEARCH):
            candidate = day + timedelta(days=offset)
            if self.is_school_day(candidate):
                return candidate
        raise ValueError(f"no school day within ten years after {day}: check the term breaks")


def _school(
    rule: Rule, nation: Nation, term_breaks: Iterable[tuple[date, date]], starts_at: time | None
) -> _School:
    breaks = []
    for first, last in term_breaks:
        # datetime is a date subclass; a datetime here is a mistake, not a whole day.
        if not all(type(end) is date for end in (first, last)) or first > last:
            raise ValueError(f"term break ({first!r}, {last!r}) must be two dates, first <= last")
        breaks.append((first.toordinal(), last.toordinal()))
    chosen = starts_at or rule.default_school_day_start or time(8, 30)
    if chosen.tzinfo is not None:
        raise ValueError("school_day_start is a local time of day: give it without a time zone")
    return _School(nation=nation, starts_at=chosen, breaks=tuple(breaks))


_Entry = tuple[datetime | None, datetime, datetime]


def _entry(rule: Rule, school: _School, start: datetime) -> _Entry:
    """(threshold, due if start is before it, due otherwise), for every start on the same London date."""
    day = start.astimezone(LONDON).date()
    if rule.unit is Unit.WORKING_DAYS:
        deadline = _end_of(_WORKING_DAYS[school.nation].add(day, rule.amount))
    elif rule.unit is Unit.DAYS:
        deadline = _end_of(day + timedelta(days=rule.amount))
    elif rule.unit is Unit.MONTHS:
        deadline = _end_of(add_months(day, rule.amount))
    elif rule.unit is Unit.SCHOOL_DAY_START:
        later = school.start_of(school.next_after(day))
        if school.is_school_day(day):
            today = school.start_of(day)
            # A London start is compared with this by wall time, ignoring fold; that is exact here because
            # clocks change on Sundays, never school days.
            return today, today, later
        return None, later, later
    else:
        raise AssertionError(rule.unit)
    return None, deadline, deadline


def due_many(
    rule_id: str,
    starts: Iterable[datetime],
    *,
    nation: Nation | str = Nation.ENGLAND,
    overrides: Mapping[str, Mapping[str, int]] | None = None,
    term_breaks: Sequence[tuple[date, date]] = (),
    school_day_start: time | None = None,
) -> list[datetime]:
    """The deadline for each start, in Europe/London; see ``due``. Fast for many starts sharing dates."""
    place = _nation(nation)
    rule = _resolve(rule_id, place, overrides)
    out: list[datetime] = []
    append = out.append
    if rule.unit is Unit.HOURS:
        delta = timedelta(hours=rule.amount)
        for start in starts:
            if start.tzinfo is not UTC:
                if start.utcoffset() is None:
                    raise _naive(start)
                # Aware arithmetic in a zone adds wall-clock time; elapsed hours must be added in UTC.
                start = start.astimezone(UTC)
            append((start + delta).astimezone(LONDON))
        return out

    school = _school(rule, place, term_breaks, school_day_start)
    # Each answer depends only on the start's London date (and, for school days, on one threshold within it),
    # so it is cached per date. London is 0 to 2 hours ahead of UTC, so a UTC date splits only from 22:00.
    utc_cache: dict[int, _Entry] = {}
    london_cache: dict[int, _Entry] = {}
    for start in starts:
        zone = start.tzinfo
        if zone is LONDON:
            cache, key = london_cache, start.toordinal()
        elif zone is UTC:
            hour = start.hour
            cache, key = utc_cache, start.toordinal() * 24 + (hour if hour >= 22 else 0)
        else:
            if start.utcoffset() is None:
                raise _naive(start)
            start = start.astimezone(LONDON)
            cache, key = london_cache, start.toordinal()
        entry = cache.get(key)
        if entry is None:
            entry = cache[key] = _entry(rule, school, start)
        threshold, before, after = entry
        append(before if threshold is not None and start < threshold else after)
    return out


def due(
    rule_id: str,
    start: datetime,
    *,
    nation: Nation | str = Nation.ENGLAND,
    overrides: Mapping[str, Mapping[str, int]] | None = None,
    term_breaks: Sequence[tuple[date, date]] = (),
    school_day_start: time | None = None,
) -> datetime:
    """When the clock ``rule_id`` started at ``start`` falls due, as an aware Europe/London datetime.

    ``overrides`` maps a local-default rule id to one figure, such as ``{"strategy-discussion":
    {"working_days": 3}}`` or ``{"da-notification": {"hours": 12}}``. ``term_breaks`` (inclusive date pairs)
    and ``school_day_start`` count only for school-day rules, so an area's settings can be passed to every call.
    """
    return due_many(
        rule_id,
        (start,),
        nation=nation,
        overrides=overrides,
        term_breaks=term_breaks,
        school_day_start=school_day_start,
    )[0]
