"""An identifier is never a reason to see a record (docs/decisions/0012).

Every way of recording an event about a child from outside the record, by every kind of recording
organisation that may not see the child, with the child's NHS number or UPN, for an ordinary and a
restricted (adoption) record, with the name and date of birth agreeing or not: the recorder sees what it
recorded and nothing of the record, and learns only that its record was linked. Tried as an attacker would:
the answer, the record by id, by identifier, by search, the shares, the web form.
"""

import json

import pytest
from django.test import Client
from django.urls import reverse

from openmash.access.models import AccessReason
from openmash.accounts.actors import system_actor
from openmash.accounts.models import Role
from openmash.accounts.services import api_client_create, user_create
from openmash.demo.cast import demo_nhs_number
from openmash.events.models import EventSubject
from openmash.organisations.models import OrganisationKind
from openmash.organisations.selectors import organisation_resolve
from openmash.organisations.services import organisation_create
from openmash.people.models import IdentifierScheme, PersonIdentifier, SchoolEnrolment
from openmash.sharing.models import Share
from tests.incident_journey import walk
from tests.sharing.test_api import LATE
from tests.sharing.test_pages import INCIDENT_FORM

# Each way in: (recording organisation, endpoint, body for a child). Times are London time.
RECORDINGS = [
    (
        "merseyside",
        "/incidents/domestic-abuse",
        lambda child: {
            "police_reference": "MER-26-0001",
            "occurred_at": "2026-11-20T21:30:00",
            "reported_at": "2026-11-20T21:40:00",
            "risk_level": "medium",
            "postcode": "L1 8JQ",
            "children": [child],
            **LATE,
        },
    ),
    (
        "merseyside",
        "/missing-reports",
        lambda child: {"child": child, "last_seen_at": "2026-11-20T18:00:00", **LATE},
    ),
    (
        "merseyside",
        "/police-protection",
        lambda child: {
            "children": [child],
            "taken_at": "2026-11-20T18:00:00",
            "postcode": "L1 8JQ",
            "reasons": "Alone overnight",
            "designated_officer": "Insp. Byrne",
            "alternatives_discussed": False,
            **LATE,
        },
    ),
    (
        "bury",
        "/missing-reports",
        lambda child: {"child": child, "last_seen_at": "2026-11-20T18:00:00", **LATE},
    ),
    (
        "bury",
        "/referrals",
        lambda child: {
            "council": "Bury",
            "children": [child],
            "concern_at": "2026-11-20T10:00:00",
            "summary": "Bruising",
        },
    ),
    *[
        (
            recorder,
            "/referrals",
            lambda child: {
                "council": "Bury",
                "children": [child],
                "concern_at": "2026-11-20T10:00:00",
                "summary": "Bruising",
            },
        )
        for recorder in ("health", "other-school")
    ],
]

# (whose record, which identifier)
TARGETS = [
    ("Amelia Hart", IdentifierScheme.NHS_NUMBER),
    ("Amelia Hart", IdentifierScheme.UPN),
    ("Ellis Reyes", "nhs"),
]


@pytest.fixture
def recorders(cast):
    organisations = {
        "merseyside": organisation_resolve("Merseyside Police"),
        "bury": cast.organisations["unrelated-council"],
        "health": cast.organisations["health"],
        "other-school": organisation_create(
            code="URN-900777", name="Hillside Academy (demo)", kind=OrganisationKind.SCHOOL
        ),
    }
    # Ellis's adoption record is given an NHS number to be found by.
    PersonIdentifier.objects.create(
        person=cast.people["Ellis Reyes"], scheme=IdentifierScheme.NHS_NUMBER, value=demo_nhs_number(700)
    )
    return {
        key: (
            organisation,
            {
                "Authorization": "Bearer "
                + api_client_create(
                    actor=system_actor(organisation), organisation=organisation, name=key
                ).token
            },
        )
        for key, organisation in organisations.items()
    }


