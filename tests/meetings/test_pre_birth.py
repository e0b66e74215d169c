"""The first review after a pre-birth conference: due 3 months after the conference, or (once the birth is
recorded) 10 working days after the birth if that is sooner; both figures the area's to set. Known dates,
counted by hand across the Christmas 2026 bank holidays (25 December, a Friday; 28 December, the substitute for
Boxing Day on a Saturday; 1 January 2027)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.clocks import services as clocks
from openmash.clocks.models import Clock
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.meetings import changes, services
from openmash.people.models import Person, PersonKind
from tests.meetings.conftest import everyone_attended

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LONDON)


@pytest.fixture
def pre_birth_plan(cast):
    """A pre-birth conference held on Monday 2 November 2026 at 10:00, making the unborn child subject to a
    plan."""
    worker = actor_for_user(cast.users["social.worker"])
    unborn = cast.people["unborn"]
    with time_machine.travel(_at(2026, 10, 20, 9), tick=False):
        conference = services.conference_schedule(
            actor=worker,
            kind="pre-birth-conference",
            child=unborn,
            scheduled_for=_at(2026, 11, 2, 10),
            invited=[cast.organisations["health"]],
        )
    with time_machine.travel(_at(2026, 11, 3, 9), tick=False):
        services.conference_record_outcome(
            actor=worker,
            meeting=conference,
            held_at=_at(2026, 11, 2, 10),
            attendance=everyone_attended(conference),
            plan=True,
            categories=["neglect"],
        )
    return conference


def _review_clock(child: Person) -> Clock:
    return Clock.objects.get(rule="pre-birth-first-review", person=child)


def _record_birth(cast, born: dt.date, recorded: dt.datetime) -> Person:
    with time_machine.travel(recorded, tick=False):
        return changes.birth_record(
            actor=actor_for_user(cast.users["social.worker"]),
            child=Person.objects.get(pk=cast.people["unborn"].pk),
            date_of_birth=born,
            given_name="Ava",
            family_name="Hart",
        )


def test_the_review_clock_starts_when_the_pre_birth_conference_is_held(cast, pre_birth_plan):
    clock = _review_clock(cast.people["unborn"])
    assert clock.started_at == _at(2026, 11, 2, 10)
    assert clock.due_at == _end_of(dt.date(2027, 2, 2))  # 3 months
    assert clock.figure == "3 months"
    # Not the initial conference's first-review clock: a pre-birth plan has its own rule.
    assert not Clock.objects.filter(rule="first-review-conference", person=cast.people["unborn"]).exists()


def test_a_birth_brings_the_review_forward_across_christmas(cast, pre_birth_plan):
    # Born Friday 18 December 2026 (day 0): 21, 22, 23, 24, 29, 30, 31 December, 4, 5, 6 January are the ten
    # working days (25 and 28 December and 1 January are bank holidays).
    child = _record_birth(cast, dt.date(2026, 12, 18), _at(2026, 12, 21, 9))
    assert child.kind == PersonKind.CHILD and child.date_of_birth == dt.date(2026, 12, 18)
    assert (child.given_name, child.family_name) == ("Ava", "Hart")
    clock = _review_clock(child)
    assert clock.due_at == _end_of(dt.date(2027, 1, 6))
    assert clock.figure == "3 months, or 10 working days after the birth if sooner"
    assert AuditEntry.objects.filter(object_type="person", reason="recorded the birth").exists()
    assert AuditEntry.objects.filter(object_type="clock", reason__contains="brought forward").exists()


def test_a_late_birth_leaves_the_three_months(cast, pre_birth_plan):
    # Born Monday 25 January 2027: ten working days is 8 February, after 2 February.
    child = _record_birth(cast, dt.date(2027, 1, 25), _at(2027, 1, 26, 9))
    assert _review_clock(child).due_at == _end_of(dt.date(2027, 2, 2))


def test_the_area_sets_its_own_figure_after_the_birth(cast, pre_birth_plan):
    admin = actor_for_user(cast.users["council.admin"])
    clocks.area_setting_set(
        actor=admin,
        organisation=cast.organisations["council"],
        rule="pre-birth-review-after-birth",
        unit="working_days",
        amount=15,
        reason="Stockton pre-birth protocol 2026",
    )
    clocks.forget_area_settings()
    try:
        # 15 working days from Friday 18 December 2026: ... 6, 7, 8, 11, 12, 13 January.
        child = _record_birth(cast, dt.date(2026, 12, 18), _at(2026, 12, 21, 9))
        clock = _review_clock(child)
        assert clock.due_at == _end_of(dt.date(2027, 1, 13))
        assert "Stockton pre-birth protocol 2026" in clock.area_setting
    finally:
        clocks.forget_area_settings()


def test_the_review_conference_meets_the_pre_birth_review_clock(cast, pre_birth_plan):
    worker = actor_for_user(cast.users["social.worker"])
    child = _record_birth(cast, dt.date(2026, 12, 18), _at(2026, 12, 21, 9))
    with time_machine.travel(_at(2026, 12, 22, 9), tick=False):
        review = services.conference_schedule(
            actor=worker,
            kind="review-conference",
            child=child,
            scheduled_for=_at(2027, 1, 5, 10),
            previous=pre_birth_plan,
        )
    with time_machine.travel(_at(2027, 1, 5, 12), tick=False):
        services.conference_record_outcome(
            actor=worker,
            meeting=review,
            held_at=_at(2027, 1, 5, 10),
            attendance=everyone_attended(review),
            plan=True,
            categories=["neglect"],
        )
    assert _review_clock(child).met


def test_a_pre_birth_conference_held_after_the_birth_is_due_by_the_sooner_at_once(cast):
    worker = actor_for_user(cast.users["social.worker"])
    with time_machine.travel(_at(2026, 12, 10, 9), tick=False):
        conference = services.conference_schedule(
            actor=worker,
            kind="pre-birth-conference",
            child=cast.people["unborn"],
            scheduled_for=_at(2026, 12, 21, 10),
        )
    child = _record_birth(cast, dt.date(2026, 12, 18), _at(2026, 12, 19, 9))
    conference.child.refresh_from_db()
    with time_machine.travel(_at(2026, 12, 21, 12), tick=False):
        services.conference_record_outcome(
            actor=worker,
            meeting=conference,
            held_at=_at(2026, 12, 21, 10),
            attendance=everyone_attended(conference),
            plan=True,
            categories=["emotional"],
        )
    assert _review_clock(child).due_at == _end_of(dt.date(2027, 1, 6))


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (None, "Enter the date of birth"),
        (dt.date(2026, 12, 22), "Date of birth must be today or in the past"),
    ],
)
def test_a_birth_needs_a_real_date_and_nothing_is_saved(cast, pre_birth_plan, born, message):
    with pytest.raises(InvalidInput) as refused:
        _record_birth(cast, born, _at(2026, 12, 21, 9))  # type: ignore[arg-type]
    assert refused.value.errors == {"date_of_birth": [message]}
    assert Person.objects.get(pk=cast.people["unborn"].pk).kind == PersonKind.UNBORN
    assert _review_clock(cast.people["unborn"]).due_at == _end_of(dt.date(2027, 2, 2))


def test_a_birth_is_recorded_once(cast, pre_birth_plan):
    _record_birth(cast, dt.date(2026, 12, 18), _at(2026, 12, 21, 9))
    with pytest.raises(InvalidInput) as again:
        _record_birth(cast, dt.date(2026, 12, 18), _at(2026, 12, 21, 10))
    assert again.value.errors == {"date_of_birth": ["This child's birth is already recorded"]}


@pytest.mark.parametrize("username", ["police.officer", "school.dsl", "bury.social.worker", "council.admin"])
def test_only_the_councils_practitioners_record_a_birth(cast, username):
    with pytest.raises(NotAllowed):
        changes.birth_record(
            actor=actor_for_user(cast.users[username]),
            child=cast.people["unborn"],
            date_of_birth=dt.date(2026, 12, 1),
        )
    assert Person.objects.get(pk=cast.people["unborn"].pk).kind == PersonKind.UNBORN
