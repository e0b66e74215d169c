"""Operation Encompass school days: a school's or council's term breaks and start time move the deadline of
the notices it receives; only its own administrators (or the school's safeguarding lead) set them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from openmash.accounts.actors import actor_for_user
from openmash.clocks import services
from openmash.clocks.models import SchoolCalendar, TermBreak
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.sharing.models import Route

LONDON = ZoneInfo("Europe/London")


def school_share(recorded, cast):
    return next(s for s in recorded.shares if s.recipient == cast.organisations["school"])


def test_a_schools_term_break_moves_its_encompass_deadline(cast, record_incident):
    dsl = actor_for_user(cast.users["school.dsl"])
    # Incident Fri 20 Nov 2026 21:30: without breaks, due Mon 23 Nov 08:30.
    services.term_break_add(
        actor=dsl,
        organisation=cast.organisations["school"],
        name="Training days",
        first_day=dt.date(2026, 11, 23),
        last_day=dt.date(2026, 11, 24),
    )
    services.school_day_start_set(
        actor=dsl, organisation=cast.organisations["school"], starts_at=dt.time(8, 45)
    )
    services.forget_area_settings()
    share = school_share(record_incident(), cast)
    assert share.route == Route.SCHOOL and share.notification_rule == "encompass"
    assert share.notification_due_at == dt.datetime(2026, 11, 25, 8, 45, tzinfo=LONDON)


def test_a_school_without_its_own_uses_its_councils(cast, record_incident):
    admin = actor_for_user(cast.users["council.admin"])
    services.term_break_add(
        actor=admin,
        organisation=cast.organisations["council"],
        name="Council training day",
        first_day=dt.date(2026, 11, 23),
        last_day=dt.date(2026, 11, 23),
    )
    services.forget_area_settings()
    share = school_share(record_incident(), cast)
    assert share.notification_due_at == dt.datetime(2026, 11, 24, 8, 30, tzinfo=LONDON)


def test_without_breaks_the_next_school_day_at_0830(cast, record_incident):
    share = school_share(record_incident(), cast)
    assert share.notification_due_at == dt.datetime(2026, 11, 23, 8, 30, tzinfo=LONDON)


def test_school_days_are_set_only_by_their_own_organisation(cast):
    school = cast.organisations["school"]
    for username in ("social.worker", "police.officer", "council.admin"):
        with pytest.raises(NotAllowed):
            services.term_break_add(
                actor=actor_for_user(cast.users[username]),
                organisation=school,
                name="x",
                first_day=dt.date(2026, 12, 21),
                last_day=dt.date(2027, 1, 1),
            )
    with pytest.raises(NotAllowed):
        services.school_day_start_set(
            actor=actor_for_user(cast.users["police.officer"]),
            organisation=cast.organisations["police"],
            starts_at=dt.time(9, 0),
        )
    assert not TermBreak.objects.exists() and not SchoolCalendar.objects.exists()


def test_bad_breaks_and_start_times_are_refused(cast):
    dsl = actor_for_user(cast.users["school.dsl"])
    school = cast.organisations["school"]
    with pytest.raises(InvalidInput) as error:
        services.term_break_add(
            actor=dsl,
            organisation=school,
            name=" ",
            first_day=dt.date(2026, 12, 21),
            last_day=dt.date(2026, 12, 1),
        )
    assert set(error.value.errors) == {"name", "last_day"}
    with pytest.raises(InvalidInput):
        services.school_day_start_set(actor=dsl, organisation=school, starts_at=dt.time(14, 0))
    assert not TermBreak.objects.exists() and not SchoolCalendar.objects.exists()


def test_school_days_page(signed_in, cast):
    url = reverse("clocks:school-days")
    for persona in ("social.worker", "police.officer", "inspector", "bury.social.worker"):
        assert signed_in(persona).get(url).status_code == 404
    client = signed_in("school.dsl")
    assert "Not set: 8:30am" in client.get(url).text
    bad = client.post(url, {"form": "break", "name": "", "first_day_0": "21", "first_day_1": "12"})
    assert bad.status_code == 200 and "There is a problem" in bad.text
    assert not TermBreak.objects.exists()
    added = client.post(
        url,
        {
            "form": "break",
            "name": "Christmas holiday",
            "first_day_0": "21",
            "first_day_1": "12",
            "first_day_2": "2026",
            "last_day_0": "1",
            "last_day_1": "1",
            "last_day_2": "2027",
        },
    )
    assert added.status_code == 302
    item = TermBreak.objects.get()
    assert (item.organisation, item.first_day, item.last_day) == (
        cast.organisations["school"],
        dt.date(2026, 12, 21),
        dt.date(2027, 1, 1),
    )
    assert client.post(url, {"form": "start", "starts_at": "8:50"}).status_code == 302
    assert "8:50am" in client.get(url).text
    # Another organisation's break cannot be removed from here.
    other = TermBreak.objects.create(
        organisation=cast.organisations["council"],
        name="Council's",
        first_day=dt.date(2027, 2, 15),
        last_day=dt.date(2027, 2, 19),
    )
    assert client.post(url, {"form": "remove", "term_break": str(other.pk)}).status_code == 404
    assert client.post(url, {"form": "remove", "term_break": str(item.pk)}).status_code == 302
    assert list(TermBreak.objects.all()) == [other]
