"""Who sees what: every page and endpoint against the cast of personas.

owning agency = Stockton-on-Tees council (social.worker); partner agency = Cleveland Police (police.officer),
which recorded an incident about Amelia and Sarah Hart; unrelated agency = Bury council (bury.social.worker);
inspector = Ofsted, whose inspection sampled Leo Marsh; administrator = Stockton's council.admin; anonymous.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import actor_for_api_client, system_actor
from openmash.accounts.models import ApiClient
from openmash.accounts.services import api_client_create
from openmash.audit.models import AuditAction, AuditEntry
from openmash.people import selectors as people_selectors

PERSONAS = [
    "social.worker",
    "police.officer",
    "bury.social.worker",
    "inspector",
    "council.admin",
    "anonymous",
]

# person -> persona -> may see the record (web page and API alike)
RECORD_MATRIX = {
    "Amelia Hart": {
        "social.worker": True,
        "police.officer": True,
        "bury.social.worker": False,
        "inspector": False,
        "council.admin": False,
        "school.dsl": True,
        "health.practitioner": False,
    },
    "Leo Marsh": {
        "social.worker": True,
        "police.officer": False,
        "bury.social.worker": False,
        "inspector": True,
        "council.admin": False,
        "school.dsl": False,
        "health.practitioner": False,
    },
    "Ellis Reyes": {
        "social.worker": True,
        "police.officer": False,
        "bury.social.worker": False,
        "inspector": False,
        "council.admin": False,
        "school.dsl": False,
        "health.practitioner": False,
    },
    "Sarah Hart": {
        "social.worker": True,
        "police.officer": True,
        "bury.social.worker": False,
        "inspector": False,
        "council.admin": False,
        "school.dsl": False,
        "health.practitioner": False,
    },
}

# page name -> persona -> expected status (302 = sent to sign in)
PAGE_MATRIX = {
    "web:home": {
        "social.worker": 200,
        "police.officer": 200,
        "bury.social.worker": 200,
        "inspector": 200,
        "council.admin": 200,
        "anonymous": 302,
    },
    "people:search": {
        "social.worker": 200,
        "police.officer": 200,
        "bury.social.worker": 200,
        "inspector": 200,
        "council.admin": 404,
        "anonymous": 302,
    },
    "people:create": {
        "social.worker": 200,
        "police.officer": 200,
        "bury.social.worker": 200,
        "inspector": 404,
        "council.admin": 404,
        "anonymous": 302,
    },
    "accounts:users": {
        "social.worker": 404,
        "police.officer": 404,
        "bury.social.worker": 404,
        "inspector": 404,
        "council.admin": 200,
        "anonymous": 302,
    },
    "accounts:user-create": {
        "social.worker": 404,
        "police.officer": 404,
        "bury.social.worker": 404,
        "inspector": 404,
        "council.admin": 200,
        "anonymous": 302,
    },
    "web:accessibility": {
        "social.worker": 200,
        "police.officer": 200,
        "bury.social.worker": 200,
        "inspector": 200,
        "council.admin": 200,
        "anonymous": 200,
    },
    "web:help": {
        "social.worker": 200,
        "police.officer": 200,
        "bury.social.worker": 200,
        "inspector": 200,
        "council.admin": 200,
        "anonymous": 200,
    },
    "web:session": {
        "social.worker": 200,
        "police.officer": 200,
        "bury.social.worker": 200,
        "inspector": 200,
        "council.admin": 200,
        "anonymous": 302,
    },
    "web:health": {
        "social.worker": 200,
        "police.officer": 200,
        "bury.social.worker": 200,
        "inspector": 200,
        "council.admin": 200,
        "anonymous": 200,
    },
    "accounts:organisation": {
        "social.worker": 404,
        "police.officer": 404,
        "bury.social.worker": 404,
        "inspector": 404,
        "council.admin": 200,
        "anonymous": 302,
    },
}


def client_for(cast, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(cast.users[persona])
    return client


@pytest.mark.parametrize("page", PAGE_MATRIX)
@pytest.mark.parametrize("persona", PERSONAS)
def test_pages_answer_each_persona_as_the_policy_says(cast, page, persona):
    response = client_for(cast, persona).get(reverse(page))
    assert response.status_code == PAGE_MATRIX[page][persona]
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:sign-in"))


@pytest.mark.parametrize("person", RECORD_MATRIX)
@pytest.mark.parametrize("persona", [*RECORD_MATRIX["Amelia Hart"], "anonymous"])
def test_record_page_is_seen_only_with_a_reason(cast, person, persona):
    target = cast.people[person]
    views_before = AuditEntry.objects.filter(person_id=target.pk, action=AuditAction.VIEW).count()
    response = client_for(cast, persona).get(reverse("people:record", args=[target.pk]))
    views_after = AuditEntry.objects.filter(person_id=target.pk, action=AuditAction.VIEW).count()
    if persona == "anonymous":
        assert response.status_code == 302
    elif RECORD_MATRIX[person][persona]:
        assert response.status_code == 200
        assert target.family_name in response.text
        assert views_after == views_before + 1
        entry = AuditEntry.objects.filter(person_id=target.pk, action=AuditAction.VIEW).last()
        assert entry.organisation_code == cast.users[persona].organisation.code
        assert entry.reason
    else:
        # Not allowed looks exactly like does not exist, and leaves no view in the trail.
        assert response.status_code == 404
        assert target.family_name not in response.text
        assert views_after == views_before


def test_a_record_that_does_not_exist_looks_like_one_not_allowed(cast):
    client = client_for(cast, "bury.social.worker")
    missing = client.get(reverse("people:record", args=["00000000-0000-0000-0000-000000000000"]))
    hidden = client.get(reverse("people:record", args=[cast.people["Amelia Hart"].pk]))
    assert missing.status_code == hidden.status_code == 404
    without_tokens = [
        re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.text) for r in (missing, hidden)
    ]
    assert without_tokens[0] == without_tokens[1]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("social.worker", {"Amelia Hart", "Noah Hart", "Sarah Hart", "Hart"}),
        ("police.officer", {"Amelia Hart", "Sarah Hart"}),
        ("bury.social.worker", set()),
        ("inspector", set()),
        ("school.dsl", {"Amelia Hart"}),
    ],
)
def test_search_returns_only_what_the_searcher_may_see(cast, persona, expected):
    client = client_for(cast, persona)
    response = client.get(reverse("people:search"), {"name": "Hart"})
    assert response.status_code == 200
    found = {person.full_name for person in response.context["results"]}
    assert found == expected
    search = AuditEntry.objects.filter(action=AuditAction.SEARCH).last()
    assert search.detail["name"] == "Hart" and search.detail["results"] == len(expected)


def test_inspector_finds_sampled_case_only(cast):
    response = client_for(cast, "inspector").get(reverse("people:search"), {"name": "Marsh"})
    assert [person.full_name for person in response.context["results"]] == ["Leo Marsh"]


@pytest.fixture
def api_tokens(cast):
    tokens = {}
    for persona, key in [
        ("owning", "council"),
        ("partner", "police"),
        ("unrelated", "unrelated-council"),
        ("inspector", "inspectorate"),
    ]:
        organisation = cast.organisations[key]
        tokens[persona] = api_client_create(
            actor=system_actor(organisation), organisation=organisation, name=f"{persona} system"
        ).token
    return tokens


API_MATRIX = {
    "Amelia Hart": {"owning": 200, "partner": 200, "unrelated": 404, "inspector": 404, "anonymous": 401},
    "Ellis Reyes": {"owning": 200, "partner": 404, "unrelated": 404, "inspector": 404, "anonymous": 401},
}


@pytest.mark.parametrize("person", API_MATRIX)
@pytest.mark.parametrize("persona", ["owning", "partner", "unrelated", "inspector", "anonymous"])
def test_api_person_read_follows_the_same_policy(cast, api_tokens, person, persona):
    headers = {} if persona == "anonymous" else {"Authorization": f"Bearer {api_tokens[persona]}"}
    response = Client().get(f"/api/v1/people/{cast.people[person].pk}", headers=headers)
    assert response.status_code == API_MATRIX[person][persona]
    if response.status_code == 200:
        body = response.json()
        assert body["family_name"] == cast.people[person].family_name
        assert body["access_reason"]
    else:
        assert response["Content-Type"] == "application/problem+json"
        problem = response.json()
        assert problem["status"] == response.status_code
        assert cast.people[person].family_name not in response.text


@pytest.mark.parametrize(("persona", "expected"), [("owning", 4), ("partner", 2), ("unrelated", 0)])
def test_api_search_follows_the_same_policy(cast, api_tokens, persona, expected):
    response = Client().get(
        "/api/v1/people", {"name": "Hart"}, headers={"Authorization": f"Bearer {api_tokens[persona]}"}
    )
    assert response.status_code == 200
    assert len(response.json()) == expected


def test_administrator_sees_no_case_content_through_any_door(cast):
    client = client_for(cast, "council.admin")
    assert client.get(reverse("people:search"), {"name": "Hart"}).status_code == 404
    for person in cast.people.values():
        assert client.get(reverse("people:record", args=[person.pk])).status_code == 404


def test_administrator_manages_only_their_own_organisation(cast):
    client = client_for(cast, "council.admin")
    police_user = cast.users["police.officer"]
    assert client.get(reverse("accounts:user-edit", args=[police_user.pk])).status_code == 404
    own = cast.users["social.worker"]
    assert client.get(reverse("accounts:user-edit", args=[own.pk])).status_code == 200


# Every way of asking search for a child: the exact name and date of birth (swapped, lower case, no accents),
# a name alike with the date of birth, part of the name, and the identifier. None may find a record the
# organisation may not see (an adoption-restricted child, a child of another council's area).
SEARCHES = {
    "exact name and date of birth": {"name": "reyes ellis", "date_of_birth": "2022-01-20"},
    "name alike and date of birth": {"name": "Elis Reyez", "date_of_birth": "2022-01-20"},
    "part of the name": {"name": "eye"},
    "date of birth alone": {"date_of_birth": "2022-01-20"},
}
SEARCH_FINDS_REYES = {"owning": True, "partner": False, "unrelated": False, "inspector": False}


@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("persona", SEARCH_FINDS_REYES)
def test_api_search_never_reveals_a_restricted_record(cast, api_tokens, persona, search):
    response = Client().get(
        "/api/v1/people", SEARCHES[search], headers={"Authorization": f"Bearer {api_tokens[persona]}"}
    )
    assert response.status_code == 200
    names = {(person["given_name"], person["family_name"]) for person in response.json()}
    assert (("Ellis", "Reyes") in names) is SEARCH_FINDS_REYES[persona]


@pytest.mark.parametrize("persona", ["owning", "partner", "unrelated", "inspector"])
def test_api_search_by_identifier_finds_only_what_may_be_seen(cast, api_tokens, persona):
    marsh = cast.people["Leo Marsh"]
    nhs = marsh.identifiers.get().value
    response = Client().get(
        "/api/v1/people",
        {"identifier": nhs, "name": "Leo Marsh"},
        headers={"Authorization": f"Bearer {api_tokens[persona]}"},
    )
    searcher = actor_for_api_client(ApiClient.objects.get(name=f"{persona} system"))
    visible = people_selectors.visible_people(searcher).filter(pk=marsh.pk).exists()
    assert [person["id"] for person in response.json()] == ([str(marsh.pk)] if visible else [])
