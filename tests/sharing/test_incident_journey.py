"""The domestic-abuse incident as GOV.UK question pages: one thing per page, "add another" for children and
adults, check your answers; nothing recorded until confirmed."""

from django.urls import reverse

from openmash.events.models import Event
from openmash.recording.views import DRAFT
from tests.incident_journey import STEP_FIELDS, _field
from tests.sharing.test_pages import INCIDENT_FORM

CHILD = {key: value for key, value in INCIDENT_FORM.items() if key.startswith("child1-")}


def _answer_the_incident_pages(client):
    for step, fields in STEP_FIELDS.items():
        data = {key: value for key, value in INCIDENT_FORM.items() if _field(key) in fields}
        response = client.post(reverse("events:incident-step", args=[step]), data)
        assert response.status_code == 302, response.text[:2000]


def test_the_journey_keeps_a_draft_and_records_only_when_confirmed(signed_in):
    client = signed_in("police.officer")
    first = client.get(reverse("events:incident-create"))
    assert "When it happened" in first.text and "govuk-back-link" in first.text
    _answer_the_incident_pages(client)
    # Children: the first child's page comes straight away; then "add another".
    assert client.get(reverse("events:incident-people", args=["children"]))["Location"] == reverse(
        "events:incident-person", args=["children", 1]
    )
    assert client.post(reverse("events:incident-person", args=["children", 1]), CHILD).status_code == 302
    second = {key.replace("child1-", "child2-"): value for key, value in CHILD.items()}
    second |= {"child2-given_name": "Max", "child2-date_of_birth_2": "2023", "child2-school_urn": ""}
    assert client.post(reverse("events:incident-person", args=["children", 2]), second).status_code == 302
    listed = client.get(reverse("events:incident-people", args=["children"]))
    assert "You have added 2 children" in listed.text and "Max Quinn" in listed.text
    # Remove the second child, then carry on with no more.
    client.post(reverse("events:incident-person-remove", args=["children", 2]))
    listed = client.get(reverse("events:incident-people", args=["children"]))
    assert "You have added 1 child" in listed.text and "Max Quinn removed" in listed.text
    assert "Max Quinn</dt>" not in listed.text.replace(" </dt>", "</dt>")
    assert client.post(reverse("events:incident-people", args=["children"]), {"add_another": "no"})[
        "Location"
    ] == reverse("events:incident-people", args=["adults"])
    adult = {"adult1-given_name": "Dean", "adult1-family_name": "Quinn"}
    assert (
        client.post(reverse("events:incident-people", args=["adults"]), {"add_another": "yes"}).status_code
        == 302
    )
    assert client.post(reverse("events:incident-person", args=["adults", 1]), adult).status_code == 302
    client.post(reverse("events:incident-people", args=["adults"]), {"add_another": "no"})
    check = client.get(reverse("events:incident-check"))
    assert check.status_code == 200
    for text in ("CLE-26-4001", "20 November 2026 at 9:30pm", "Medium", "Zara Quinn", "Dean Quinn"):
        assert text in check.text, text
    assert check.text.count(">Change<") >= 8
    assert not Event.objects.filter(reference="CLE-26-4001").exists()  # nothing recorded yet
    # Change an answer from the check page: back to the check page afterwards.
    changed = client.post(
        reverse("events:incident-step", args=["where"]) + "?change=1",
        {"location": "14 Rowan Street", "postcode": "TS18 1AA"},
    )
    assert changed["Location"] == reverse("events:incident-check")
    assert "14 Rowan Street" in client.get(reverse("events:incident-check")).text
    # Weeks after the incident, the council is told late: confirming needs the officer's reason.
    refused = client.post(reverse("events:incident-check"))
    assert refused.status_code == 200 and "Give the reason for the delay" in refused.text
    assert not Event.objects.filter(reference="CLE-26-4001").exists()
    done = client.post(reverse("events:incident-check"), {"late_reason": INCIDENT_FORM["late_reason"]})
    assert done.status_code == 302 and done["Location"] == reverse("sharing:submissions")
    event = Event.objects.get(reference="CLE-26-4001")
    assert event.location == "14 Rowan Street"
    assert sorted(s.person.given_name for s in event.subjects.all()) == ["Dean", "Zara"]
    assert DRAFT not in client.session
    # The draft is gone: the check page sends the officer back to the start.
    assert client.get(reverse("events:incident-check"))["Location"] == reverse(
        "events:incident-step", args=["when"]
    )


def test_each_page_checks_its_own_answers_with_an_error_summary(signed_in):
    client = signed_in("police.officer")
    response = client.post(reverse("events:incident-step", args=["risk"]), {})
    assert response.status_code == 200 and "<title>Error: " in response.text
    assert (
        "Choose the risk level" in response.text and "Say whether it was referred to MARAC" in response.text
    )
    person = client.post(
        reverse("events:incident-person", args=["children", 1]), {"child1-given_name": "Zara"}
    )
    assert "Enter the child&#x27;s last name" in person.text
    assert "Enter the child&#x27;s date of birth" in person.text
    nobody = client.post(reverse("events:incident-people", args=["children"]), {"add_another": "no"})
    assert "Add at least one child" in nobody.text
    assert client.post(reverse("events:incident-person", args=["children", 3]), CHILD).status_code == 404


def test_the_check_page_shows_what_recording_would_refuse_before_confirming(signed_in):
    client = signed_in("police.officer")
    _answer_the_incident_pages(client)
    client.post(reverse("events:incident-step", args=["where"]), {"postcode": "ZZ99 9ZZ"})
    client.post(reverse("events:incident-person", args=["children", 1]), CHILD)
    client.post(reverse("events:incident-people", args=["children"]), {"add_another": "no"})
    client.post(reverse("events:incident-people", args=["adults"]), {"add_another": "no"})
    check = client.get(reverse("events:incident-check"))
    assert "There is a problem" in check.text and "not in the ONS postcode directory" in check.text
    assert reverse("events:incident-step", args=["where"]) + "?change=1#id_postcode" in check.text
    assert client.post(reverse("events:incident-check")).status_code == 200
    assert not Event.objects.filter(reference="CLE-26-4001").exists()


def test_only_police_use_the_journey(signed_in):
    for persona in ("social.worker", "school.dsl", "council.admin"):
        client = signed_in(persona)
        assert client.get(reverse("events:incident-step", args=["when"])).status_code == 404
        assert client.get(reverse("events:incident-people", args=["children"])).status_code == 404
        assert client.get(reverse("events:incident-check")).status_code == 404
