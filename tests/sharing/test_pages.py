"""The sharing pages: record an incident, inbox, share page with acknowledgement, submissions, stuck deliveries."""

import pytest
from django.urls import reverse

from openmash.events.models import Event
from openmash.sharing import delivery
from openmash.sharing.models import Channel, Delivery, DeliveryStatus, Share
from tests.incident_journey import walk

INCIDENT_FORM = {
    "police_reference": "CLE-26-4001",
    "occurred_date_0": "20",
    "occurred_date_1": "11",
    "occurred_date_2": "2026",
    "occurred_time": "21:30",
    "reported_date_0": "20",
    "reported_date_1": "11",
    "reported_date_2": "2026",
    "reported_time": "21:45",
    "location": "12 Rowan Street",
    "postcode": "TS18 1AA",
    "risk_level": "medium",
    "marac": "no",
    "summary": "Shouting heard by neighbours",
    "child1-given_name": "Zara",
    "child1-family_name": "Quinn",
    "child1-date_of_birth_0": "2",
    "child1-date_of_birth_1": "4",
    "child1-date_of_birth_2": "2015",
    "child1-school_urn": "900001",
    "child1-present": "yes",
    "child1-child_words": "I was scared",
    # Weeks ago: the council is told late, so the officer says why on check your answers.
    "late_reason": "Recorded from the night shift's notes the next day",
}


def _drain():
    while delivery.run_once("pages"):
        pass


def test_officer_records_an_incident_and_sees_where_it_went(signed_in):
    client = signed_in("police.officer")
    assert client.get(reverse("events:incident-create")).status_code == 200
    response = walk(client, INCIDENT_FORM)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = Event.objects.get(reference="CLE-26-4001")
    assert {share.recipient.code for share in event.shares.all()} == {"E06000004", "URN-900001"}
    page = client.get(response["Location"])
    assert "Incident CLE-26-4001 recorded and shared with 2 organisations" in page.text
    assert "Riverside Primary School (demo)" in page.text and "Waiting" in page.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"police_reference": ""}, "Enter the police reference"),
        ({"occurred_time": "25:00"}, "Time it happened must be a real time"),
        ({"risk_level": ""}, "Choose the risk level"),
        ({"postcode": "ZZ99 9ZZ"}, "not in the ONS postcode directory"),
        ({"child1-date_of_birth_0": ""}, "must include a day, month and year"),
        (
            {
                "child1-given_name": "",
                "child1-family_name": "",
                "child1-date_of_birth_0": "",
                "child1-date_of_birth_1": "",
                "child1-date_of_birth_2": "",
                "child1-school_urn": "",
                "child1-present": "",
                "child1-child_words": "",
            },
            "Add at least one child",
        ),
        ({"child1-nhs_number": "1234567890"}, "check digit does not match"),
        ({"child1-nhs_number": "0000000000"}, "leave it blank if it is not known"),
        ({"police_reference": "R" * 61}, "Ensure this value has at most 60 characters"),
        ({"location": "L" * 301}, "Ensure this value has at most 300 characters"),
        ({"child1-given_name": "G" * 101}, "Ensure this value has at most 100 characters"),
        # The hour the clocks skip in spring did not happen in London.
        (
            {"occurred_date_0": "29", "occurred_date_1": "3", "occurred_time": "01:30"},
            "Time it happened did not happen in London",
        ),
        ({"occurred_date_2": "1999", "reported_date_2": "1999"}, "must be on or after 1 January 2000"),
        ({"child1-date_of_birth_2": "1899"}, "Date of birth must be on or after 1 January 1900"),
        (
            {
                "child1-date_of_birth_0": "21",
                "child1-date_of_birth_1": "11",
                "child1-date_of_birth_2": "2026",
            },
            "Date of birth must be on or before the day it happened",
        ),
    ],
)
def test_bad_incident_shows_the_error_summary_and_saves_nothing(signed_in, changes, message):
    before = Event.objects.count(), Share.objects.count()
    response = walk(signed_in("police.officer"), {**INCIDENT_FORM, **changes})
    assert response.status_code == 200
    assert "There is a problem" in response.text and message in response.text
    assert "<title>Error: " in response.text
    assert (Event.objects.count(), Share.objects.count()) == before


@pytest.mark.parametrize("persona", ["social.worker", "school.dsl", "council.admin", "inspector"])
def test_only_police_record_incidents(signed_in, persona):
    assert signed_in(persona).get(reverse("events:incident-create")).status_code == 404