def _child(person, scheme, *, agree: bool) -> dict:
    value = person.identifiers.get(scheme=scheme, issuer=None).value
    child = {
        "given_name": person.given_name if agree else "X",
        "family_name": person.family_name if agree else "Y",
        "date_of_birth": person.date_of_birth.isoformat(),
        "nhs_number" if scheme == IdentifierScheme.NHS_NUMBER else "upn": value,
    }
    return child


def _what_the_record_holds(person) -> set[str]:
    """Text in the record the recorder did not send: its id, its identifiers, its councils and schools."""
    held = {str(person.pk), "E06000004", "Stockton", "URN-900001", "Riverside"}
    held |= {item.value for item in person.identifiers.all()}
    held |= {address.postcode for address in person.addresses.all()}
    return held


@pytest.mark.parametrize(
    ("recorder", "path", "body"), RECORDINGS, ids=lambda v: v if isinstance(v, str) else ""
)
@pytest.mark.parametrize(("whose", "scheme"), TARGETS)
def test_an_identifier_alone_opens_nothing(cast, recorders, recorder, path, body, whose, scheme):
    person = cast.people[whose]
    organisation, headers = recorders[recorder]
    api = Client()
    assert api.get(f"/api/v1/people/{person.pk}", headers=headers).status_code == 404
    enrolments = SchoolEnrolment.objects.filter(person=person).count()
    answers = {}
    for agree in (False, True):
        child = _child(person, scheme, agree=agree)
        sent = json.dumps(child)
        response = api.post(f"/api/v1{path}", body(child), content_type="application/json", headers=headers)
        assert response.status_code == 201, response.content
        answer = response.json()
        answers[agree] = answer
        # The answer names nothing the recorder did not send.
        for text in _what_the_record_holds(person) - {child.get("nhs_number"), child.get("upn")}:
            if text not in sent and text not in json.dumps(body(child)):
                assert text not in response.text, f"the answer gave away {text!r}"
        [subject] = EventSubject.objects.filter(event_id=answer["event_id"])
        if agree:
            # Identifiers, name and date of birth agree: linked, and the recorder is told only that.
            assert subject.person_id == person.pk
            assert answer["linked_to_records_you_may_not_see"] == [
                {
                    "given_name": child["given_name"],
                    "family_name": child["family_name"],
                    "date_of_birth": child["date_of_birth"],
                }
            ]
        else:
            assert subject.person_id != person.pk
            assert answer["linked_to_records_you_may_not_see"] == []
        # Still nothing to see: by id, by identifier, by name, through a share, through a reason.
        value = child.get("nhs_number") or child.get("upn")
        assert api.get(f"/api/v1/people/{person.pk}", headers=headers).status_code == 404
        for query in ({"identifier": value}, {"name": person.family_name}):
            found = api.get("/api/v1/people", query, headers=headers).json()
            assert str(person.pk) not in json.dumps(found)
        assert not AccessReason.objects.filter(organisation=organisation, person=person).exists()
        for share in Share.objects.filter(event_id=answer["event_id"], sender_sees=False):
            assert api.get(f"/api/v1/shares/{share.pk}", headers=headers).status_code == 404
    # The linked answer lists no recipient the recorder's own words would not have reached.
    assert {s["recipient"] for s in answers[True]["shares"]} <= {
        s["recipient"] for s in answers[False]["shares"]
    }
    # What the recorder said did not change the record (no school enrolled through it).
    assert SchoolEnrolment.objects.filter(person=person).count() == enrolments


def test_the_agencies_that_hold_the_record_see_the_link(cast, recorders):
    amelia = cast.people["Amelia Hart"]
    _organisation, headers = recorders["merseyside"]
    child = _child(amelia, IdentifierScheme.NHS_NUMBER, agree=True)
    response = Client().post(
        "/api/v1/incidents/domestic-abuse",
        RECORDINGS[0][2](child),
        content_type="application/json",
        headers=headers,
    )
    shares = Share.objects.filter(event_id=response.json()["event_id"])
    assert {share.recipient.code for share in shares} == {"E06000004", "URN-900001"}
    assert all(list(share.people.all()) == [amelia] for share in shares)
    assert not any(share.sender_sees for share in shares)


