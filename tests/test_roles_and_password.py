"""Roles limited to the organisation's kind, and changing your own password."""

import pytest
from django.test import Client
from django.urls import reverse

from openmash.accounts.actors import actor_for_user
from openmash.accounts.models import Role, User
from openmash.accounts.services import user_create, user_set_roles
from openmash.audit.models import AuditEntry
from openmash.lib.errors import InvalidInput


def test_it_offers_a_council_administrator_only_a_councils_roles(signed_in):
    page = signed_in("council.admin").get(reverse("accounts:user-create")).text
    assert Role.SOCIAL_WORKER.label in page and Role.TEAM_MANAGER.label in page
    for foreign in (Role.INSPECTOR, Role.POLICE_OFFICER, Role.VETTING_OFFICER, Role.SCHOOL_DSL):
        assert foreign.label not in page, foreign


def test_it_refuses_a_police_officer_at_a_council_on_the_form(signed_in):
    response = signed_in("council.admin").post(
        reverse("accounts:user-create"),
        {
            "first_name": "Ann",
            "last_name": "Other",
            "username": "ann.other",
            "email": "ann@example.org",
            "roles": [Role.POLICE_OFFICER],
            "password": "a long enough Password 2026",
        },
    )
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert not User.objects.filter(username="ann.other").exists()


def test_the_service_refuses_roles_of_another_kind_of_organisation(cast):
    admin = actor_for_user(cast.users["council.admin"])
    with pytest.raises(InvalidInput) as refused:
        user_create(
            actor=admin,
            organisation=cast.organisations["council"],
            username="new.inspector",
            email="i@example.org",
            first_name="New",
            last_name="Inspector",
            roles=[Role.INSPECTOR],
        )
    assert "Inspector" in refused.value.errors["roles"][0]
    with pytest.raises(InvalidInput):
        user_set_roles(actor=admin, user=cast.users["social.worker"], roles=[Role.POLICE_OFFICER])
    assert cast.users["social.worker"].role_assignments.filter(role=Role.POLICE_OFFICER).count() == 0
    police_admin = actor_for_user(cast.users["police.officer"])
    made = user_create(
        actor=police_admin,
        organisation=cast.organisations["police"],
        username="new.vetting",
        email="v@example.org",
        first_name="New",
        last_name="Vetting",
        roles=[Role.VETTING_OFFICER],
    )
    assert made.role_codes == {Role.VETTING_OFFICER}


def test_every_demo_sign_in_has_a_role_its_organisation_may_give(cast):
    from openmash.accounts.models import roles_for_kind

    for username, user in cast.users.items():
        allowed = {value for value, _ in roles_for_kind(user.organisation.kind)}
        assert user.role_codes <= allowed, username


def _change(client: Client, current: str, new: str, confirm: str | None = None):
    return client.post(
        reverse("accounts:password-change"),
        {"current": current, "new": new, "confirm": new if confirm is None else confirm},
    )


def test_it_changes_your_own_password_keeps_you_signed_in_and_audits_it(cast, demo_password):
    client = Client()
    client.post(reverse("accounts:sign-in"), {"username": "social.worker", "password": demo_password})
    response = _change(client, demo_password, "Bright-harbour-lantern-71")
    assert response.status_code == 302
    assert client.get(reverse("web:home")).status_code == 200  # the session was kept
    user = User.objects.get(username="social.worker")
    assert user.check_password("Bright-harbour-lantern-71")
    entry = AuditEntry.objects.filter(object_type="user", object_id=str(user.pk)).latest("sequence")
    assert entry.reason == "changed their own password"
    assert "Bright" not in str(entry.detail)


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong", "Bright-harbour-lantern-71", None, "Your current password is not right"),
        (None, "Bright-harbour-lantern-71", "Something-else-71", "do not match"),
        (None, "password", None, "too common"),
        (None, "12345678901234", None, "entirely numeric"),
        (None, "short", None, "too short"),
    ],
)
def test_it_refuses_a_bad_password_change_with_a_gov_uk_error(
    signed_in, cast, demo_password, current, new, confirm, message
):
    client = signed_in("social.worker")
    response = _change(client, current or demo_password, new, confirm)
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text and "<title>Error: " in response.text
    assert message in response.text
    assert User.objects.get(username="social.worker").check_password(demo_password)


def test_it_needs_you_signed_in(cast):
    response = Client().get(reverse("accounts:password-change"))
    assert response.status_code == 302 and "sign-in" in response["Location"]
