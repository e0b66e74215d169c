"""The joint casework pages: who sees each (the persona matrix), and the forms, errors and outcomes on them."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.audit.models import AuditAction, AuditEntry
from openmash.casework.models import ClosureStatus, Disagreement, JointVisit, VisitStatus
from openmash.clocks.models import Clock
from tests.casework.conftest import LONDON

PERSONAS = [
    "social.worker",
    "police.officer",
    "bury.social.worker",
    "inspector",
    "council.admin",
    "anonymous",
]
# Involved council and force see it; an unrelated council, an inspector and an administrator get 404.
RECORD = {
    "social.worker": 200,
    "police.officer": 200,
    "bury.social.worker": 404,
    "inspector": 404,
    "council.admin": 404,
    "anonymous": 302,
}
# Lists show each organisation its own rows, so Bury gets an empty list rather than a 404.
LIST = {**RECORD, "bury.social.worker": 200}


def client_for(cast, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.users[persona])
    return client


@pytest.fixture
def casework(request_visit, record_protection, propose_closure, on_plan, actors):
    """One of each: a joint visit, a police protection notice and a proposed closure, all about Amelia."""
    return {
        "visit": request_visit(),
        "protection": record_protection(),
        "closure": propose_closure(),
    }


def _url(page, casework, cast):
    amelia = cast.people["Amelia Hart"].pk
    return {
        "casework:visits": reverse("casework:visits"),
        "casework:lone-visits": reverse("casework:lone-visits"),
        "casework:protections": reverse("casework:protections"),
        "casework:closures": reverse("casework:closures"),
        "casework:visit": reverse("casework:visit", args=[casework["visit"].pk]),
        "casework:protection": reverse("casework:protection", args=[casework["protection"].pk]),
        "casework:closure": reverse("casework:closure", args=[casework["closure"].pk]),
        "casework:visit-request": reverse("casework:visit-request", args=[amelia]),
        "casework:closure-propose": reverse("casework:closure-propose", args=[amelia]),
        "casework:measures": reverse("casework:measures"),
    }[page]


PAGE_MATRIX = {
    "casework:visits": LIST,
    "casework:lone-visits": LIST,
    "casework:protections": LIST,
    "casework:closures": LIST,
    "casework:visit": RECORD,
    "casework:protection": RECORD,
    "casework:closure": RECORD,
    "casework:visit-request": {**RECORD, "police.officer": 404},
    "casework:closure-propose": {**RECORD, "social.worker": 404},
    "casework:measures": {**RECORD, "social.worker": 404, "police.officer": 404},
}


@pytest.mark.parametrize("page", PAGE_MATRIX)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_page_answers_each_persona_as_the_policy_says(cast, casework, page, persona):
    response = client_for(cast, persona).get(_url(page, casework, cast))
    assert response.status_code == PAGE_MATRIX[page][persona]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:sign-in"))
    if response.status_code == 404 or persona == "bury.social.worker":
        assert "Amelia" not in response.content.decode()
    elif response.status_code == 200 and page not in ("casework:lone-visits", "casework:measures"):
        assert "Amelia Hart" in response.content.decode()


@pytest.mark.parametrize("persona", ["team.manager", "partnership.lead"])
def test_measures_are_for_team_managers_and_partnership_leads(cast, casework, persona):
    response = client_for(cast, persona).get(reverse("casework:measures"))
    assert response.status_code == 200
    assert "Cleveland Police" in response.text


def test_a_record_that_does_not_exist_looks_like_one_not_allowed(cast, casework):
    client = client_for(cast, "bury.social.worker")
    for name, key in (("casework:visit", "visit"), ("casework:closure", "closure")):
        hidden = client.get(reverse(name, args=[casework[key].pk]))
        missing = client.get(reverse(name, args=["00000000-0000-0000-0000-000000000000"]))
        assert hidden.status_code == missing.status_code == 404


def test_opening_a_visit_is_recorded_in_the_audit_trail(cast, casework):
    visit = casework["visit"]
    client_for(cast, "police.officer").get(reverse("casework:visit", args=[visit.pk]))
    entry = AuditEntry.objects.filter(action=AuditAction.VIEW, object_type="joint-visit").last()
    assert entry.object_id == str(visit.pk) and entry.organisation_code == cast.organisations["police"].code


def test_a_social_worker_asks_for_a_joint_visit_from_the_childs_record(cast):
    client = client_for(cast, "social.worker")
    amelia = cast.people["Amelia Hart"]
    record = client.get(reverse("people:record", args=[amelia.pk]))
    assert reverse("casework:visit-request", args=[amelia.pk]) in record.text
    url = reverse("casework:visit-request", args=[amelia.pk])
    empty = client.post(url, {})
    assert empty.status_code == 200
    assert "<title>Error: " in empty.text and "Choose why a police officer is needed" in empty.text
    assert not JointVisit.objects.exists()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "planned_date_0": tomorrow.day,
            "planned_date_1": tomorrow.month,
            "planned_date_2": tomorrow.year,
            "planned_time": "10:00",
            "police_needed_because": ["risk", "evidential"],
            "purpose": "Follow up disclosure",
        },
    )
    visit = JointVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("casework:visit", args=[visit.pk])
    assert timezone.localtime(visit.planned_for, LONDON).hour == 10


def test_the_police_cannot_confirm_a_visit_without_officer_and_time_on_the_page(cast, casework):
    visit = casework["visit"]
    client = client_for(cast, "police.ppu")
    url = reverse("casework:visit", args=[visit.pk])
    response = client.post(url, {"action": "officer", "officer_name": "PC Dale"})
    assert response.status_code == 200
    assert "Enter the date the officer will be there" in response.text
    visit.refresh_from_db()
    assert visit.status == VisitStatus.REQUESTED
    day = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        url,
        {
            "action": "officer",
            "officer_name": "PC Dale",
            "attends_date_0": day.day,
            "attends_date_1": day.month,
            "attends_date_2": day.year,
            "attends_time": "09:45",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED and visit.officer_name == "PC Dale"


def test_the_council_cannot_use_the_police_form(cast, casework):
    response = client_for(cast, "social.worker").post(
        reverse("casework:visit", args=[casework["visit"].pk]), {"action": "officer", "officer_name": "Me"}
    )
    assert response.status_code == 404


def test_a_lone_visit_recorded_on_the_page_shows_on_the_team_managers_home(cast, casework):
    visit = casework["visit"]
    today = timezone.localdate()
    response = client_for(cast, "social.worker").post(
        reverse("casework:visit", args=[visit.pk]),
        {
            "action": "done",
            "visited_date_0": today.day,
            "visited_date_1": today.month,
            "visited_date_2": today.year,
            "visited_time": "00:01",
            "officer_present": "no",
            "outcome": "Went alone",
        },
    )
    assert response.status_code == 302
    home = client_for(cast, "team.manager").get(reverse("web:home"))
    assert "1 lone visit waiting for your review" in home.text
    social_worker_home = client_for(cast, "social.worker").get(reverse("web:home"))
    assert "waiting for your review" not in social_worker_home.text


def test_ending_police_protection_late_asks_for_the_reason_for_the_delay(cast, record_protection):
    event = record_protection(taken_at=timezone.now() - dt.timedelta(hours=80))
    url = reverse("casework:protection", args=[event.pk])
    client = client_for(cast, "police.officer")
    page = client.get(url)
    assert "Over 72 hours" in page.text
    ended = timezone.localtime(timezone.now() - dt.timedelta(hours=2), LONDON)
    form = {
        "ended_date_0": ended.day,
        "ended_date_1": ended.month,
        "ended_date_2": ended.year,
        "ended_time": ended.strftime("%H:%M"),
        "how": "epo",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "<title>Error: " in response.text and "Give the reason for the delay" in response.text
    assert 'href="#id_delay_reason"' in response.text
    response = client.post(url, {**form, "delay_reason": "Court listing"})
    assert response.status_code == 302
    clock = Clock.objects.get(event=event, rule="police-protection-max")
    assert clock.breach_reason == "Court listing"


def test_the_council_disputes_a_closure_and_records_the_stages_on_the_page(cast, casework, actors):
    closure = casework["closure"]
    url = reverse("casework:closure", args=[closure.pk])
    police = client_for(cast, "police.officer")
    assert "The council&#x27;s answer" not in police.get(url).text  # only the council answers
    council = client_for(cast, "social.worker")
    error = council.post(url, {"action": "respond", "response": "dispute", "reasons": ""})
    assert error.status_code == 200 and "Give the reasons for disputing the closure" in error.text
    response = council.post(
        url, {"action": "respond", "response": "dispute", "reasons": "Injury unexplained"}
    )
    assert response.status_code == 302
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.DISPUTED
    page = police.get(url)
    assert "Stage 1: practitioners" in page.text
    response = police.post(url, {"action": "stage", "outcome": "escalated", "notes": "No agreement"})
    assert response.status_code == 302
    assert Disagreement.objects.get(closure=closure).stage == 2
    # Stage 2 is the managers': the social worker is told so and cannot record it; the team manager can.
    page = council.get(url)
    assert "taken forward by managers" in page.text and 'value="stage"' not in page.text
    refused = council.post(url, {"action": "stage", "outcome": "resolved", "notes": "x"})
    assert Disagreement.objects.get(closure=closure).stage == 2 and refused.status_code == 404
    manager = client_for(cast, "team.manager")
    response = manager.post(
        url,
        {
            "action": "stage",
            "outcome": "resolved",
            "resolution": "investigation-continues",
            "notes": "Reopened after managers met",
        },
    )
    assert response.status_code == 302
    closure.refresh_from_db()
    assert closure.status == ClosureStatus.WITHDRAWN
    assert "The investigation continues" in police.get(url).text


def test_a_police_officer_proposes_a_closure_from_the_childs_record(cast, on_plan):
    client = client_for(cast, "police.officer")
    amelia = cast.people["Amelia Hart"]
    assert (
        reverse("casework:closure-propose", args=[amelia.pk])
        in client.get(reverse("people:record", args=[amelia.pk])).text
    )
    url = reverse("casework:closure-propose", args=[amelia.pk])
    assert "Enter the police reference" in client.post(url, {}).text
    response = client.post(
        url,
        {
            "police_reference": "CLE-26-9001",
            "reasons": "Insufficient evidence",
            "under_s47_enquiry": "no",
            "injuries_recorded": "yes",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert "Proposed: waiting for the council" in page.text
