"""Recording and finding people: validation, nothing half-saved, identifiers."""

import datetime as dt

import pytest
from django.urls import reverse

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.demo.cast import demo_nhs_number
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.people.models import Address, IdentifierScheme, Person, PersonIdentifier, PersonKind
from openmash.people.services import AddressInput, IdentifierInput, person_create

GOOD = {
    "given_name": "Ruby",
    "family_name": "Lane",
    "date_of_birth_0": "4",
    "date_of_birth_1": "7",
    "date_of_birth_2": "2017",
    "sex": "F",
    "ethnicity": "WBRI",
    "nhs_number": "",
    "upn": "",
    "address_line_1": "3 Elm Road",
    "town": "Stockton-on-Tees",
    "postcode": "ts18 2bb",
    "council": "E06000004",
}


def _counts():
    return (
        Person.objects.count(),
        Address.objects.count(),
        PersonIdentifier.objects.count(),
        AuditEntry.objects.count(),
    )


def test_recording_a_child_through_the_page(signed_in):
    client = signed_in("social.worker")
    response = client.post(reverse("people:create"), {**GOOD, "nhs_number": demo_nhs_number(5000)})
    assert response.status_code == 302
    person = Person.objects.get(given_name="Ruby", family_name="Lane")
    assert person.date_of_birth == dt.date(2017, 7, 4)
    assert person.addresses.get().postcode == "TS18 2BB"
    record = client.get(response["Location"])
    assert "Ruby Lane" in record.text and "Ruby Lane recorded" in record.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_name": ""}, "Enter the child&#x27;s first name"),
        ({"date_of_birth_0": "31", "date_of_birth_1": "2"}, "Date of birth must be a real date"),
        ({"date_of_birth_2": "2999"}, "Date of birth must be today or in the past"),
        ({"date_of_birth_1": ""}, "Date of birth must include a day, month and year"),
        ({"nhs_number": "9434765918"}, "the check digit does not match"),
        ({"nhs_number": "12345"}, "Enter an NHS number with 10 digits"),
        ({"upn": "A00000000000X"}, "Enter a real unique pupil number"),
        ({"postcode": "12345"}, "Enter a full UK postcode"),
        ({"council": "E99999999"}, "Choose a council from the list"),
        ({"address_line_1": ""}, "Enter the first line of the address"),
    ],
)
def test_bad_input_shows_the_error_summary_and_writes_nothing(signed_in, changes, message):
    client = signed_in("social.worker")
    before = _counts()
    response = client.post(reverse("people:create"), {**GOOD, **changes})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text and "There is a problem" in response.text
    assert message in response.text
    assert "<title>Error: " in response.text
    assert _counts() == before


def test_an_identifier_already_recorded_is_refused_to_an_organisation_that_sees_the_record(cast, signed_in):
    amelia_nhs = cast.people["Amelia Hart"].identifiers.get(scheme=IdentifierScheme.NHS_NUMBER).value
    before = _counts()
    response = signed_in("social.worker").post(reverse("people:create"), {**GOOD, "nhs_number": amelia_nhs})
    assert "A person with this NHS number is already recorded" in response.text
    assert _counts() == before