def test_inbox_shows_delivered_shares_and_the_school_only_its_notice(signed_in):
    walk(signed_in("police.officer"), INCIDENT_FORM)
    mash = signed_in("mash.practitioner")
    assert "CLE-26-4001" not in mash.get(reverse("sharing:inbox")).text  # not delivered yet
    _drain()
    inbox = mash.get(reverse("sharing:inbox"))
    assert "CLE-26-4001" in inbox.text and "Zara Quinn" in inbox.text
    school = signed_in("school.dsl").get(reverse("sharing:inbox"))
    assert (
        "Operation Encompass notices" in school.text
        and "Operation Encompass notice CLE-26-4001" in school.text
    )
    fragment = mash.get(reverse("sharing:inbox"), headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and "CLE-26-4001" in fragment.text
    assert "CLE-26-4001" not in signed_in("bury.social.worker").get(reverse("sharing:inbox")).text


def test_share_page_acknowledges_and_the_officer_sees_the_outcome(signed_in):
    walk(signed_in("police.officer"), INCIDENT_FORM)
    _drain()
    share = Share.objects.get(event__reference="CLE-26-4001", recipient__code="E06000004")
    mash = signed_in("mash.practitioner")
    page = mash.get(reverse("sharing:share", args=[share.pk]))
    assert "Zara Quinn" in page.text and "Delivered to inbox" in page.text
    missing_reason = mash.post(reverse("sharing:share", args=[share.pk]), {"decision": "assessment"})
    assert "Give the reasons for the decision" in missing_reason.text
    done = mash.post(
        reverse("sharing:share", args=[share.pk]), {"decision": "assessment", "reasons": "Second incident"}
    )
    assert done.status_code == 302
    submissions = signed_in("police.officer").get(reverse("sharing:submissions"))
    assert "Child and family assessment: Second incident" in submissions.text
    assert signed_in("bury.social.worker").get(reverse("sharing:share", args=[share.pk])).status_code == 404


def test_school_share_page_withholds_what_a_school_does_not_need(signed_in):
    walk(
        signed_in("police.officer"),
        {**INCIDENT_FORM, "adult1-given_name": "Dean", "adult1-family_name": "Quinn"},
    )
    share = Share.objects.get(event__reference="CLE-26-4001", recipient__code="URN-900001")
    page = signed_in("school.dsl").get(reverse("sharing:share", args=[share.pk])).text
    assert "I was scared" in page
    assert "Dean" not in page and "Risk level" not in page


def test_stuck_delivery_is_listed_and_sent_again(cast, signed_in, record_incident):
    record_incident()
    alert = Delivery.objects.filter(channel=Channel.ALERT, share__recipient__code="E06000004").get()
    Delivery.objects.filter(pk=alert.pk).update(
        status=DeliveryStatus.DEAD, last_error="HTTP 500", attempts=12
    )
    client = signed_in("mash.practitioner")
    page = client.get(reverse("sharing:stuck"))
    assert "HTTP 500" in page.text
    client.post(reverse("sharing:replay", args=[alert.pk]))
    assert Delivery.objects.get(pk=alert.pk).status == DeliveryStatus.PENDING
    assert signed_in("bury.social.worker").post(reverse("sharing:replay", args=[alert.pk])).status_code == 404


def test_person_page_offers_the_events_the_organisation_may_record(cast, signed_in):
    amelia = cast.people["Amelia Hart"]
    police = signed_in("police.officer").get(reverse("people:record", args=[amelia.pk])).text
    assert "Record police protection" in police and "Report this child missing" in police
    school = signed_in("school.dsl").get(reverse("people:record", args=[amelia.pk])).text
    assert "Make a referral" in school and "Record police protection" not in school


def test_school_refers_a_child_from_the_record(cast, signed_in):
    amelia = cast.people["Amelia Hart"]
    url = reverse("events:person-event-create", args=[amelia.pk, "referral"])
    client = signed_in("school.dsl")
    empty = client.post(url, {})
    assert "Enter the date" in empty.text and "Choose who to send it to" in empty.text
    response = client.post(
        url,
        {
            "occurred_date_0": "20",
            "occurred_date_1": "11",
            "occurred_date_2": "2026",
            "occurred_time": "10:00",
            "recipient": "E06000004",
            "summary": "Bruising on arm",
        },
    )
    assert response.status_code == 302
    assert Share.objects.filter(event__kind="referral", recipient__code="E06000004").exists()


@pytest.mark.parametrize(
    ("form", "field", "model", "column"),
    [
        ("openmash.events.forms.IncidentWhenForm", "police_reference", "events.Event", "reference"),
        ("openmash.events.forms.IncidentWhereForm", "location", "events.Event", "location"),
        ("openmash.people.forms.PersonCreateForm", "given_name", "people.Person", "given_name"),
        ("openmash.people.forms.PersonCreateForm", "address_line_1", "people.Address", "line_1"),
        (
            "openmash.casework.forms.ClosureProposeForm",
            "police_reference",
            "casework.InvestigationClosure",
            "police_reference",
        ),
        ("openmash.meetings.forms.ScheduleForm", "location", "meetings.Meeting", "location"),
        ("openmash.clocks.forms.TermBreakForm", "name", "clocks.TermBreak", "name"),
    ],
)
def test_form_fields_are_as_long_as_their_columns(form, field, model, column):
    from django.apps import apps
    from django.utils.module_loading import import_string

    declared = import_string(form).base_fields[field].max_length
    assert declared == apps.get_model(model)._meta.get_field(column).max_length
