"""Recording an event once produces one share per organisation that must know, with its deadline."""

import datetime as dt

import pytest

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.clocks.engine import due
from openmash.events.models import Event, EventKind
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.people.models import Person
from openmash.people.selectors import reason_to_see
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.models import Channel, Content, Delivery, Route, Share

from .conftest import LONDON


def _counts():
    return (
        Event.objects.count(),
        Share.objects.count(),
        Delivery.objects.count(),
        Person.objects.count(),
        AuditEntry.objects.count(),
    )


def test_incident_is_shared_with_the_council_and_the_school(cast, record_incident):
    recorded = record_incident()
    shares = {share.recipient.code: share for share in recorded.shares}
    assert set(shares) == {"E06000004", "URN-900001"}
    council, school = shares["E06000004"], shares["URN-900001"]
    assert council.route == Route.HOME_COUNCIL and council.content == Content.FULL
    assert {p.given_name for p in council.people.all()} == {"Amelia", "Ivy", "Sarah"}
    # The police's clock: 24 hours from the report. The council's own: 1 working day from arrival.
    assert council.notification_rule == "da-notification"
    assert council.notification_due_at == dt.datetime(2026, 11, 21, 21, 40, tzinfo=LONDON)
    assert council.clock_rule == "referral-decision"
    assert council.due_at == due("referral-decision", council.shared_at)
    # Only Amelia is of school age and at the school; the school sees only her.
    assert school.content == Content.ENCOMPASS and school.route == Route.SCHOOL
    assert [p.given_name for p in school.people.all()] == ["Amelia"]
    # Friday 21:40 -> the start of the next school day, Monday 08:30: the police's clock. A school reading
    # its notice has none of its own.
    assert school.notification_due_at == dt.datetime(2026, 11, 23, 8, 30, tzinfo=LONDON)
    assert school.clock_rule == "" and school.due_at is None
    for share in recorded.shares:
        assert share.occurred_at == dt.datetime(2026, 11, 20, 21, 30, tzinfo=LONDON)
        assert share.shared_at == share.recorded_at
        assert {d.channel for d in share.deliveries.all()} == {Channel.INBOX, Channel.ALERT}


def test_a_known_child_given_a_new_school_is_enrolled_and_the_school_told(record_incident):
    ivy = next(
        subject.person
        for subject in record_incident().event.subjects.all()
        if subject.person.given_name == "Ivy"
    )
    assert not ivy.enrolments.exists()
    older = dt.date(2016, 6, 1)  # old enough for Operation Encompass this time
    Person.objects.filter(pk=ivy.pk).update(date_of_birth=older)
    again = record_incident(
        reference="CLE-26-1002",
        people=[PersonInput(person_id=ivy.pk, details={"present": True, "school_urn": "900001"})],
    )
    assert {share.recipient.code for share in again.shares} == {"E06000004", "URN-900001"}
    assert [enrolment.school.code for enrolment in ivy.enrolments.all()] == ["URN-900001"]


def test_high_risk_incident_is_due_in_an_hour(record_incident):
    council = next(s for s in record_incident(risk_level="high").shares if s.recipient.code == "E06000004")
    assert council.notification_rule == "da-notification-high-risk"
    assert council.notification_due_at == dt.datetime(2026, 11, 20, 22, 40, tzinfo=LONDON)


def test_recipients_gain_a_reason_to_see_only_whom_they_were_told_about(cast, record_incident):
    recorded = record_incident()
    ivy = Person.objects.get(given_name="Ivy")
    school = actor_for_user(cast.users["school.dsl"])
    assert reason_to_see(school, ivy.pk) is None
    assert reason_to_see(actor_for_user(cast.users["mash.practitioner"]), ivy.pk)
    # The force recorded Ivy with the incident: its one reason names the incident.
    assert reason_to_see(actor_for_user(cast.users["police.officer"]), ivy.pk) == (
        f"Recorded an event about this person: Domestic abuse incident {recorded.event.reference}"
    )
    assert recorded.event.recorded_by.code == "E23000013"