def test_an_identifier_on_a_record_you_may_not_see_is_kept_as_given_and_reveals_nothing(cast, signed_in):
    """Recording a child is never a way to learn whether an NHS number is on record: Bury's child is recorded
    as Bury gave it, unconfirmed, and Bury sees its own record, not Amelia's."""
    amelia = cast.people["Amelia Hart"]
    amelia_nhs = amelia.identifiers.get(scheme=IdentifierScheme.NHS_NUMBER).value
    client = signed_in("bury.social.worker")
    response = client.post(
        reverse("people:create"), {**GOOD, "council": "E08000002", "nhs_number": amelia_nhs}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "already recorded" not in page.text and "Amelia" not in page.text
    kept = PersonIdentifier.objects.get(value=amelia_nhs, issuer=cast.organisations["unrelated-council"])
    assert kept.person_id != amelia.pk
    assert client.get(reverse("people:record", args=[amelia.pk])).status_code == 404
    # Giving it again is refused: Bury may see the record it made.
    again = client.post(reverse("people:create"), {**GOOD, "council": "E08000002", "nhs_number": amelia_nhs})
    assert "A person with this NHS number is already recorded" in again.text


def test_service_refuses_roles_without_case_work(cast):
    with pytest.raises(NotAllowed):
        person_create(actor=actor_for_user(cast.users["council.admin"]), given_name="X", family_name="Y")


def test_unborn_child_needs_an_expected_date(cast):
    actor = actor_for_user(cast.users["social.worker"])
    with pytest.raises(InvalidInput) as error:
        person_create(actor=actor, kind=PersonKind.UNBORN, family_name="Hart")
    assert "expected_date_of_birth" in error.value.errors
    person = person_create(
        actor=actor, kind=PersonKind.UNBORN, family_name="Hart", expected_date_of_birth=dt.date(2027, 5, 1)
    )
    assert person.kind == PersonKind.UNBORN


def test_service_collects_every_problem_at_once(cast):
    actor = actor_for_user(cast.users["social.worker"])
    before = _counts()
    with pytest.raises(InvalidInput) as error:
        person_create(
            actor=actor,
            given_name="",
            family_name="",
            date_of_birth=dt.date(2999, 1, 1),
            sex="X",
            identifiers_given=[IdentifierInput(scheme=IdentifierScheme.NHS_NUMBER, value="1")],
            address=AddressInput(line_1="", postcode="nope", council=cast.organisations["police"]),
        )
    assert set(error.value.errors) >= {
        "family_name",
        "date_of_birth",
        "sex",
        "nhs",
        "address_line_1",
        "postcode",
        "council",
    }
    assert _counts() == before


def test_search_by_identifier_and_date_of_birth(cast, signed_in):
    client = signed_in("social.worker")
    nhs = cast.people["Amelia Hart"].identifiers.get(scheme=IdentifierScheme.NHS_NUMBER).value
    spaced = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
    by_identifier = client.get(reverse("people:search"), {"identifier": spaced})
    assert [p.full_name for p in by_identifier.context["results"]] == ["Amelia Hart"]
    by_date = client.get(
        reverse("people:search"), {"date_of_birth_0": "14", "date_of_birth_1": "5", "date_of_birth_2": "2016"}
    )
    assert [p.full_name for p in by_date.context["results"]] == ["Amelia Hart"]
    by_alias = client.get(reverse("people:search"), {"name": "Millie"})
    assert [p.full_name for p in by_alias.context["results"]] == ["Amelia Hart"]


def test_empty_search_is_a_clear_error(signed_in):
    response = signed_in("social.worker").get(reverse("people:search"), {"name": ""})
    assert "Enter a name, a date of birth or an identifier to search for" in response.text
    assert response.context["results"] is None


def test_api_search_without_criteria_is_a_problem(cast):
    from django.test import Client

    from openmash.accounts.actors import system_actor
    from openmash.accounts.services import api_client_create

    token = api_client_create(
        actor=system_actor(cast.organisations["council"]),
        organisation=cast.organisations["council"],
        name="t",
    ).token
    headers = {"Authorization": f"Bearer {token}"}
    empty = Client().get("/api/v1/people", headers=headers)
    assert empty.status_code == 422 and empty["Content-Type"] == "application/problem+json"
    bad_date = Client().get("/api/v1/people", {"date_of_birth": "2016-02-31"}, headers=headers)
    assert bad_date.status_code == 422
    assert bad_date.json()["errors"][0]["field"] == "date_of_birth"
    bad_id = Client().get("/api/v1/people/not-a-uuid", headers=headers)
    assert bad_id.status_code == 404
