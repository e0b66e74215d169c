"""The context at the decision point (sharing.context): what each reader of a share may know of each child on
it, and nothing more; and the records a household incident builds."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.access.models import ReasonKind
from openmash.access.services import access_reason_record
from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.services import api_client_create
from openmash.audit.models import AuditEntry
from openmash.chronology.selectors import ChronologyFilters, chronology_open
from openmash.events.models import EventKind, SubjectRole
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Address, ChildStatus, Person, Relationship
from openmash.recording.decisions import share_acknowledge
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.context import share_context
from openmash.sharing.models import Decision, Share
from openmash.sharing.selectors import share_open


@pytest.fixture
def three_incidents(cast, record_incident):
    """Three call-outs to Amelia's home this week (the MASH decided on the first), and health's information
    about her shared with the council only."""
    now = timezone.now()
    ChildStatus.objects.filter(person=cast.people["Amelia Hart"]).update(
        social_worker=cast.users["social.worker"]
    )
    # Health knows Amelia from an earlier attendance.
    access_reason_record(
        actor=actor_for_user(cast.users["health.practitioner"]),
        organisation=cast.organisations["health"],
        person=cast.people["Amelia Hart"],
        kind=ReasonKind.GRANTED,
        detail="Attended A&E",
    )
    shares = []
    for number, (ago, risk) in enumerate([(5 * 24, "standard"), (2 * 24, "medium"), (1, "high")], start=1):
        recorded = record_incident(
            reference=f"CLE-26-300{number}",
            risk_level=risk,
            occurred_at=now - dt.timedelta(hours=ago),
            reported_at=now - dt.timedelta(hours=ago) + dt.timedelta(minutes=10),
        )
        shares.append({share.recipient.code: share for share in recorded.shares})
    share_acknowledge(
        actor=actor_for_user(cast.users["mash.practitioner"]),
        share=shares[0]["E06000004"],
        decision=Decision.EARLY_HELP,
        reasons="First call-out; mother engaging with support",
    )
    health = event_record(
        actor=actor_for_user(cast.users["health.practitioner"]),
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=now - dt.timedelta(days=3),
            summary="Amelia seen in A&E with a bruised arm",
            people=[PersonInput(person_id=cast.people["Amelia Hart"].pk)],
            added_recipients=[cast.organisations["council"]],
        ),
    )
    return shares, health


def _context(actor, share):
    opened = share_open(actor=actor, share_id=share.pk)
    return {child.name: child for child in share_context(actor=actor, share=opened.share)}


def test_the_mash_sees_the_third_call_out_this_week_and_everything_it_may_see(cast, three_incidents):
    shares, health = three_incidents
    mash = actor_for_user(cast.users["mash.practitioner"])
    amelia = _context(mash, shares[2]["E06000004"])["Amelia Hart"]
    assert amelia.age and amelia.record_url.endswith(f"/people/{cast.people['Amelia Hart'].pk}/")
    assert amelia.domestic_abuse is not None
    assert amelia.domestic_abuse.this_is_number == 3 and amelia.domestic_abuse.in_last_7_days == 3
    assert amelia.domestic_abuse.sentence.startswith("This is the third domestic abuse incident in 7 days")
    assert [(e.reference, e.risk_level) for e in amelia.domestic_abuse.incidents] == [
        ("CLE-26-3003", "High"),
        ("CLE-26-3002", "Medium"),
        ("CLE-26-3001", "Standard"),
    ]
    assert health.event.pk in {event.event_id for event in amelia.events}  # every agency's, as received
    assert any(status.startswith("Child in need, Stockton-on-Tees") for status in amelia.statuses)
    assert amelia.allocated_worker == "Dev Patel, Stockton-on-Tees"
    [decision] = amelia.decisions
    assert decision.decision == "Early help" and "mother engaging" in decision.reasons
    assert {m.name for m in amelia.siblings} >= {"Noah Hart", "Ivy Hart"}
    assert [(m.name, m.relationship) for m in amelia.adults] == [("Sarah Hart", "Parent")]
    # Opening the context is a read of the child's record, audited.
    assert AuditEntry.objects.filter(
        object_type="person", person_id=cast.people["Amelia Hart"].pk, reason__contains="context"
    ).exists()


def test_a_school_sees_only_its_own_encompass_notices(cast, three_incidents):
    shares, _health = three_incidents
    school = actor_for_user(cast.users["school.dsl"])
    contexts = _context(school, shares[2]["URN-900001"])
    assert set(contexts) == {"Amelia Hart"}  # Ivy is too young for Operation Encompass: not on its notice
    amelia = contexts["Amelia Hart"]
    assert amelia.scope == "encompass"
    assert amelia.statuses == [] and amelia.allocated_worker == "" and amelia.decisions == []
    assert amelia.siblings == [] and amelia.adults == []
    assert {event.reference for event in amelia.events} == {"CLE-26-3001", "CLE-26-3002", "CLE-26-3003"}
    assert {event.kind for event in amelia.events} == {EventKind.DOMESTIC_ABUSE}
    assert {event.risk_level for event in amelia.events} == {""}  # a notice carries no risk grading
    page = Client()
    page.force_login(cast.users["school.dsl"])
    text = page.get(reverse("sharing:share", args=[shares[2]["URN-900001"].pk])).text
    for withheld in (
        "Sarah Hart",
        "Noah Hart",
        "A&amp;E",
        "Child in need",
        "Dev Patel",
        "Early help",
        "High",
    ):
        assert withheld not in text


def _api(organisation):
    token = api_client_create(
        actor=system_actor(organisation), organisation=organisation, name="context"
    ).token
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("who", ["unrelated-council", "other-force", "health"])
def test_other_agencies_see_only_what_reached_them(cast, three_incidents, who):
    """Another council and another force told of Amelia once, and health (which told the council), see only
    their own part in the events; the police's incidents and the council's decisions stay with them."""
    _shares, _health = three_incidents
    other_force = Organisation.objects.filter(kind=OrganisationKind.POLICE).exclude(code="E23000013").first()
    reader = {
        "unrelated-council": cast.organisations["unrelated-council"],
        "other-force": other_force,
        "health": cast.organisations["health"],
    }[who]
    told = event_record(
        actor=actor_for_user(cast.users["health.practitioner"]),
        data=EventInput(
            kind=EventKind.INFORMATION_SHARE,
            occurred_at=timezone.now() - dt.timedelta(hours=3),
            summary="Amelia missed her appointment",
            people=[PersonInput(person_id=cast.people["Amelia Hart"].pk)],
            added_recipients=[reader] if who != "health" else [cast.organisations["council"]],
        ),
    )
    if who == "health":
        share = next(s for s in told.shares if s.recipient == cast.organisations["council"])
    else:
        share = next(s for s in told.shares if s.recipient == reader)
    headers = _api(reader)
    response = Client().get(f"/api/v1/shares/{share.pk}", headers=headers)
    assert response.status_code == 200, response.content
    [amelia] = response.json()["children_context"]
    references = {event["reference"] for event in amelia["events"]}
    assert not references & {"CLE-26-3001", "CLE-26-3002", "CLE-26-3003"}
    assert amelia["domestic_abuse"] is None and amelia["decisions"] == []
    seen = {event["event_id"] for event in amelia["events"]}
    assert str(told.event.pk) in seen
    if who == "health":  # both of health's own information shares, and nothing else
        assert len(seen) == 2
    else:
        assert seen == {str(told.event.pk)}
    # A share another agency received is not found by id.
    other = (
        Share.objects.filter(recipient=cast.organisations["council"])
        .exclude(event__recorded_by=reader)
        .first()
    )
    assert Client().get(f"/api/v1/shares/{other.pk}", headers=headers).status_code == 404


def test_a_household_incident_builds_the_records(cast):
    officer = actor_for_user(cast.users["police.officer"])
    when = timezone.now() - dt.timedelta(hours=2)
    recorded = event_record(
        actor=officer,
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            reference="CLE-26-7001",
            occurred_at=when,
            reported_at=when,
            location="3 Elm Road",
            postcode="TS18 1AA",
            risk_level="medium",
            people=[
                PersonInput(given_name="Zara", family_name="Quinn", date_of_birth=dt.date(2016, 4, 2)),
                PersonInput(given_name="Max", family_name="Quinn", date_of_birth=dt.date(2023, 1, 9)),
                PersonInput(
                    role=SubjectRole.ADULT,
                    given_name="Dean",
                    family_name="Quinn",
                    details={"harm_role": "person-causing-harm", "relationship": "parent-partner"},
                ),
                PersonInput(
                    role=SubjectRole.ADULT,
                    given_name="Lucy",
                    family_name="Quinn",
                    details={"harm_role": "victim", "relationship": "parent"},
                ),
                PersonInput(person_id=cast.people["Amelia Hart"].pk, details={"present": True}),
            ],
        ),
    )
    people = {p.given_name: p for p in Person.objects.filter(family_name="Quinn")}
    day = timezone.localtime(when).date()
    for name in ("Zara", "Max", "Dean", "Lucy"):
        [address] = Address.objects.filter(person=people[name])
        assert (address.line_1, address.postcode, address.start_date) == ("3 Elm Road", "TS18 1AA", day)
        assert address.council == cast.organisations["council"]
    # Amelia's address on record is not overwritten by one report.
    assert not Address.objects.filter(person=cast.people["Amelia Hart"], line_1="3 Elm Road").exists()
    links = set(
        Relationship.objects.filter(person__family_name="Quinn").values_list(
            "person__given_name", "relative__given_name", "kind"
        )
    )
    assert ("Dean", "Zara", "parent-partner") in links and ("Lucy", "Max", "parent") in links
    assert ("Dean", "Amelia", "parent-partner") in links
    assert ("Zara", "Max", "household-member") in links or ("Max", "Zara", "household-member") in links
    council = next(s for s in recorded.shares if s.recipient == cast.organisations["council"])
    adults = {
        a["given_name"]: a
        for a in share_open(
            actor=actor_for_user(cast.users["mash.practitioner"]), share_id=council.pk
        ).content["adults"]
    }
    assert adults["Dean"]["harm_role"] == "person-causing-harm" and adults["Lucy"]["harm_role"] == "victim"
    # The child's chronology has the incident, and the context shows the household as the police reported it.
    mash = actor_for_user(cast.users["mash.practitioner"])
    zara = chronology_open(actor=mash, person_id=people["Zara"].pk, filters=ChronologyFilters())
    assert [entry.reference for entry in zara.entries] == ["CLE-26-7001"]
    context = _context(mash, council)["Zara Quinn"]
    assert {(m.name, m.relationship) for m in context.adults} == {
        ("Dean Quinn", "Parent's partner"),
        ("Lucy Quinn", "Parent"),
    }
    page = Client()
    page.force_login(cast.users["mash.practitioner"])
    text = page.get(reverse("sharing:share", args=[council.pk])).text
    # The one relationship given (the older form) is the same for every child.
    assert (
        "Dean Quinn" in text
        and "person causing harm" in text
        and "parent&#x27;s partner of Zara Quinn" in text
        and "parent&#x27;s partner of Max Quinn" in text
    )


def test_a_bad_harm_role_is_a_clear_error(cast):
    from openmash.lib.errors import InvalidInput

    with pytest.raises(InvalidInput) as error:
        event_record(
            actor=actor_for_user(cast.users["police.officer"]),
            data=EventInput(
                kind=EventKind.DOMESTIC_ABUSE,
                reference="CLE-26-7002",
                occurred_at=timezone.now() - dt.timedelta(hours=1),
                postcode="TS18 1AA",
                risk_level="medium",
                people=[
                    PersonInput(person_id=cast.people["Amelia Hart"].pk),
                    PersonInput(
                        role=SubjectRole.ADULT, given_name="A", family_name="B", details={"harm_role": "boss"}
                    ),
                ],
            ),
        )
    assert "adults.1.harm_role" in error.value.errors
