"""Concerns from two or more agencies (issue 14): the child's council front door is told which agencies and
what, once for the same pair of concerns, and nobody else learns anything."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, connection, transaction

from openmash.access.models import ReasonKind
from openmash.access.services import access_reason_record
from openmash.accounts.actors import actor_for_user
from openmash.casework.models import ConcernPairRaised
from openmash.casework.services.concerns import concern_window_set, concerns_together_raise
from openmash.chronology.selectors import ChronologyFilters, chronology_open
from openmash.database import write_transaction
from openmash.events.models import Event, EventKind, SubjectRole
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.recording.services import EventInput, PersonInput, RecordedEvent, event_record
from openmash.sharing import selectors as sharing_selectors
from openmash.sharing.models import Route, Share
from tests.sharing.conftest import incident_at_amelias_home

LONDON = ZoneInfo("Europe/London")
DAY_ONE = dt.datetime(2026, 11, 10, 21, 30, tzinfo=LONDON)


def police_incident(cast, when=DAY_ONE, reference="CLE-26-5001") -> RecordedEvent:
    return event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=incident_at_amelias_home(
            cast, reference=reference, occurred_at=when, reported_at=when + dt.timedelta(minutes=10)
        ),
    )


def referral(cast, username: str, when: dt.datetime, summary: str, people=None) -> RecordedEvent:
    return event_record(
        actor=actor_for_user(cast.users[username]),
        data=EventInput(
            kind=EventKind.REFERRAL,
            occurred_at=when,
            council=cast.organisations["council"],
            people=people or [PersonInput(person_id=cast.people["Amelia Hart"].pk)],
            summary=summary,
        ),
    )


@pytest.fixture(autouse=True)
def health_visits_the_family(cast):
    """The health trust's reason to see the children and their mother (a health visitor's caseload)."""
    for person in ("Amelia Hart", "Leo Marsh", "Sarah Hart"):
        access_reason_record(
            actor=actor_for_user(cast.users["health.practitioner"]),
            organisation=cast.organisations["health"],
            person=cast.people[person],
            kind=ReasonKind.GRANTED,
            detail="Health visiting",
        )


def raised() -> list[Event]:
    return list(Event.objects.filter(kind=EventKind.CONCERNS_TOGETHER).order_by("recorded_at"))


def test_police_and_school_within_seven_days_tell_the_childs_front_door(cast):
    incident = police_incident(cast)
    school = referral(cast, "school.dsl", DAY_ONE + dt.timedelta(days=3), "Bruises on her arm, says she fell")

    [alert] = raised()
    council = cast.organisations["council"]
    [share] = Share.objects.filter(event=alert)
    assert share.recipient == council and share.route == Route.CONCERNS_TOGETHER
    assert share.clock_rule == "referral-decision" and share.due_at is not None  # decided as a referral
    assert set(share.people.values_list("pk", flat=True)) == {cast.people["Amelia Hart"].pk}
    assert alert.details["agencies"] == sorted(
        [cast.organisations["police"].code, cast.organisations["school"].code]
    )
    assert [item["agency"] for item in alert.details["concerns"]] == [
        "Cleveland Police",
        "Riverside Primary School (demo)",
    ]
    assert alert.details["concerns"][1]["summary"] == "Bruises on her arm, says she fell"
    assert ConcernPairRaised.objects.filter(
        council=council,
        first_event=min(incident.event.pk, school.event.pk),
        second_event=max(incident.event.pk, school.event.pk),
        raised_by=alert,
    ).exists()
    # Neither agency whose concern it lists is told that it was raised: the front door's is its only share.
    assert not Share.objects.filter(event=alert).exclude(recipient=council).exists()


def test_two_concerns_by_one_agency_raise_nothing(cast):
    police_incident(cast)
    police_incident(cast, when=DAY_ONE + dt.timedelta(days=2), reference="CLE-26-5002")
    assert raised() == []


def test_concerns_further_apart_than_the_window_raise_nothing_until_the_area_widens_it(cast):
    police_incident(cast)
    referral(cast, "school.dsl", DAY_ONE + dt.timedelta(days=7, minutes=1), "Not eating at lunchtimes")
    assert raised() == []

    concern_window_set(
        actor=actor_for_user(cast.users["council.admin"]), council=cast.organisations["council"], days=14
    )
    referral(cast, "health.practitioner", DAY_ONE + dt.timedelta(days=12), "Missed immunisations")
    [alert] = raised()
    assert alert.details["window_days"] == 14
    assert {item["agency"] for item in alert.details["concerns"]} == {
        "Cleveland Police",
        "Riverside Primary School (demo)",
        "Tees Community Health NHS Trust (demo)",
    }


def test_the_window_is_the_areas_to_set_within_limits(cast):
    admin = actor_for_user(cast.users["council.admin"])
    with pytest.raises(InvalidInput) as error:
        concern_window_set(actor=admin, council=cast.organisations["council"], days=0)
    assert error.value.errors == {"days": ["Enter a number of days from 1 to 30"]}
    with pytest.raises(NotAllowed):
        concern_window_set(
            actor=actor_for_user(cast.users["police.officer"]), council=cast.organisations["council"], days=10
        )


def test_once_for_the_same_pair_and_again_only_when_another_agency_joins(cast):
    police_incident(cast)
    school = referral(cast, "school.dsl", DAY_ONE + dt.timedelta(days=3), "Bruises on her arm")
    assert len(raised()) == 1

    # The same pair reached again (the follow-up run twice, as when both are in one transaction): nothing new.
    concerns_together_raise(school)
    assert len(raised()) == 1

    # A third agency joins within the window: a new share naming all three.
    referral(cast, "health.practitioner", DAY_ONE + dt.timedelta(days=4), "Weight falling")
    _first, second = raised()
    assert len(second.details["agencies"]) == 3
    assert ConcernPairRaised.objects.filter(raised_by=second).count() == 2  # health with police, with school

    # Another concern from an agency already named: it reaches the front door on its own, no third share.
    police_incident(cast, when=DAY_ONE + dt.timedelta(days=5), reference="CLE-26-5003")
    assert len(raised()) == 2


def test_the_database_refuses_a_pair_raised_twice(cast):
    incident = police_incident(cast)
    referral(cast, "school.dsl", DAY_ONE + dt.timedelta(days=1), "Bruises")
    pair = ConcernPairRaised.objects.get()
    assert pair.first_event_id < pair.second_event_id
    with pytest.raises(IntegrityError), transaction.atomic():
        ConcernPairRaised.objects.create(
            council=pair.council,
            first_event_id=pair.first_event_id,
            second_event_id=pair.second_event_id,
            raised_by=pair.raised_by,
            raised_at=pair.raised_at,
        )
    assert incident.event.pk in (pair.first_event_id, pair.second_event_id)


def test_the_same_adult_across_different_children(cast):
    """The police record an incident about Amelia and her mother; health refers Leo naming the same mother."""
    police_incident(cast)
    referral(
        cast,
        "health.practitioner",
        DAY_ONE + dt.timedelta(days=2),
        "Mother seen with Leo, intoxicated",
        people=[
            PersonInput(person_id=cast.people["Leo Marsh"].pk),
            PersonInput(person_id=cast.people["Sarah Hart"].pk, role=SubjectRole.ADULT),
        ],
    )
    [alert] = raised()
    [share] = Share.objects.filter(event=alert)
    named = set(share.people.values_list("pk", flat=True))
    assert {cast.people["Amelia Hart"].pk, cast.people["Leo Marsh"].pk, cast.people["Sarah Hart"].pk} <= named
    assert share.recipient == cast.organisations["council"]


def test_no_pair_through_an_adult_when_the_children_are_the_same_and_the_agency_too(cast):
    police_incident(cast)
    police_incident(cast, when=DAY_ONE + dt.timedelta(hours=5), reference="CLE-26-5009")
    assert raised() == []


def test_the_front_door_sees_it_and_the_agencies_learn_nothing(cast, signed_in):
    police_incident(cast)
    referral(cast, "school.dsl", DAY_ONE + dt.timedelta(days=3), "Bruises on her arm")
    [alert] = raised()
    [share] = Share.objects.filter(event=alert)
    amelia = cast.people["Amelia Hart"].pk

    page = signed_in("mash.practitioner").get(f"/shares/{share.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Concerns from two or more agencies" in text
    assert "Raised by OpenMASH for Stockton-on-Tees" in text
    assert "What each agency recorded" in text
    assert "Cleveland Police" in text and "Riverside Primary School (demo)" in text
    assert "10 November 2026 at 9:30pm" in text  # when the police concern happened, in words
    assert "Bruises on her arm" in text
    assert "CONCERNS_TOGETHER" not in text and "concerns-together" not in text

    for username in ("police.officer", "school.dsl", "health.practitioner", "bury.social.worker"):
        client = signed_in(username)
        assert client.get(f"/shares/{share.pk}/").status_code == 404
        actor = actor_for_user(cast.users[username])
        with pytest.raises(NotFound):
            sharing_selectors.share_open(actor=actor, share_id=share.pk)
        assert not any(
            item.event_id == alert.pk
            for item in sharing_selectors.inbox(actor=actor, filters=sharing_selectors.InboxFilters())
        )
        assert all(event.pk != alert.pk for event in sharing_selectors.my_submissions(actor=actor))
        try:
            chronology = chronology_open(actor=actor, person_id=amelia, filters=ChronologyFilters())
        except NotFound:
            continue
        assert all(entry.event_id != alert.pk for entry in chronology.entries)
    # Not even as a hidden entry: the police's chronology counts what it may not see, and this is not counted.
    police = actor_for_user(cast.users["police.officer"])
    before = chronology_open(actor=police, person_id=amelia, filters=ChronologyFilters()).hidden
    Event.objects.filter(pk=alert.pk).update(kind=EventKind.REFERRAL)  # the same row, were it an agency's
    after = chronology_open(actor=police, person_id=amelia, filters=ChronologyFilters()).hidden
    assert after == before + 1


def test_only_the_service_raises_it(cast):
    with pytest.raises(NotAllowed):
        event_record(
            actor=actor_for_user(cast.users["mash.practitioner"]),
            data=EventInput(
                kind=EventKind.CONCERNS_TOGETHER,
                occurred_at=DAY_ONE,
                council=cast.organisations["council"],
                people=[PersonInput(person_id=cast.people["Amelia Hart"].pk)],
            ),
        )


@pytest.mark.django_db(transaction=True)
def test_two_agencies_recording_at_the_same_moment_raise_it_once(cast):
    """Two requests at once (threads, each its own connection and transaction): neither misses the other and
    the pair is raised once. On PostgreSQL both write their concern at once; the audit chain's lock then orders
    their follow-ups, and the second sees the first's concern once it is committed. On SQLite, the write gate."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def record(work):
        try:
            barrier.wait(timeout=10)
            # Each in a transaction of its own (not group commit's shared one): two requests in two processes.
            with write_transaction():
                work()
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=record, args=(lambda: police_incident(cast),)),
        threading.Thread(
            target=record,
            args=(lambda: referral(cast, "school.dsl", DAY_ONE + dt.timedelta(days=1), "Bruises"),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(raised()) == 1
    assert ConcernPairRaised.objects.count() == 1


def test_through_the_same_adult_each_front_door_hears_only_of_its_own_child(cast):
    """The police record an incident in Bury about Kai and Sarah Hart; health refers Amelia (Stockton) with the
    same Sarah. Each council is told, naming its own child and Sarah; the other child is neither named nor
    described in the agency's words."""
    police_in_bury = event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference="CLE-26-5100",
            occurred_at=DAY_ONE,
            postcode="BL9 0EJ",
            location="3 Mill Street",
            risk_level="high",
            summary="Kai Lowe hid in the bathroom during the argument",
            people=[
                PersonInput(given_name="Kai", family_name="Lowe", date_of_birth=dt.date(2019, 3, 3)),
                PersonInput(person_id=cast.people["Sarah Hart"].pk, role=SubjectRole.ADULT),
            ],
        ),
    )
    kai = police_in_bury.event.subjects.get(role=SubjectRole.CHILD).person
    referral(
        cast,
        "health.practitioner",
        DAY_ONE + dt.timedelta(days=1),
        "Amelia says her mother is not at home at night",
        people=[
            PersonInput(person_id=cast.people["Amelia Hart"].pk),
            PersonInput(person_id=cast.people["Sarah Hart"].pk, role=SubjectRole.ADULT),
        ],
    )
    shares = {
        share.recipient.code: share for share in Share.objects.filter(event__kind=EventKind.CONCERNS_TOGETHER)
    }
    assert set(shares) == {"E06000004", "E08000002"}  # Stockton-on-Tees, Bury
    stockton, bury = shares["E06000004"], shares["E08000002"]
    sarah, amelia = cast.people["Sarah Hart"].pk, cast.people["Amelia Hart"].pk
    assert set(stockton.people.values_list("pk", flat=True)) == {amelia, sarah}
    assert set(bury.people.values_list("pk", flat=True)) == {kai.pk, sarah}
    in_stockton = {item["agency"]: item for item in stockton.event.details["concerns"]}
    assert in_stockton["Cleveland Police"]["summary"] == ""  # it names Kai
    assert in_stockton["Cleveland Police"]["another_child"] is True
    assert in_stockton["Cleveland Police"]["about"] == ["Sarah Hart"]
    in_bury = {item["agency"]: item for item in bury.event.details["concerns"]}
    assert in_bury["Tees Community Health NHS Trust (demo)"]["summary"] == ""
    assert "Amelia" not in str(bury.event.details) + bury.event.summary
    assert "Kai" not in str(stockton.event.details) + stockton.event.summary


def test_an_administrator_sets_the_areas_window_on_its_page(cast, signed_in):
    admin = signed_in("council.admin")
    page = admin.get("/casework/concerns-window/")
    assert page.status_code == 200
    assert "Now: 7 days." in page.content.decode()
    assert "concerns-window" in admin.get("/deadlines/rules/").content.decode()

    wrong = admin.post("/casework/concerns-window/", {"days": "45"})
    assert wrong.status_code == 200
    text = wrong.content.decode()
    assert "Error:" in text and "Enter a number of days from 1 to 30" in text

    done = admin.post("/casework/concerns-window/", {"days": "10"})
    assert done.status_code == 302 and done["Location"] == "/deadlines/rules/"
    assert "Now: 10 days." in admin.get("/casework/concerns-window/").content.decode()

    for username in ("social.worker", "police.officer", "school.dsl", "bury.social.worker"):
        assert signed_in(username).get("/casework/concerns-window/").status_code == 404
        assert signed_in(username).post("/casework/concerns-window/", {"days": "2"}).status_code == 404
    assert signed_in("council.admin").get("/casework/concerns-window/").content.decode().count("10 days") >= 1
