"""Philomena profiles and vetting requests against the personas, as an attacker would try them: by id on every
page and endpoint, through the inbox and the chronology. A school, another council and an unrelated force see
none of it; the audit trail holds one entry for every opening of the profile, by whoever opened it."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.models import Role
from openmash.accounts.services import api_client_create, user_create
from openmash.audit.models import AuditEntry
from openmash.events.models import EventKind
from openmash.lib.instants import LONDON
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.philomena.services import ProfileInput, profile_save
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing import delivery
from openmash.vetting.services import VettingRequestInput, vetting_request_submit


@pytest.fixture
def durham(db):
    force = Organisation.objects.get(kind=OrganisationKind.POLICE, name__icontains="Durham")
    force.requires_two_factor = False
    force.save(update_fields=["requires_two_factor"])
    return force


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _bearer(organisation) -> dict[str, str]:
    client = api_client_create(
        actor=system_actor(organisation), organisation=organisation, name="attacker system"
    )
    return {"Authorization": f"Bearer {client.token}"}


@pytest.fixture
def world(cast, durham, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    leo = cast.people["Leo Marsh"]
    worker = actor_for_user(cast.users["social.worker"])
    profile_save(actor=worker, child=leo, data=ProfileInput(description="Scar above left eyebrow"))
    event_record(
        actor=worker,
        data=EventInput(
            kind=EventKind.MISSING,
            reference="STC-MIS-9",
            occurred_at=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON),
            people=[PersonInput(person_id=leo.pk)],
        ),
    )
    request = vetting_request_submit(
        actor=worker,
        data=VettingRequestInput(
            given_name="Jordan", family_name="Blake", date_of_birth=dt.date(1984, 6, 1), role="foster-carer"
        ),
    )
    users = {
        "durham.vetting": user_create(
            actor=system_actor(durham),
            organisation=durham,
            username="durham.vetting",
            email="durham.vetting@example.invalid",
            first_name="Dee",
            last_name="Ham",
            roles=[Role.POLICE_OFFICER, Role.VETTING_OFFICER],
            password="A-long-test-password-2026",
        )
    }
    while delivery.run_once("personas"):  # delivered, as the worker would: inboxes show what was delivered
        pass
    return {"leo": leo, "request": request, "users": users}


OUTSIDERS = [
    "school.dsl",
    "bury.social.worker",
    "health.practitioner",
    "return.interviewer",
    "inspector",
    "partnership.lead",
]


def _pages(world) -> list[str]:
    leo, request = world["leo"], world["request"]
    return [
        reverse("philomena:profile", args=[leo.pk]),
        reverse("philomena:edit", args=[leo.pk]),
        reverse("philomena:photo", args=[leo.pk]),
        reverse("vetting:detail", args=[request.pk]),
    ]


@pytest.mark.parametrize("username", [*OUTSIDERS, "durham.vetting"])
def test_outsiders_get_404_on_every_page_by_id_and_find_nothing_in_lists(world, cast, username):
    user = world["users"].get(username) or cast.users[username]
    client = _login(user)
    for page in _pages(world):
        assert client.get(page).status_code == 404, page
    for page in (reverse("vetting:list"), reverse("vetting:backlog"), reverse("sharing:inbox")):
        content = client.get(page).content.decode()
        assert "Jordan" not in content, page
        assert "STC-MIS-9" not in content, page  # neither the release nor the report it came with
    assert not AuditEntry.objects.filter(object_type="philomena-profile", actor_id=user.pk).exists()


def test_anonymous_is_sent_to_sign_in(world):
    for page in _pages(world):
        assert Client().get(page).status_code == 302


@pytest.mark.parametrize("key", ["school", "unrelated-council", "durham"])
def test_other_organisations_api_clients_get_404(world, cast, durham, key):
    headers = _bearer(durham if key == "durham" else cast.organisations[key])
    leo, request = world["leo"], world["request"]
    client = Client()
    for path in (
        f"/api/v1/people/{leo.pk}/philomena",
        f"/api/v1/people/{leo.pk}/philomena/photo",
        f"/api/v1/vetting-requests/{request.pk}",
    ):
        response = client.get(path, headers=headers)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json", path
    response = client.put(
        f"/api/v1/people/{leo.pk}/philomena", {}, content_type="application/json", headers=headers
    )
    assert response.status_code == 404
    assert client.get("/api/v1/vetting-requests", headers=headers).json() == []
    inbox = client.get("/api/v1/inbox", headers=headers)
    assert b"philomena" not in inbox.content.lower()


def test_the_audit_shows_every_opening(world, cast):
    leo = world["leo"]
    police = _login(cast.users["police.officer"])
    worker = _login(cast.users["social.worker"])
    # What the outsiders do not see is there for the force covering the placement.
    assert "Philomena profile released STC-MIS-9" in police.get(reverse("sharing:inbox")).content.decode()
    opened = [
        (police, reverse("philomena:profile", args=[leo.pk])),
        (police, reverse("philomena:profile", args=[leo.pk])),
        (worker, reverse("philomena:profile", args=[leo.pk])),
        (police, f"/api/v1/people/{leo.pk}/philomena"),
    ]
    police_api = _bearer(cast.organisations["police"])
    before = AuditEntry.objects.filter(object_type="philomena-profile", action="view").count()
    for client, path in opened:
        response = Client().get(path, headers=police_api) if path.startswith("/api/") else client.get(path)
        assert response.status_code == 200
    views = AuditEntry.objects.filter(object_type="philomena-profile", action="view").order_by("sequence")
    assert views.count() - before == len(opened)
    assert [entry.organisation_code for entry in views][-4:] == [
        "E23000013",
        "E23000013",
        "E06000004",
        "E23000013",
    ]
    # And the keepers read them on the profile.
    page = worker.get(reverse("philomena:profile", args=[leo.pk])).content.decode()
    assert page.count("Cleveland Police") >= 3 and "API client attacker system" in page
