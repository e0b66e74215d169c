"""Every panel on a person's page follows the policy of what it names (security issue, item 2).

A school knows a child through Operation Encompass: its view of the record, on the web and in the API, is who
the child is and that they attend the school; the "who has looked" panel shows its own work, and counts the
rest. Another agency's work appears in the panel only where the viewer may see that work.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.services import api_client_create
from openmash.events.models import EventKind
from openmash.people.models import IdentifierScheme
from openmash.recording.services import EventInput, PersonInput, event_record

LONDON = ZoneInfo("Europe/London")


def _police_protection(cast):
    return event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=EventInput(
            kind=EventKind.POLICE_PROTECTION,
            reference="CLE-26-PPN-77",
            occurred_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON),
            postcode="TS17 6AA",
            people=[PersonInput(person_id=cast.people["Amelia Hart"].pk)],
            details={
                "designated_officer": "Insp. Grace Oduya",
                "reasons": "Left alone overnight",
                "alternatives_discussed": True,
                "alternatives_discussed_with": "EDT manager",
            },
        ),
    )


def test_a_school_sees_the_encompass_view_and_its_own_work_only(cast, signed_in):
    amelia = cast.people["Amelia Hart"]
    recorded = _police_protection(cast)
    signed_in("social.worker").get(reverse("people:record", args=[amelia.pk]))
    school = signed_in("school.dsl")
    assert school.get(reverse("casework:protection", args=[recorded.event.pk])).status_code == 404
    page = school.get(reverse("people:record", args=[amelia.pk]))
    assert page.status_code == 200
    text = page.text
    assert "Amelia Hart" in text and "Riverside Primary School (demo)" in text
    nhs = amelia.identifiers.get(scheme=IdentifierScheme.NHS_NUMBER).value
    for held in (nhs, "STC-100234", "TS18 1AA", "Child in need", "Sarah Hart", "Noah"):
        assert held not in text, held
    panel = text.split("Who has looked at this record", 1)[1]
    for other in ("CLE-26-PPN-77", "police protection", "Priya Shah", "Dev Patel", "Cleveland Police"):
        assert other not in panel, other
    assert "Maria Lopez (school.dsl)" in panel  # its own reading
    assert "by other agencies, about work your organisation may not see" in panel


def test_the_school_api_client_gets_the_same_view(cast):
    school = cast.organisations["school"]
    token = api_client_create(actor=system_actor(school), organisation=school, name="mis").token
    amelia = cast.people["Amelia Hart"]
    body = Client().get(f"/api/v1/people/{amelia.pk}", headers={"Authorization": f"Bearer {token}"}).json()
    assert body["scope"] == "encompass" and body["schools"] == ["URN-900001"]
    assert body["identifiers"] == body["addresses"] == body["statuses"] == body["aliases"] == []


def test_a_partner_sees_other_agencies_work_only_where_it_may_see_that_work(cast, signed_in):
    """Bury never received the police protection notice: the panel counts it for Bury, names it for the
    council that received it."""
    amelia = cast.people["Amelia Hart"]
    _police_protection(cast)
    council = signed_in("social.worker").get(reverse("people:record", args=[amelia.pk])).text
    assert "recorded police protection" in council.split("Who has looked at this record", 1)[1].lower()
    health = signed_in("health.practitioner")
    from openmash.access.models import ReasonKind
    from openmash.access.services import access_reason_record

    access_reason_record(
        actor=actor_for_user(cast.users["health.practitioner"]),
        organisation=cast.organisations["health"],
        person=amelia,
        kind=ReasonKind.RECORDED_EVENT,
        detail="Health visit (test)",
    )
    panel = health.get(reverse("people:record", args=[amelia.pk])).text.split(
        "Who has looked at this record", 1
    )[1]
    assert "CLE-26-PPN-77" not in panel and "police protection" not in panel.lower()
    assert "Dev Patel (social.worker)" in panel  # reading the record itself is shown
    assert "by other agencies, about work your organisation may not see" in panel