def test_a_restricted_record_is_linked_only_when_everything_agrees_and_names_nothing(cast, recorders):
    ellis = cast.people["Ellis Reyes"]
    _organisation, headers = recorders["merseyside"]
    child = _child(ellis, IdentifierScheme.NHS_NUMBER, agree=True) | {"date_of_birth": "2022-01-21"}
    response = Client().post(
        "/api/v1/missing-reports",
        {"child": child, "last_seen_at": "2026-11-20T18:00:00", **LATE},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201
    assert response.json() == {**response.json(), "shares": [], "linked_to_records_you_may_not_see": []}
    [subject] = EventSubject.objects.filter(event_id=response.json()["event_id"])
    assert subject.person_id != ellis.pk


def test_an_officer_of_another_force_on_the_web_form_learns_nothing_either(cast, recorders):
    """The incident form is the web's way to name a child by NHS number: same rule, same words."""
    amelia = cast.people["Amelia Hart"]
    merseyside, _headers = recorders["merseyside"]
    merseyside.requires_two_factor = False
    merseyside.save()
    officer = user_create(
        actor=system_actor(merseyside),
        organisation=merseyside,
        username="mer.officer",
        email="mer.officer@example.org",
        first_name="Kay",
        last_name="Byrne",
        roles=[Role.POLICE_OFFICER],
    )
    client = Client()
    client.force_login(officer)
    nhs = amelia.identifiers.get(scheme=IdentifierScheme.NHS_NUMBER).value
    form = INCIDENT_FORM | {
        "police_reference": "MER-26-0002",
        "location": "1 Dock Road",
        "postcode": "L1 8JQ",
        "child1-given_name": "amelia",
        "child1-family_name": "HART",
        "child1-date_of_birth_0": "14",
        "child1-date_of_birth_1": "5",
        "child1-date_of_birth_2": "2016",
        "child1-school_urn": "",
        "child1-nhs_number": nhs,
    }
    response = walk(client, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert "linked to a record your organisation may not see" in page.text
    for text in ("Stockton", "Riverside", "TS18", str(amelia.pk)):
        assert text not in page.text
    assert client.get(reverse("people:record", args=[amelia.pk])).status_code == 404
    assert EventSubject.objects.filter(event__reference="MER-26-0002", person=amelia).exists()


def test_an_import_follows_the_same_rule(cast, tmp_path):
    """A force's import names children by NHS number too: the same rule as every other way in."""
    from django.core.management import call_command

    from tests.sharing.test_import import HEADER, write_csv

    amelia = cast.people["Amelia Hart"]
    nhs = amelia.identifiers.get(scheme=IdentifierScheme.NHS_NUMBER).value

    def row(reference: str, given: str, family: str) -> list[str]:
        when = ["2025-10-01T22:00:00", "2025-10-01T22:10", "2025-10-02T09:00", "medium", "L1 8JQ", ""]
        return [reference, *when, given, family, "2016-05-14", nhs, "", "", "yes", "Argument"]

    rows = [row("MER-25-0001", "Amelia", "Hart"), row("MER-25-0002", "X", "Y")]
    call_command(
        "import",
        "domestic-abuse",
        str(write_csv(tmp_path / "a.csv", rows, HEADER)),
        "--org",
        "Merseyside Police",
    )
    merseyside = organisation_resolve("Merseyside Police")
    [linked] = EventSubject.objects.filter(event__reference="MER-25-0001")
    [other] = EventSubject.objects.filter(event__reference="MER-25-0002")
    assert linked.person_id == amelia.pk and other.person_id != amelia.pk
    assert PersonIdentifier.objects.get(value=nhs, issuer=merseyside).person_id == other.person_id
    assert not AccessReason.objects.filter(organisation=merseyside, person=amelia).exists()
    assert not Share.objects.filter(event__reference="MER-25-0001", sender_sees=True).exists()
