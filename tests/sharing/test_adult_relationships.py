"""An adult at a household incident has a relationship to each child there, not one for all: recorded through
the service, the API and the web's incident pages; kept on the people's records; shown on check your answers,
the share and its context panel, and each child's record."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.services import api_client_create
from openmash.events.models import Event, EventKind, EventSubject, SubjectRole
from openmash.lib.errors import InvalidInput
from openmash.people.models import Person, Relationship
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.context import share_context
from openmash.sharing.selectors import share_open
from tests.incident_journey import walk
from tests.sharing.test_pages import INCIDENT_FORM


def _incident(reference: str, adults: list[PersonInput]) -> EventInput:
    when = timezone.now() - dt.timedelta(minutes=30)
    return EventInput(
        kind=EventKind.DOMESTIC_ABUSE,
        reference=reference,
        occurred_at=when,
        reported_at=when,
        location="3 Elm Road",
        postcode="TS18 1AA",
        risk_level="medium",
        people=[
            PersonInput(given_name="Amy", family_name="Smith", date_of_birth=dt.date(2016, 4, 2)),
            PersonInput(given_name="Ben", family_name="Jones", date_of_birth=dt.date(2019, 1, 9)),
            *adults,
        ],
    )


def _links() -> set[tuple[str, str, str]]:
    return set(
        Relationship.objects.filter(person__family_name="Jones", person__given_name="Sam").values_list(
            "person__given_name", "relative__given_name", "kind"
        )
    )


SAM = {"role": SubjectRole.ADULT, "given_name": "Sam", "family_name": "Jones"}


def test_each_child_gets_the_adults_own_relationship(cast):
    officer = actor_for_user(cast.users["police.officer"])
    recorded = event_record(
        actor=officer,
        data=_incident(
            "CLE-26-7101",
            [
                PersonInput(
                    **SAM,
                    details={
                        "harm_role": "person-causing-harm",
                        "relationships": [
                            {"child": 0, "relationship": "parent-partner"},
                            {"child": 1, "relationship": "parent"},
                        ],
                    },
                )
            ],
        ),
    )
    assert _links() == {("Sam", "Amy", "parent-partner"), ("Sam", "Ben", "parent")}
    # The event keeps each relationship by the child's record, not by their place in the form.
    amy, ben = (Person.objects.get(given_name=name) for name in ("Amy", "Ben"))
    sam = EventSubject.objects.get(event=recorded.event, role=SubjectRole.ADULT)
    assert sam.details["relationships"] == {str(amy.pk): "parent-partner", str(ben.pk): "parent"}
    # The share names each child with the adult's relationship to that child.
    council = next(s for s in recorded.shares if s.recipient == cast.organisations["council"])
    mash = actor_for_user(cast.users["mash.practitioner"])
    [adult] = share_open(actor=mash, share_id=council.pk).content["adults"]
    assert {(r["child"], r["relationship"]) for r in adult["relationships"]} == {
        (str(amy.pk), "parent-partner"),
        (str(ben.pk), "parent"),
    }
    context = {child.name: child for child in share_context(actor=mash, share=council)}
    assert [(m.name, m.relationship) for m in context["Amy Smith"].adults] == [
        ("Sam Jones", "Parent's partner")
    ]
    assert [(m.name, m.relationship) for m in context["Ben Jones"].adults] == [("Sam Jones", "Parent")]
    page = Client()
    page.force_login(cast.users["mash.practitioner"])
    text = page.get(reverse("sharing:share", args=[council.pk])).text
    assert "parent&#x27;s partner of Amy Smith" in text and "parent of Ben Jones" in text
    # Each child's record shows the adult with their relationship to that child.
    assert "Sam Jones: parent&#x27;s partner" in page.get(reverse("people:record", args=[amy.pk])).text
    assert "Sam Jones: parent<" in page.get(reverse("people:record", args=[ben.pk])).text


def test_a_child_not_named_takes_the_one_relationship_or_household_member(cast):
    officer = actor_for_user(cast.users["police.officer"])
    event_record(
        actor=officer,
        data=_incident(
            "CLE-26-7102",
            [
                PersonInput(
                    **SAM,
                    details={
                        "relationship": "carer",
                        "relationships": [{"child": 1, "relationship": "parent"}],
                    },
                )
            ],
        ),
    )
    assert _links() == {("Sam", "Amy", "carer"), ("Sam", "Ben", "parent")}


def test_no_relationship_given_links_a_household_member(cast):
    event_record(
        actor=actor_for_user(cast.users["police.officer"]),
        data=_incident("CLE-26-7103", [PersonInput(**SAM)]),
    )
    assert _links() == {("Sam", "Amy", "household-member"), ("Sam", "Ben", "household-member")}


@pytest.mark.parametrize(
    ("relationships", "field", "words"),
    [
        ([{"child": 2, "relationship": "parent"}], "adults.2.relationships.0.child", "from 0 to 1"),
        (
            [{"child": 0, "relationship": "parent"}, {"child": 0, "relationship": "carer"}],
            "adults.2.relationships.1.child",
            "Give each child once",
        ),
        ([{"child": 1, "relationship": "uncle"}], "adults.2.relationships.0.relationship", "Choose what"),
        ([{"relationship": "parent"}], "adults.2.relationships.0.child", "Choose a child"),
        ("parent", "adults.2.relationships", "Give a list"),
    ],
)
def test_a_bad_relationship_is_refused_and_nothing_is_saved(cast, relationships, field, words):
    officer = actor_for_user(cast.users["police.officer"])
    with pytest.raises(InvalidInput) as refused:
        event_record(
            actor=officer,
            data=_incident("CLE-26-7104", [PersonInput(**SAM, details={"relationships": relationships})]),
        )
    assert words in refused.value.errors[field][0]
    assert not Event.objects.filter(reference="CLE-26-7104").exists()
    assert not Person.objects.filter(given_name="Sam").exists()


@pytest.fixture
def police_api(cast):
    organisation = cast.organisations["police"]
    token = api_client_create(actor=system_actor(organisation), organisation=organisation, name="relations")
    return {"Authorization": f"Bearer {token.token}"}


def _api_incident(reference: str, adult: dict) -> dict:
    when = (timezone.now() - dt.timedelta(minutes=30)).isoformat()
    return {
        "police_reference": reference,
        "occurred_at": when,
        "reported_at": when,
        "risk_level": "medium",
        "postcode": "TS18 1AA",
        "children": [
            {"given_name": "Amy", "family_name": "Smith", "date_of_birth": "2016-04-02"},
            {"given_name": "Ben", "family_name": "Jones", "date_of_birth": "2019-01-09"},
        ],
        "adults": [{"given_name": "Sam", "family_name": "Jones", **adult}],
    }


def _post(body: dict, headers: dict):
    return Client().post(
        "/api/v1/incidents/domestic-abuse", body, content_type="application/json", headers=headers
    )


def test_the_api_takes_a_relationship_to_each_child(cast, police_api):
    body = _api_incident(
        "CLE-26-7111",
        {
            "relationships": [
                {"child": 0, "relationship": "parent-partner"},
                {"child": 1, "relationship": "parent"},
            ]
        },
    )
    assert _post(body, police_api).status_code == 201
    assert _links() == {("Sam", "Amy", "parent-partner"), ("Sam", "Ben", "parent")}


def test_the_api_still_takes_one_relationship_for_every_child(cast, police_api):
    assert _post(_api_incident("CLE-26-7112", {"relationship": "parent"}), police_api).status_code == 201
    assert _links() == {("Sam", "Amy", "parent"), ("Sam", "Ben", "parent")}


def test_the_api_names_the_bad_relationship_in_a_problem(cast, police_api):
    response = _post(
        _api_incident("CLE-26-7113", {"relationships": [{"child": 5, "relationship": "parent"}]}), police_api
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    assert [problem["field"] for problem in response.json()["errors"]] == ["adults.2.relationships.0.child"]
    assert not Event.objects.filter(reference="CLE-26-7113").exists()
    # A kind that is not one is refused by the schema, naming the field.
    response = _post(
        _api_incident("CLE-26-7114", {"relationships": [{"child": 0, "relationship": "uncle"}]}), police_api
    )
    assert response.status_code == 422
    assert any("relationship" in problem["field"] for problem in response.json()["errors"])


TWO_CHILDREN = {
    **INCIDENT_FORM,
    "child2-given_name": "Max",
    "child2-family_name": "Quinn",
    "child2-date_of_birth_0": "9",
    "child2-date_of_birth_1": "1",
    "child2-date_of_birth_2": "2023",
    "adult1-given_name": "Dean",
    "adult1-family_name": "Quinn",
    "adult1-harm_role": "person-causing-harm",
    "adult1-relationship_1": "parent-partner",
    "adult1-relationship_2": "parent",
}


def test_the_adult_page_asks_the_relationship_to_each_child(signed_in):
    client = signed_in("police.officer")
    walk_to_adult = {key: value for key, value in TWO_CHILDREN.items() if not key.startswith("adult")}
    # Every page answered but the adults', then the first adult's page.
    walk(client, walk_to_adult, confirm=False)
    page = client.get(reverse("events:incident-person", args=["adults", 1])).text
    assert "What is this adult to Zara Quinn?" in page and "What is this adult to Max Quinn?" in page
    # Refused answers name the adult on the page again.
    refused = client.post(
        reverse("events:incident-person", args=["adults", 1]),
        {"adult1-given_name": "Dean", "adult1-family_name": "Quinn", "adult1-relationship_1": "uncle"},
    )
    assert refused.status_code == 200
    assert "There is a problem" in refused.text and "What is Dean Quinn to Zara Quinn?" in refused.text


def test_the_web_records_each_childs_relationship_and_checks_it_first(signed_in):
    client = signed_in("police.officer")
    response = walk(client, TWO_CHILDREN | {"police_reference": "CLE-26-7121"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(
        Relationship.objects.filter(person__given_name="Dean").values_list("relative__given_name", "kind")
    ) == {("Zara", "parent-partner"), ("Max", "parent")}


def test_check_your_answers_shows_each_childs_relationship_and_removing_a_child_keeps_them_right(signed_in):
    client = signed_in("police.officer")
    answers = TWO_CHILDREN | {
        "police_reference": "CLE-26-7122",
        "child3-given_name": "Ivy",
        "child3-family_name": "Quinn",
        "child3-date_of_birth_0": "1",
        "child3-date_of_birth_1": "1",
        "child3-date_of_birth_2": "2020",
        "adult1-relationship_3": "carer",
    }
    walk(client, answers, confirm=False)
    page = client.get(reverse("events:incident-check")).text
    assert "Parent&#x27;s partner of Zara Quinn" in page
    assert "Parent of Max Quinn" in page and "Carer of Ivy Quinn" in page
    # Max is removed: Ivy's answer moves with her.
    client.post(reverse("events:incident-person-remove", args=["children", 2]))
    page = client.get(reverse("events:incident-check")).text
    assert "Max Quinn" not in page.split("removed", 1)[1] and "Carer of Ivy Quinn" in page
    assert "Parent&#x27;s partner of Zara Quinn" in page