def test_unknown_postcode_is_a_clear_error_and_nothing_is_saved(record_incident, cast):
    before = _counts()
    with pytest.raises(InvalidInput) as error:
        record_incident(
            postcode="ZZ99 9ZZ",
            people=[PersonInput(given_name="New", family_name="Child", date_of_birth=dt.date(2015, 1, 1))],
        )
    assert "not in the ONS postcode directory" in error.value.errors["postcode"][0]
    assert _counts() == before


def test_every_problem_is_named_and_nothing_is_saved(record_incident):
    before = _counts()
    with pytest.raises(InvalidInput) as error:
        record_incident(
            reference="",
            risk_level="severe",
            occurred_at=dt.datetime(2030, 1, 1, tzinfo=LONDON),
            people=[PersonInput(given_name="", family_name="", nhs_number="123")],
        )
    assert set(error.value.errors) >= {
        "police_reference",
        "risk_level",
        "occurred_at",
        "children.0.family_name",
        "children.0.date_of_birth",
        "children.0.nhs_number",
    }
    assert _counts() == before


def test_a_council_cannot_record_a_police_incident(cast, incident_input):
    with pytest.raises(NotAllowed):
        event_record(actor=actor_for_user(cast.users["social.worker"]), data=incident_input())


def test_missing_looked_after_child_reaches_police_and_named_social_worker(cast):
    from openmash.people.models import ChildStatus

    leo = cast.people["Leo Marsh"]
    ChildStatus.objects.filter(person=leo).update(social_worker=cast.users["social.worker"])
    recorded = event_record(
        actor=actor_for_user(cast.users["social.worker"]),
        data=EventInput(
            kind=EventKind.MISSING,
            occurred_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 11, 20, 19, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=leo.pk)],
            summary="Did not return to placement",
        ),
    )
    shares = {share.recipient.code: share for share in recorded.shares}
    # Stockton recorded it (and is the responsible council), so the covering force is told.
    assert set(shares) == {"E23000013"}
    assert shares["E23000013"].route == Route.COVERING_POLICE
    assert shares["E23000013"].notification_due_at == dt.datetime(2026, 11, 20, 20, 0, tzinfo=LONDON)


def test_missing_reported_by_police_reaches_responsible_council_naming_the_social_worker(cast, officer):
    from openmash.people.models import ChildStatus

    leo = cast.people["Leo Marsh"]
    ChildStatus.objects.filter(person=leo).update(social_worker=cast.users["social.worker"])
    recorded = event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.MISSING,
            occurred_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON),
            people=[
                PersonInput(
                    given_name="Leo",
                    family_name="Marsh",
                    date_of_birth=leo.date_of_birth,
                    person_id=None,
                    nhs_number=leo.identifiers.get().value,
                )
            ],
        ),
    )
    [share] = recorded.shares
    assert not share.sender_sees  # found through Leo's record, which the police may not see
    assert share.recipient.code == "E06000004"
    assert share.named_recipient == cast.users["social.worker"]


def test_police_protection_needs_alternatives_recorded(officer, cast):
    data = dict(
        kind=EventKind.POLICE_PROTECTION,
        occurred_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON),
        postcode="TS17 6AA",
        people=[PersonInput(person_id=cast.people["Amelia Hart"].pk)],
        details={"designated_officer": "Insp. Grace Oduya", "reasons": "Left alone overnight"},
    )
    with pytest.raises(InvalidInput) as error:
        event_record(actor=officer, data=EventInput(**data))
    assert "alternatives_discussed" in error.value.errors
    data["details"] = {**data["details"], "alternatives_discussed": False}
    recorded = event_record(actor=officer, data=EventInput(**data))
    [share] = recorded.shares  # found in Stockton, lives in Stockton: one council share
    assert share.notification_rule == "police-protection-inform"
    assert share.clock_rule == "referral-decision"


def test_information_share_goes_only_where_chosen(cast):
    recorded = event_record(
        actor=actor_for_user(cast.users["health.practitioner"]),
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=dt.datetime(2026, 11, 20, 10, 0, tzinfo=LONDON),
            people=[PersonInput(given_name="Tia", family_name="Moss", date_of_birth=dt.date(2019, 3, 3))],
            summary="Missed three appointments",
            added_recipients=[cast.organisations["council"]],
        ),
    )
    [share] = recorded.shares
    assert share.route == Route.ADDED and share.due_at is None
