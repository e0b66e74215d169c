"""Who may grant, use and revoke inspection access, as personas and as an attacker would try (by id, by list,
by a child's record): before the start, while it runs, after its end, once revoked; an inspector of the same
inspectorate not in the team; another area's administrator; the council's own users."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import INSPECTION_ACCESS_MAX, InspectionSample
from openmash.access.services import inspection_access_grant, inspection_access_revoke
from openmash.accounts.actors import actor_for_user
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.people import selectors as people_selectors


def _pages(grant):
    return [
        reverse("inspections:inspection", args=[grant.pk]),
        reverse("inspections:measures", args=[grant.pk]),
        reverse("inspections:list", args=[grant.pk, 5]),
        reverse("inspections:list", args=[grant.pk, 7]),
        reverse("inspections:list", args=[grant.pk, 8]),
        reverse("inspections:sample", args=[grant.pk]),
    ]


def _sample_leo(cast, grant):
    InspectionSample.objects.create(inspection=grant, person=cast.people["Leo Marsh"])


def test_the_team_uses_the_area_while_the_grant_runs(cast, grant, signed_in):
    inspector = signed_in("inspector")
    for page in _pages(grant):
        assert inspector.get(page).status_code == 200, page
    assert policy.may_inspect_area(actor_for_user(cast.users["inspector"]), grant)


def test_before_the_start_the_team_sees_nothing_but_when_it_starts(cast, signed_in):
    later = timezone.now() + dt.timedelta(days=2)
    grant = inspection_access_grant(
        actor=actor_for_user(cast.users["council.admin"]),
        council=cast.organisations["council"],
        inspectorate=cast.organisations["inspectorate"],
        team=[cast.users["inspector"]],
        reference="ILACS-LATER",
        starts_at=later,
        ends_at=later + dt.timedelta(days=7),
        reason="Next week's inspection",
    )
    _sample_leo(cast, grant)
    inspector = signed_in("inspector")
    for page in _pages(grant):
        response = inspector.get(page)
        assert response.status_code == 404, page
    assert "Access has not started" in inspector.get(_pages(grant)[0]).text
    with time_machine.travel(later + dt.timedelta(minutes=1)):
        # Signed in afresh: two days on, the first session has ended.
        assert signed_in("inspector").get(_pages(grant)[1]).status_code == 200


def test_access_ends_by_itself_at_the_end_time(cast, grant, signed_in):
    _sample_leo(cast, grant)
    inspector = signed_in("inspector")
    leo = cast.people["Leo Marsh"]
    # Leo is sampled for this grant (and the demo's own inspection): only this grant's sample matters here.
    grant_only = InspectionSample.objects.filter(person=leo).exclude(inspection=grant)
    grant_only.delete()
    assert inspector.get(reverse("people:record", args=[leo.pk])).status_code == 200
    with time_machine.travel(grant.ends_at + dt.timedelta(seconds=1)):
        inspector = signed_in("inspector")  # afresh: the first session has ended too
        for page in _pages(grant):
            response = inspector.get(page)
            assert response.status_code == 404, page
            assert "Your access has ended" in response.text
        # So does the inspection's summary, and the sampled child's record.
        assert inspector.get(reverse("insight:inspection", args=[grant.pk])).status_code == 404
        assert inspector.get(reverse("people:record", args=[leo.pk])).status_code == 404
        assert people_selectors.reason_to_see(actor_for_user(cast.users["inspector"]), leo.pk) is None


def test_revoked_access_ends_at_once(cast, grant, signed_in):
    _sample_leo(cast, grant)
    InspectionSample.objects.filter(person=cast.people["Leo Marsh"]).exclude(inspection=grant).delete()
    inspection_access_revoke(
        actor=actor_for_user(cast.users["council.admin"]), inspection=grant, reason="Over"
    )
    inspector = signed_in("inspector")
    for page in _pages(grant):
        response = inspector.get(page)
        assert response.status_code == 404 and "ended your team's access" in response.text
    assert inspector.get(reverse("people:record", args=[cast.people["Leo Marsh"].pk])).status_code == 404
    with pytest.raises(NotAllowed):  # once over, not revoked again
        inspection_access_revoke(
            actor=actor_for_user(cast.users["council.admin"]), inspection=grant, reason="x"
        )


def test_an_inspector_of_the_inspectorate_not_in_the_team_sees_nothing(
    cast, grant, other_inspector, client_of
):
    _sample_leo(cast, grant)
    other = client_of(other_inspector)
    for page in _pages(grant):
        response = other.get(page)
        assert response.status_code == 404 and "access has ended" not in response.text, page
    assert other.get(reverse("people:record", args=[cast.people["Leo Marsh"].pk])).status_code == 404
    assert other.post(reverse("inspections:sample", args=[grant.pk])).status_code == 404
    assert not InspectionSample.objects.filter(inspection=grant, seed__isnull=False).exists()


@pytest.mark.parametrize(
    "username",
    [
        "social.worker",
        "team.manager",
        "council.admin",
        "partnership.lead",
        "police.officer",
        "bury.social.worker",
    ],
)
def test_no_one_else_reads_the_team_pages_or_downloads_the_lists(grant, signed_in, username):
    client = signed_in(username)
    for page in _pages(grant):
        assert client.get(page).status_code == 404, (username, page)


def test_anonymous_is_sent_to_sign_in(client, grant):
    for page in _pages(grant):
        assert client.get(page).status_code == 302


@pytest.mark.parametrize("username", ["bury.social.worker", "social.worker", "team.manager", "inspector"])
def test_only_the_areas_administrators_grant(cast, signed_in, username):
    actor = actor_for_user(cast.users[username])
    assert not policy.may_grant_inspection_access(actor, cast.organisations["council"])
    assert signed_in(username).get(reverse("inspections:grants")).status_code == 404
    now = timezone.now()
    with pytest.raises(NotAllowed):
        inspection_access_grant(
            actor=actor,
            council=cast.organisations["council"],
            inspectorate=cast.organisations["inspectorate"],
            team=[cast.users["inspector"]],
            reference="ILACS-NOT-MINE",
            starts_at=now,
            ends_at=now + dt.timedelta(days=1),
            reason="x",
        )


def test_another_areas_administrator_can_neither_grant_nor_see_the_grant(cast, grant, client_of):
    from openmash.accounts.models import Role
    from openmash.accounts.services import user_create

    bury_admin = user_create(
        actor=actor_for_user(cast.users["council.admin"]),
        organisation=cast.organisations["unrelated-council"],
        username="bury.admin",
        email="bury.admin@example.test",
        first_name="Bo",
        last_name="Admin",
        roles=[Role.ADMINISTRATOR],
        password="An-unused-password-2026",
    )
    actor = actor_for_user(bury_admin)
    assert policy.may_grant_inspection_access(actor, cast.organisations["unrelated-council"])
    assert not policy.may_grant_inspection_access(actor, cast.organisations["council"])
    assert not policy.may_administer_inspection(actor, grant)
    bury = client_of(bury_admin)
    for name in ("inspections:grant", "inspections:grant-looks", "inspections:grant-revoke"):
        assert bury.get(reverse(name, args=[grant.pk])).status_code == 404
    assert bury.post(reverse("inspections:grant-revoke", args=[grant.pk]), {"reason": "x"}).status_code == 404
    grant.refresh_from_db()
    assert grant.revoked_at is None
    with pytest.raises(NotAllowed):
        inspection_access_revoke(actor=actor, inspection=grant, reason="x")


def test_a_grant_is_checked_whole(cast, other_inspector):
    now = timezone.now()
    with pytest.raises(InvalidInput) as raised:
        inspection_access_grant(
            actor=actor_for_user(cast.users["council.admin"]),
            council=cast.organisations["council"],
            inspectorate=cast.organisations["inspectorate"],
            team=[cast.users["social.worker"]],
            reference="",
            starts_at=now,
            ends_at=now + INSPECTION_ACCESS_MAX + dt.timedelta(minutes=1),
            reason=" ",
        )
    assert set(raised.value.errors) == {"team", "reference", "reason", "ends_at"}
    with pytest.raises(InvalidInput) as raised:
        inspection_access_grant(
            actor=actor_for_user(cast.users["council.admin"]),
            council=cast.organisations["council"],
            inspectorate=cast.organisations["inspectorate"],
            team=[other_inspector],
            reference="ILACS-PAST",
            starts_at=now - dt.timedelta(days=2),
            ends_at=now - dt.timedelta(days=1),
            reason="x",
        )
    assert set(raised.value.errors) == {"starts_at"}


def test_exactly_the_longest_grant_is_allowed(cast):
    now = timezone.now()
    grant = inspection_access_grant(
        actor=actor_for_user(cast.users["council.admin"]),
        council=cast.organisations["council"],
        inspectorate=cast.organisations["inspectorate"],
        team=[cast.users["inspector"]],
        reference="ILACS-LONGEST",
        starts_at=now,
        ends_at=now + INSPECTION_ACCESS_MAX,
        reason="x",
    )
    assert list(grant.team.all()) == [cast.users["inspector"]]
