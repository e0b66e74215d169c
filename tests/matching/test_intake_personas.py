"""Matching reveals nothing across agencies (issue 14): an agency whose event was linked by likeness to a record
it may not see learns only that it was linked. Tried as an attacker would, by the health trust whose referral
of "Jonathan Smith" was linked to the police's record of "Jon Smith": the answer, the record by id, by search,
its chronology and its exports, the police's own event and shares, the people export, the pages showing its
own event. The agencies that hold the record see the link."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from openmash.access.models import AccessReason
from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.services import api_client_create
from openmash.clocks.models import Clock
from openmash.events.models import EventSubject, SubjectRole
from openmash.lib.clock_rules import ClockRule
from openmash.merging.models import MatchReview
from openmash.missing import services as missing_services
from openmash.people.models import Person
from openmash.recording.checks import PersonInput
from openmash.sharing.models import Share
from tests.incident_journey import walk
from tests.sharing.test_pages import INCIDENT_FORM

JON = {"given_name": "Jon", "family_name": "Smith", "date_of_birth": "2015-03-04"}


def _headers(organisation) -> dict[str, str]:
    token = api_client_create(
        actor=system_actor(organisation), organisation=organisation, name="matching"
    ).token
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def linked(cast):
    """The police record Jon at two incidents; the health trust refers "Jonathan Smith", born the same day."""
    police = _headers(cast.organisations["police"])
    incidents = []
    for reference in ("CLE-26-9001", "CLE-26-9002"):
        response = Client().post(
            "/api/v1/incidents/domestic-abuse",
            {
                "police_reference": reference,
                "occurred_at": "2026-11-20T21:30:00",
                "reported_at": "2026-11-20T21:40:00",
                "risk_level": "high",
                "postcode": "TS18 1AA",
                "location": "7 Larch Road",
                "summary": "Jon hid upstairs",
                "children": [JON | {"school_urn": "900001"}],
                # Recorded after the police's own clock ran out: the sender says why (issue 13).
                "late_reason": "Recorded from the night shift's notes",
            },
            content_type="application/json",
            headers=police,
        )
        assert response.status_code == 201
        incidents.append(response.json()["event_id"])
    jon = Person.objects.get(family_name="Smith")
    health = _headers(cast.organisations["health"])
    sent = {
        "council": "Stockton-on-Tees",
        "children": [JON | {"given_name": "Jonathan"}],
        "concern_at": "2026-11-21T10:00:00",
        "summary": "Missed appointments",
    }
    answer = Client().post("/api/v1/referrals", sent, content_type="application/json", headers=health)
    assert answer.status_code == 201
    [subject] = EventSubject.objects.filter(event_id=answer.json()["event_id"])
    assert subject.person_id == jon.pk  # linked by likeness
    return jon, incidents, health, sent, answer


def test_the_answer_says_linked_and_nothing_the_record_holds(linked):
    jon, incidents, _health, sent, answer = linked
    assert answer.json()["linked_to_records_you_may_not_see"] == [
        {"given_name": "Jonathan", "family_name": "Smith", "date_of_birth": "2015-03-04"}
    ]
    for held in (str(jon.pk), "CLE-26-900", "TS18", "Larch", "Riverside", "URN-900001", '"Jon"', *incidents):
        assert held not in answer.text, f"the answer gave away {held!r}"
    assert json.dumps(sent)  # what it sent is all it knows


def test_the_record_stays_closed_to_the_health_trust(linked, cast):
    jon, incidents, health, _sent, _answer = linked
    api = Client()
    assert api.get(f"/api/v1/people/{jon.pk}", headers=health).status_code == 404
    for query in ({"name": "Smith"}, {"name": "Jon Smith"}, {"date_of_birth": "2015-03-04"}):
        found = api.get("/api/v1/people", query, headers=health)
        assert str(jon.pk) not in found.text
    for share in Share.objects.filter(event_id__in=incidents):
        assert api.get(f"/api/v1/shares/{share.pk}", headers=health).status_code == 404
    assert not AccessReason.objects.filter(organisation=cast.organisations["health"], person=jon).exists()
    web = Client()
    web.force_login(cast.users["health.practitioner"])
    for path in ("", "chronology/", "chronology.csv", "chronology.pdf"):
        assert web.get(f"/people/{jon.pk}/{path}").status_code == 404, path
    search = web.get("/people/", {"name": "Smith"})
    assert str(jon.pk) not in search.text


def test_the_people_export_leaves_the_record_out(linked, cast, tmp_path):
    jon, *_rest = linked
    out = tmp_path / "health.csv"
    call_command(
        "people",
        "export",
        "--org",
        cast.organisations["health"].code,
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert str(jon.pk) not in {row["person_id"] for row in csv.DictReader(out.open())}
    call_command(
        "people",
        "export",
        "--org",
        cast.organisations["police"].code,
        "--out",
        str(out),
        stdout=io.StringIO(),
    )
    assert str(jon.pk) in {row["person_id"] for row in csv.DictReader(out.open())}


def test_an_officer_of_another_force_sees_its_own_event_as_it_typed_it(linked, cast):
    """Durham's officer records an incident at Jon's home on the web form: linked, and its submissions page
    names the child as the officer did, not as the police's record does."""
    jon, *_rest = linked
    web = Client()
    web.force_login(cast.users["durham.officer"])
    form = INCIDENT_FORM | {
        "police_reference": "DUR-26-0001",
        "child1-given_name": "Jonathan",
        "child1-family_name": "Smith",
        "child1-date_of_birth_0": "4",
        "child1-date_of_birth_1": "3",
        "child1-date_of_birth_2": "2015",
        "child1-school_urn": "",
    }
    response = walk(web, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert EventSubject.objects.get(event__reference="DUR-26-0001").person == jon
    page = web.get(response["Location"])
    assert "linked to a record your organisation may not see" in page.text
    assert "About Jonathan Smith." in page.text
    for held in ("Jon Smith", str(jon.pk), "CLE-26-900", "Larch"):
        assert held not in page.text, held
    assert web.get(f"/people/{jon.pk}/").status_code == 404


def test_the_agencies_that_hold_the_record_see_the_link_and_no_question_is_asked(linked, cast):
    jon, _incidents, _health, _sent, answer = linked
    shares = Share.objects.filter(event_id=answer.json()["event_id"])
    assert {share.recipient.code for share in shares} >= {"E06000004"}
    assert all(jon in share.people.all() for share in shares)
    assert not MatchReview.objects.exists()


def _durham_reports_jonathan_missing(cast):
    """Durham's officer reports "Jonathan Smith", born the day Jon was, missing near Jon's home."""
    return missing_services.missing_report_record(
        actor=actor_for_user(cast.users["durham.officer"]),
        data=missing_services.MissingReportInput(
            last_seen_at=timezone.now() - dt.timedelta(hours=2),
            child=PersonInput(
                role=SubjectRole.CHILD,
                given_name="Jonathan",
                family_name="Smith",
                date_of_birth=dt.date(2015, 3, 4),
            ),
            last_seen_where="Larch Road park",
            postcode="TS18 1AA",
        ),
    )


def test_a_force_linked_unseen_by_a_missing_report_sees_the_child_as_it_named_them(linked, cast):
    """Durham reports "Jonathan Smith" missing: linked to Jon's record, which Durham may not see. Its episode
    page and its list of episodes name the child as Durham did, never with the record's own spelling."""
    jon, *_rest = linked
    episode = _durham_reports_jonathan_missing(cast).episode
    assert episode.child == jon  # linked by likeness
    web = Client()
    web.force_login(cast.users["durham.officer"])
    for path in (f"/missing/episodes/{episode.pk}/", "/missing/"):
        page = web.get(path)
        assert page.status_code == 200, path
        assert "Jonathan Smith" in page.text, path
        assert "Jon Smith" not in page.text, path
    # The council, which holds Jon's record (and was told of the report), sees it by the record's own name.
    council = Client()
    council.force_login(cast.users["social.worker"])
    assert "Jon Smith" in council.get(f"/missing/episodes/{episode.pk}/").text


def test_a_force_linked_unseen_sees_its_deadline_by_the_name_it_gave(linked, cast):
    """A clock of the recorder's own on a record it may not see (its event was linked by likeness) names the
    child as its event did, in its deadlines list and on the deadline's page, with no link to the record."""
    jon, *_rest = linked
    durham = actor_for_user(cast.users["durham.officer"])
    recorded = _durham_reports_jonathan_missing(cast)
    # Durham's own deadline on the child (as any clock its work starts would be), overdue so it is listed; and
    # one of the council's, which holds the record.
    clock, council_clock = (
        Clock.objects.create(
            organisation=organisation,
            person=jon,
            event=recorded.episode.missing_report,
            rule=ClockRule.MISSING_NOTIFICATION,
            nation=organisation.nation,
            started_at=timezone.now() - dt.timedelta(hours=2),
            due_at=timezone.now() - dt.timedelta(hours=1),
            figure="1 hour",
            subject_type="missing-episode",
            subject_id=f"{recorded.episode.pk}-{organisation.code}",
        )
        for organisation in (durham.organisation, cast.organisations["council"])
    )
    web = Client()
    web.force_login(cast.users["durham.officer"])
    for path in ("/deadlines/?scope=organisation", f"/deadlines/{clock.pk}/"):
        page = web.get(path)
        assert page.status_code == 200, path
        assert "Jonathan Smith" in page.text, path
        assert "Jon Smith" not in page.text, path
        assert f"/people/{jon.pk}/" not in page.text, path
    # The council that holds the record names the child by the record on its own deadlines.
    council = Client()
    council.force_login(cast.users["social.worker"])
    assert "Jon Smith" in council.get(f"/deadlines/{council_clock.pk}/").text
