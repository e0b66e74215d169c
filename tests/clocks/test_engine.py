"""The clock engine against hand-checked dates, and its handling of bad input.

Bank holidays used below (gov.uk/bank-holidays and the nations' own proclamations; the holidays package agrees):
- All nations 2025: 25 Dec Thu, 26 Dec Fri. 2026: 1 Jan Thu, Good Friday 3 Apr, 25 Dec Fri, 28 Dec Mon
  (substitute for Boxing Day, Sat 26 Dec). 2027: 1 Jan Fri.
- England, Wales, Northern Ireland only: Easter Monday (6 Apr 2026).
- Scotland only: 2 Jan (Fri 2 Jan 2026; in 2027 it is a Saturday, substitute Mon 4 Jan), St Andrew's Day
  (30 Nov; Sun in 2025, substitute Mon 1 Dec 2025).
- Northern Ireland only: St Patrick's Day (Tue 17 Mar 2026), Battle of the Boyne (12 Jul; Sun in 2026,
  substitute Mon 13 Jul).
Summer time 2026: from 01:00 UTC Sun 29 Mar to 01:00 UTC Sun 25 Oct.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from openmash.clocks.engine import (
    LONDON,
    Nation,
    Unit,
    add_months,
    add_working_days,
    due,
    due_many,
    load_rules,
    parse_instant,
    rule_ids,
)

E, W, S, NI = Nation.ENGLAND, Nation.WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND
ALL = (E, W, S, NI)


def at(y: int, m: int, d: int, h: int = 10, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    """A Europe/London wall time."""
    return datetime(y, m, d, h, mi, s, us, tzinfo=LONDON)


def end(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=LONDON)


def same_instant(a: datetime, b: datetime) -> bool:
    # Compared in UTC: London datetimes compare by wall time and ignore fold.
    return a.astimezone(UTC) == b.astimezone(UTC) and a.utcoffset() == b.utcoffset()


# fmt: off
# A table reads best one case to a line or two.
CASES = [
    # rule, nations, start, expected, why
    ("referral-decision", ALL, at(2025, 12, 24), end(2025, 12, 29),
     "Wed 24 Dec; Thu 25 and Fri 26 bank holidays, Sat 27 and Sun 28 weekend: Mon 29"),
    ("referral-decision", ALL, at(2025, 12, 23, 23, 30), end(2025, 12, 24),
     "Tue 23 Dec late evening: Wed 24 is a working day"),
    ("referral-decision", (E, W, NI), at(2025, 12, 31), end(2026, 1, 2),
     "Wed 31 Dec; Thu 1 Jan bank holiday: Fri 2 Jan"),
    ("referral-decision", (S,), at(2025, 12, 31), end(2026, 1, 5),
     "Scotland: Thu 1 and Fri 2 Jan bank holidays, then the weekend: Mon 5 Jan"),
    ("referral-decision", ALL, at(2026, 12, 24), end(2026, 12, 29),
     "Thu 24 Dec 2026; Fri 25 holiday, weekend, Mon 28 substitute for Boxing Day: Tue 29"),
    ("referral-decision", (E, W, NI), at(2026, 12, 31), end(2027, 1, 4),
     "Thu 31 Dec 2026; Fri 1 Jan 2027 holiday, weekend: Mon 4 Jan"),
    ("referral-decision", (S,), at(2026, 12, 31), end(2027, 1, 5),
     "Scotland: Mon 4 Jan 2027 is the substitute for Sat 2 Jan: Tue 5 Jan"),
    ("referral-decision", (E, W, NI), at(2026, 4, 2), end(2026, 4, 7),
     "Thu 2 Apr 2026; Good Friday 3, weekend, Easter Monday 6: Tue 7 Apr (summer time)"),
    ("referral-decision", (S,), at(2026, 4, 2), end(2026, 4, 6),
     "Scotland: Easter Monday is not a bank holiday: Mon 6 Apr"),
    ("serious-incident", (E, W, NI), at(2026, 4, 2), end(2026, 4, 13),
     "5 working days from Thu 2 Apr: Tue 7, Wed 8, Thu 9, Fri 10, Mon 13"),
    ("serious-incident", (S,), at(2026, 4, 2), end(2026, 4, 10),
     "Scotland: Mon 6, Tue 7, Wed 8, Thu 9, Fri 10"),
    ("referral-decision", (E, W, S), at(2026, 3, 16), end(2026, 3, 17), "Mon 16 Mar: Tue 17"),
    ("referral-decision", (NI,), at(2026, 3, 16), end(2026, 3, 18),
     "Northern Ireland: Tue 17 Mar is St Patrick's Day: Wed 18"),
    ("referral-decision", (E, W, S), at(2026, 7, 10), end(2026, 7, 13), "Fri 10 Jul 2026: Mon 13"),
    ("referral-decision", (NI,), at(2026, 7, 10), end(2026, 7, 14),
     "Northern Ireland: Mon 13 Jul substitutes for the Boyne (Sun 12): Tue 14"),
    ("assessment", (E, W, NI), at(2025, 12, 1), end(2026, 2, 5),
     "45 working days from Mon 1 Dec 2025: 20 in December (less 25, 26), Fri 2 Jan is the 21st, then "
     "four full weeks to Fri 30 Jan (41st), Mon 2 to Thu 5 Feb are the 42nd to 45th"),
    ("assessment", (S,), at(2025, 12, 1), end(2026, 2, 6),
     "Scotland: as England but Fri 2 Jan is a holiday, one day later: Fri 6 Feb (1 Dec itself is day 0 "
     "although it is Scotland's St Andrew's substitute)"),
    ("initial-conference", (E, W, NI), at(2026, 3, 23), end(2026, 4, 15),
     "15 working days from Mon 23 Mar 2026: 24-27 (4), 30 Mar-2 Apr (8), 3 and 6 Apr holidays, "
     "7-10 (12), 13-15 (15): Wed 15 Apr"),
    ("initial-conference", (S,), at(2026, 3, 23), end(2026, 4, 20),
     "Scotland: a CPPM within 28 calendar days: Mon 20 Apr"),
    ("referral-decision", ALL, datetime(2025, 7, 3, 23, 30, tzinfo=UTC), end(2025, 7, 7),
     "23:30 UTC Thu 3 Jul is 00:30 Fri 4 Jul in London: day 0 is Friday, so Mon 7 Jul"),
    ("strategy-discussion", ALL, at(2025, 12, 24), end(2025, 12, 29), "local default 1 working day"),
    ("core-group", (E, W, NI), at(2026, 1, 5), end(2026, 1, 19), "10 working days from Mon 5 Jan: Mon 19 Jan"),
    ("core-group", (S,), at(2026, 1, 5), end(2026, 1, 26), "Scotland: 15 working days: Mon 26 Jan"),
    ("escalation-stage", ALL, at(2026, 1, 5), end(2026, 1, 12), "5 working days from Mon 5 Jan: Mon 12 Jan"),
    # Months: the same day-of-month, clamped.
    ("first-review-conference", (E, W, NI), at(2025, 11, 30), end(2026, 2, 28),
     "3 months from 30 Nov 2025: 30 Feb does not exist, 2026 is not a leap year: 28 Feb"),
    ("first-review-conference", (E, W, NI), at(2027, 11, 30), end(2028, 2, 29), "2028 is a leap year: 29 Feb"),
    ("first-review-conference", (S,), at(2025, 11, 30), end(2026, 5, 30), "Scotland: review CPPM in 6 months"),
    ("first-review-conference", (E, W, NI), datetime(2026, 5, 31, 23, 30, tzinfo=UTC), end(2026, 9, 1),
     "23:30 UTC Sun 31 May is 00:30 BST Mon 1 Jun, so day 0 is 1 Jun: 1 Sep, not 31 Aug"),
    ("review-conference", ALL, at(2025, 8, 31), end(2026, 2, 28), "6 months from 31 Aug 2025: 28 Feb 2026"),
    ("review-conference", ALL, at(2027, 8, 31), end(2028, 2, 29), "6 months from 31 Aug 2027: 29 Feb 2028"),
    ("review-conference", ALL, at(2026, 3, 31), end(2026, 9, 30), "31 Mar + 6 months: 30 Sep (summer time)"),
    # Hours: elapsed time, across clock changes.
    ("da-notification", ALL, at(2026, 3, 29, 0, 30), at(2026, 3, 30, 1, 30),
     "00:30 GMT on Sun 29 Mar (00:30 UTC) + 24 real hours = 00:30 UTC Mon 30 Mar = 01:30 BST"),
    ("da-notification", ALL, at(2026, 10, 25, 0, 30), at(2026, 10, 25, 23, 30),
     "00:30 BST on Sun 25 Oct (23:30 UTC Sat) + 24 hours = 23:30 UTC Sun = 23:30 GMT"),
    ("police-protection-max", (E, W, NI), at(2026, 3, 27, 12), at(2026, 3, 30, 13),
     "72 hours from Fri 12:00 GMT, across the spring change: Mon 13:00 BST"),
    ("police-protection-max", (S,), at(2026, 3, 27, 12), at(2026, 3, 28, 12),
     "Scotland: a place of safety for at most 24 hours (s56(3))"),
    ("da-notification-high-risk", ALL, at(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30, tzinfo=LONDON),
     "00:30 BST + 1 hour = 01:30 BST, the first of the two 01:30s (fold 0)"),
    ("police-protection-inform", ALL, at(2026, 10, 25, 1, 30), datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON),
     "01:30 BST + 1 hour = 01:30 GMT, the second 01:30 (fold 1)"),
    ("missing-notification", ALL, at(2026, 1, 1, 23, 30), at(2026, 1, 2, 0, 30), "1 hour, across midnight"),
    ("return-interview", ALL, at(2026, 4, 2, 16), at(2026, 4, 5, 16), "72 hours, bank holidays count"),
    # DBS: 14 calendar days, submission day is day 0, ending at the end of the 14th day.
    ("dbs-enhanced", ALL, at(2025, 12, 20, 16), end(2026, 1, 3), "Sat 20 Dec + 14 days = Sat 3 Jan"),
    # Operation Encompass, default 08:30 and no term breaks.
    ("encompass", ALL, at(2026, 1, 16, 20), at(2026, 1, 19, 8, 30), "Friday 20:00: Monday 08:30"),
    ("encompass", ALL, at(2026, 1, 19, 7), at(2026, 1, 19, 8, 30), "Monday 07:00: the same morning"),
    ("encompass", ALL, at(2026, 1, 19, 8, 30), at(2026, 1, 20, 8, 30),
     "at exactly 08:30 the day's start has not come strictly after: Tuesday"),
    ("encompass", ALL, at(2026, 1, 19, 8, 29, 59, 999999), at(2026, 1, 19, 8, 30), "one microsecond before"),
    ("encompass", ALL, at(2025, 12, 24, 9), at(2025, 12, 29, 8, 30),
     "Wed 24 Dec after school start; 25, 26 holidays, weekend: Mon 29 Dec"),
    ("encompass", (E, W, NI), at(2025, 12, 31, 22), at(2026, 1, 2, 8, 30), "New Year: Fri 2 Jan"),
    ("encompass", (S,), at(2025, 12, 31, 22), at(2026, 1, 5, 8, 30), "Scotland: 2 Jan holiday: Mon 5 Jan"),
    ("encompass", (E, W, NI), at(2026, 4, 2, 21), at(2026, 4, 7, 8, 30), "Easter: Tue 7 Apr 08:30 BST"),
    ("encompass", (S,), at(2026, 4, 2, 21), at(2026, 4, 6, 8, 30), "Scotland: Mon 6 Apr"),
    ("encompass", ALL, at(2026, 3, 28, 12), at(2026, 3, 30, 8, 30),
     "Saturday before the spring change: Monday 08:30 BST (07:30 UTC)"),
]
# fmt: on


@pytest.mark.parametrize(
    ("rule_id", "nation", "start", "expected"),
    [
        pytest.param(rule_id, nation, start, expected, id=f"{rule_id}-{nation}-{start:%Y%m%dT%H%M}")
        for rule_id, nations, start, expected, _why in CASES
        for nation in nations
    ],
)
def test_it_matches_hand_checked_dates(rule_id, nation, start, expected):
    got = due(rule_id, start, nation=nation)
    assert same_instant(got, expected), f"{got} != {expected}"
    assert got.tzinfo is LONDON


def test_encompass_skips_configured_term_breaks():
    half_term = [(date(2026, 2, 16), date(2026, 2, 20))]
    # Friday evening before half term, and Wednesday in it: the first school day after is Mon 23 Feb.
    assert due("encompass", at(2026, 2, 13, 18), term_breaks=half_term) == at(2026, 2, 23, 8, 30)
    assert due("encompass", at(2026, 2, 18, 7), term_breaks=half_term) == at(2026, 2, 23, 8, 30)
    christmas = [(date(2025, 12, 22), date(2026, 1, 2))]
    assert due("encompass", at(2025, 12, 19, 19), term_breaks=christmas) == at(2026, 1, 5, 8, 30)
    # Term breaks are ignored by clocks that do not count school days.
    assert due("referral-decision", at(2025, 12, 19), term_breaks=christmas) == end(2025, 12, 22)


def test_encompass_school_day_start_can_be_set():
    assert due("encompass", at(2026, 1, 19, 8, 40), school_day_start=time(8, 45)) == at(2026, 1, 19, 8, 45)
    assert due("encompass", at(2026, 1, 19, 8, 45), school_day_start=time(8, 45)) == at(2026, 1, 20, 8, 45)


def test_encompass_accepts_starts_in_any_zone():
    # 07:45 UTC on Mon 19 Jan is 07:45 GMT; 07:45 UTC on Mon 20 Jul is 08:45 BST, after the start.
    assert due("encompass", datetime(2026, 1, 19, 7, 45, tzinfo=UTC)) == at(2026, 1, 19, 8, 30)
    assert due("encompass", datetime(2026, 7, 20, 7, 45, tzinfo=UTC)) == at(2026, 7, 21, 8, 30)


def test_overrides_change_local_defaults():
    three_days = {"strategy-discussion": {"working_days": 3}}
    a_day = {"strategy-discussion": {"hours": 24}}
    half_a_day = {"da-notification": {"hours": 12}}
    assert due("strategy-discussion", at(2026, 1, 5), overrides=three_days) == end(2026, 1, 8)
    assert due("strategy-discussion", at(2026, 1, 5), overrides=a_day) == at(2026, 1, 6)
    assert due("da-notification", at(2026, 1, 5), overrides=half_a_day) == at(2026, 1, 5, 22)
    # An override for another rule leaves this one alone.
    assert due("da-notification", at(2026, 1, 5), overrides=a_day) == at(2026, 1, 6)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"referral-decision": {"working_days": 2}}, "not a local default"),
        ({"no-such-rule": {"hours": 1}}, "unknown rule"),
        ({"strategy-discussion": {"fortnights": 1}}, "unit"),
        ({"strategy-discussion": {"school_day_start": 1}}, "unit"),
        ({"strategy-discussion": {"hours": 0}}, "whole number"),
        ({"strategy-discussion": {"hours": -3}}, "whole number"),
        ({"strategy-discussion": {"hours": True}}, "whole number"),
        ({"strategy-discussion": {"hours": 1.5}}, "whole number"),
        ({"strategy-discussion": {"hours": 24, "working_days": 1}}, "one figure"),
        ({"strategy-discussion": 3}, "one figure"),
    ],
)
def test_bad_overrides_are_refused(overrides, message):
    with pytest.raises(ValueError, match=message):
        due("da-notification", at(2026, 1, 5), overrides=overrides)


def test_bad_calls_are_refused():
    with pytest.raises(ValueError, match="unknown rule"):
        due("no-such-rule", at(2026, 1, 5))
    with pytest.raises(ValueError, match="no time zone"):
        due("referral-decision", datetime(2026, 1, 5, 10))
    with pytest.raises(ValueError, match="no time zone"):
        due_many("da-notification", [at(2026, 1, 5), datetime(2026, 1, 5, 10)])
    with pytest.raises(ValueError, match="unknown nation"):
        due("referral-decision", at(2026, 1, 5), nation="france")
    with pytest.raises(ValueError, match="term break"):
        due("encompass", at(2026, 1, 5), term_breaks=[(date(2026, 2, 20), date(2026, 2, 16))])
    with pytest.raises(ValueError, match="term break"):
        due("encompass", at(2026, 1, 5), term_breaks=[(at(2026, 2, 16), at(2026, 2, 20))])
    with pytest.raises(ValueError, match="no school day"):
        due("encompass", at(2026, 1, 5), term_breaks=[(date(2026, 1, 1), date(2099, 1, 1))])


def test_nations_accept_their_names():
    assert due("referral-decision", at(2025, 12, 31), nation="scotland") == end(2026, 1, 5)
    assert due("referral-decision", at(2026, 3, 16), nation="northern-ireland") == end(2026, 3, 18)


def test_rules_are_complete_and_well_formed():
    expected = {
        "referral-decision": (Unit.WORKING_DAYS, 1),
        "assessment": (Unit.WORKING_DAYS, 45),
        "strategy-discussion": (Unit.WORKING_DAYS, 1),
        "initial-conference": (Unit.WORKING_DAYS, 15),
        "core-group": (Unit.WORKING_DAYS, 10),
        "first-review-conference": (Unit.MONTHS, 3),
        "review-conference": (Unit.MONTHS, 6),
        "pre-birth-first-review": (Unit.MONTHS, 3),
        "pre-birth-review-after-birth": (Unit.WORKING_DAYS, 10),
        "police-protection-inform": (Unit.HOURS, 1),
        "police-protection-max": (Unit.HOURS, 72),
        "da-notification": (Unit.HOURS, 24),
        "da-notification-high-risk": (Unit.HOURS, 1),
        "encompass": (Unit.SCHOOL_DAY_START, 1),
        "missing-notification": (Unit.HOURS, 1),
        "return-interview": (Unit.HOURS, 72),
        "escalation-stage": (Unit.WORKING_DAYS, 5),
        "joint-visit-answer": (Unit.WORKING_DAYS, 1),
        "closure-answer": (Unit.WORKING_DAYS, 5),
        "serious-incident": (Unit.WORKING_DAYS, 5),
        "dbs-enhanced": (Unit.DAYS, 14),
        "dbs-escalation": (Unit.DAYS, 14),
    }
    assert set(rule_ids()) == set(expected)
    england = load_rules(E)
    assert {rule_id: (rule.unit, rule.amount) for rule_id, rule in england.items()} == expected
    assert {rule_id for rule_id, rule in england.items() if rule.local_default} == {
        "strategy-discussion",
        "core-group",
        "pre-birth-first-review",
        "pre-birth-review-after-birth",
        "police-protection-inform",
        "da-notification",
        "da-notification-high-risk",
        "missing-notification",
        "escalation-stage",
        "joint-visit-answer",
        "closure-answer",
        "dbs-escalation",
    }
    assert england["encompass"].default_school_day_start == time(8, 30)
    assert england["dbs-enhanced"].target_share == 0.8
    for nation in Nation:
        rules = load_rules(nation)
        assert set(rules) == set(expected)
        assert all(rule.title and rule.starts and rule.source for rule in rules.values())
    # Wales and Northern Ireland count every clock as England does; only their holidays differ.
    for nation in (W, NI):
        assert {r.id: (r.unit, r.amount) for r in load_rules(nation).values()} == expected
    with pytest.raises(TypeError):
        load_rules(E)["assessment"] = england["assessment"]  # type: ignore[index]


def test_helpers():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2026, 3, 31), 11) == date(2027, 2, 28)
    # Day 0 need not be a working day: from Sat 27 Dec 2025, the first working day is Mon 29.
    assert add_working_days(date(2025, 12, 27), 1) == date(2025, 12, 29)
    assert add_working_days(date(2099, 12, 31), 1) == date(2100, 1, 4)  # Fri 1 Jan 2100 is New Year's Day
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-10T10:00", datetime(2026, 1, 10, 10, tzinfo=UTC)),  # GMT
        ("2026-07-10T10:00", datetime(2026, 7, 10, 9, tzinfo=UTC)),  # BST
        ("2026-07-10 10:00:00", datetime(2026, 7, 10, 9, tzinfo=UTC)),
        ("2026-07-10T10:00Z", datetime(2026, 7, 10, 10, tzinfo=UTC)),
        ("2026-07-10T10:00+02:00", datetime(2026, 7, 10, 8, tzinfo=UTC)),
        ("20260710T1000", datetime(2026, 7, 10, 9, tzinfo=UTC)),
        # 01:30 on Sun 25 Oct 2026 happens twice; the earlier, 01:30 BST, is 00:30 UTC.
        ("2026-10-25T01:30", datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
    ],
)
def test_parse_instant(text, expected):
    got = parse_instant(text)
    assert got == expected
    assert got.tzinfo is UTC


# 01:30 on Sun 29 Mar 2026 never happens in London: refused (openmash.lib.instants.london_to_utc).
@pytest.mark.parametrize(
    "text", ["2026-07-10", "", "yesterday", "2026-13-01T10:00", "2026-07-10T25:00", "2026-03-29T01:30"]
)
def test_parse_instant_refuses_what_is_not_an_instant(text):
    with pytest.raises(ValueError):
        parse_instant(text)


def test_due_many_keeps_apart_starts_on_one_utc_date_but_two_london_dates():
    # In summer 23:30 UTC is 00:30 the next day in London.
    starts = [datetime(2026, 7, 2, 10, tzinfo=UTC), datetime(2026, 7, 2, 23, 30, tzinfo=UTC)]
    assert due_many("referral-decision", starts) == [end(2026, 7, 3), end(2026, 7, 6)]


def test_due_many_matches_due_on_a_mixed_batch():
    starts = [at(2025, 12, 24) + timedelta(minutes=37 * i) for i in range(2000)]
    starts += [s.astimezone(UTC) for s in starts[::3]]
    for rule_id in rule_ids():
        batch = due_many(rule_id, starts, nation=S, term_breaks=[(date(2026, 1, 5), date(2026, 1, 9))])
        singles = [
            due(rule_id, s, nation=S, term_breaks=[(date(2026, 1, 5), date(2026, 1, 9))]) for s in starts
        ]
        assert [b.astimezone(UTC) for b in batch] == [s.astimezone(UTC) for s in singles]


@pytest.mark.parametrize("nation", ["england", "wales", "scotland", "northern-ireland"])
def test_every_nations_rules_are_the_clock_rules_the_code_names(nation):
    import tomllib
    from pathlib import Path

    from openmash.lib.clock_rules import ClockRule

    path = Path(__file__).parents[2] / "openmash" / "clocks" / "rules" / f"{nation}.toml"
    ids = {rule["id"] for rule in tomllib.loads(path.read_text())["rules"]}
    assert ids == set(ClockRule)


@pytest.mark.parametrize(
    ("nation", "born", "due_day"),
    [
        # Friday 18 December 2026 is day 0; 25 and 28 December and 1 January are bank holidays in England.
        ("england", datetime(2026, 12, 18, 12, tzinfo=LONDON), date(2027, 1, 6)),
        # Scotland also keeps 2 January (a Saturday in 2027: its substitute is Monday 4 January).
        ("scotland", datetime(2026, 12, 18, 12, tzinfo=LONDON), date(2027, 1, 7)),
    ],
)
def test_the_review_after_a_birth_counts_working_days_of_the_nation(nation, born, due_day):
    assert due("pre-birth-review-after-birth", born, nation=nation) == datetime.combine(
        due_day, time(23, 59, 59), tzinfo=LONDON
    )
    # The 3 months after a pre-birth conference on 2 November 2026: 2 February 2027.
    assert due("pre-birth-first-review", datetime(2026, 11, 2, 10, tzinfo=LONDON), nation=nation) == (
        datetime(2027, 2, 2, 23, 59, 59, tzinfo=LONDON)
    )
