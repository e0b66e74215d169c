"""Sign-in, lockout, the second factor, accounts administration and API clients."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmash.accounts.models import ApiClient, Role, User
from openmash.accounts.services import api_client_authenticate
from openmash.audit.models import AuditAction, AuditEntry


def sign_in(client, username, password):
    return client.post(reverse("accounts:sign-in"), {"username": username, "password": password})


def test_every_demo_sign_in_lands_on_its_home_page(cast, demo_password):
    for username, user in cast.users.items():
        client = Client()
        response = sign_in(client, username, demo_password)
        assert response.status_code == 302, username
        home = client.get(response["Location"])
        assert home.status_code == 200
        assert user.organisation.name in home.text
        role_label = Role(next(iter(user.role_codes))).label
        assert role_label in home.text


def test_home_page_offers_what_the_role_can_use(signed_in):
    assert "Find a person" in signed_in("social.worker").get("/").text
    admin_home = signed_in("council.admin").get("/").text
    assert "Manage users" in admin_home and "Find a person" not in admin_home
    inspector_home = signed_in("inspector").get("/").text
    assert "Your inspections" in inspector_home and "Leo Marsh" in inspector_home


def test_wrong_password_gives_a_gov_uk_error_and_is_not_signed_in(cast):
    client = Client()
    response = sign_in(client, "social.worker", "wrong-password")
    assert response.status_code == 200
    assert "govuk-error-summary" in response.text
    assert response.text.count("Enter a correct user name and password") >= 1
    assert "<title>Error: " in response.text
    assert client.get("/").status_code == 302


def test_empty_sign_in_names_each_missing_field(cast):
    response = sign_in(Client(), "", "")
    assert "Enter your user name" in response.text and "Enter your password" in response.text


def test_account_locks_after_repeated_failures(cast, demo_password, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "police.officer", "wrong-password")
    locked = sign_in(client, "police.officer", demo_password)
    assert locked.status_code == 429
    assert "Your account is locked" in locked.text
    assert client.get("/").status_code == 302


def test_sign_in_and_out_are_audited(cast, demo_password):
    client = Client()
    sign_in(client, "social.worker", demo_password)
    client.post(reverse("accounts:sign-out"))
    actions = list(
        AuditEntry.objects.filter(actor_id=cast.users["social.worker"].pk).values_list("action", flat=True)
    )
    assert AuditAction.SIGN_IN in actions and AuditAction.SIGN_OUT in actions


@pytest.fixture
def two_factor_org(cast):
    organisation = cast.organisations["council"]
    organisation.requires_two_factor = True
    organisation.save()
    return organisation


def _code(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def test_second_factor_is_set_up_then_required(two_factor_org, cast, demo_password):
    client = Client()
    response = sign_in(client, "social.worker", demo_password)
    assert response["Location"].startswith("/")
    # Anything but the second-factor page sends the person back to it.
    page = client.get(reverse("people:search"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:two-factor"))
    setup = client.get(reverse("accounts:two-factor"))
    assert "Set up your authenticator app" in setup.text and "<svg" in setup.text
    device = TOTPDevice.objects.get(user=cast.users["social.worker"])
    assert not device.confirmed
    wrong = client.post(
        reverse("accounts:two-factor"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "The code is not right" in wrong.text
    # A wrong code throttles further tries for a while (django-otp); skip the wait.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    right = client.post(reverse("accounts:two-factor") + "?next=/people/", {"token": _code(device)})
    assert right.status_code == 302 and right["Location"] == "/people/"
    assert client.get(reverse("people:search")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # Next sign-in asks for the code, not set-up.
    second = Client()
    sign_in(second, "social.worker", demo_password)
    ask = second.get(reverse("accounts:two-factor"))
    assert "Enter your code" in ask.text
    assert second.post(reverse("accounts:two-factor"), {"token": _code(device, 1)}).status_code == 302


def test_organisation_without_second_factor_goes_straight_in(cast, demo_password):
    client = Client()
    sign_in(client, "police.officer", demo_password)
    assert client.get(reverse("people:search")).status_code == 200


def test_api_client_command_prints_the_token_alone_on_its_last_line(cast):
    out = io.StringIO()
    call_command("api_client", "create", "--org", "Stockton-on-Tees", "--name", "Case system", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert " " not in token
    client = api_client_authenticate(token)
    assert client is not None and client.organisation.code == "E06000004"
    stored = ApiClient.objects.get(pk=client.pk)
    assert token not in (stored.token_digest, stored.token_prefix)
    response = Client().get("/api/v1/people", {"name": "Hart"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_api_client_command_accepts_a_code_too(cast):
    out = io.StringIO()
    call_command("api_client", "create", "--org", "E23000013", "--name", "Niche RMS", stdout=out)
    assert (
        api_client_authenticate(out.getvalue().strip().splitlines()[-1]).organisation.name
        == "Cleveland Police"
    )


def test_revoked_token_stops_working(cast):
    out = io.StringIO()
    call_command("api_client", "create", "--org", "E06000004", "--name", "Old system", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    call_command("api_client", "revoke", "--org", "E06000004", "--name", "Old system", stdout=io.StringIO())
    assert api_client_authenticate(token) is None
    response = Client().get("/api/v1/people", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"


def test_a_token_in_use_stops_working_as_soon_as_it_is_revoked(cast):
    out = io.StringIO()
    call_command("api_client", "create", "--org", "E06000004", "--name", "Busy system", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    headers = {"Authorization": f"Bearer {token}"}
    assert Client().get("/api/v1/people", {"name": "Hart"}, headers=headers).status_code == 200  # remembered
    call_command("api_client", "revoke", "--org", "E06000004", "--name", "Busy system", stdout=io.StringIO())
    assert Client().get("/api/v1/people", {"name": "Hart"}, headers=headers).status_code == 401


@pytest.mark.parametrize("token", ["", "nonsense", "omk_abc_def", "Bearer"])
def test_bad_tokens_are_refused(cast, token):
    response = Client().get("/api/v1/people", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_administrator_creates_an_account_with_roles(signed_in):
    client = signed_in("council.admin")
    response = client.post(
        reverse("accounts:user-create"),
        {
            "first_name": "Nia",
            "last_name": "Lowe",
            "username": "nia.lowe",
            "email": "nia@example.org",
            "roles": [Role.SOCIAL_WORKER],
            "password": "a-long-enough-password-42",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nia.lowe")
    assert user.organisation.code == "E06000004" and user.role_codes == {Role.SOCIAL_WORKER}


def test_bad_account_form_writes_nothing(signed_in):
    client = signed_in("council.admin")
    before = User.objects.count()
    response = client.post(
        reverse("accounts:user-create"),
        {
            "first_name": "",
            "last_name": "Lowe",
            "username": "social.worker",
            "email": "not-an-email",
            "roles": [],
            "password": "short",
        },
    )
    assert response.status_code == 200
    text = response.text
    assert "There is a problem" in text
    for message in [
        "Enter the first name",
        "Enter an email address in the correct format",
        "Choose at least one role",
    ]:
        assert message in text
    assert User.objects.count() == before


def test_duplicate_user_name_is_a_clear_error(signed_in):
    response = signed_in("council.admin").post(
        reverse("accounts:user-create"),
        {
            "first_name": "A",
            "last_name": "B",
            "username": "social.worker",
            "email": "a@example.org",
            "roles": [Role.SOCIAL_WORKER],
            "password": "a-long-enough-password-42",
        },
    )
    assert "A user with that username already exists" in response.text


def test_administrator_changes_roles_and_closes_accounts(cast, signed_in):
    client = signed_in("council.admin")
    worker = cast.users["social.worker"]
    client.post(
        reverse("accounts:user-edit", args=[worker.pk]), {"roles": [Role.TEAM_MANAGER, Role.SOCIAL_WORKER]}
    )
    assert User.objects.get(pk=worker.pk).role_codes == {Role.TEAM_MANAGER, Role.SOCIAL_WORKER}
    client.post(reverse("accounts:user-edit", args=[worker.pk]), {"active": "no"})
    assert not User.objects.get(pk=worker.pk).is_active


def test_administrator_creates_api_client_and_sees_token_once(signed_in):
    client = signed_in("council.admin")
    response = client.post(reverse("accounts:organisation"), {"form": "api-client", "name": "Liquidlogic"})
    assert "Copy this token now" in response.text
    again = client.get(reverse("accounts:organisation"))
    assert "Liquidlogic" in again.text and "Copy this token now" not in again.text
    empty = client.post(reverse("accounts:organisation"), {"form": "api-client", "name": ""})
    assert "Enter the name of the system" in empty.text


def test_administrator_sets_the_second_factor_requirement(cast, signed_in):
    client = signed_in("council.admin")
    client.post(reverse("accounts:organisation"), {"form": "two-factor", "requires_two_factor": "yes"})
    cast.organisations["council"].refresh_from_db()
    assert cast.organisations["council"].requires_two_factor


def test_roles_form_needs_a_role_and_changes_nothing_without_one(cast, signed_in):
    worker = cast.users["social.worker"]
    response = signed_in("council.admin").post(reverse("accounts:user-edit", args=[worker.pk]), {"roles": []})
    assert "Choose at least one role" in response.text and "govuk-error-summary" in response.text
    assert User.objects.get(pk=worker.pk).role_codes == worker.role_codes


def test_two_factor_setting_needs_an_answer(cast, signed_in):
    response = signed_in("council.admin").post(reverse("accounts:organisation"), {"form": "two-factor"})
    assert "Choose yes or no" in response.text
    cast.organisations["council"].refresh_from_db()
    assert not cast.organisations["council"].requires_two_factor


def test_two_factor_code_must_be_six_digits(cast, signed_in, two_factor_org):
    client = Client()
    client.post(reverse("accounts:sign-in"), {"username": "social.worker", "password": "OpenMASH-demo-2026"})
    for bad, message in [
        ("", "Enter the 6-digit code"),
        ("12ab56", "The code must be 6 digits"),
        ("123", "Enter the 6-digit code"),
    ]:
        response = client.post(reverse("accounts:two-factor"), {"token": bad})
        assert message in response.text
    assert client.get(reverse("people:search")).status_code == 302


def test_attempts_from_different_addresses_still_lock_the_account(cast, demo_password, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        sign_in(Client(REMOTE_ADDR=f"198.51.100.{attempt + 1}"), "police.officer", "wrong-password")
    locked = sign_in(Client(REMOTE_ADDR="203.0.113.9"), "police.officer", demo_password)
    assert locked.status_code == 429
    assert "Your account is locked" in locked.text
    # Another account from the same addresses is not locked.
    assert sign_in(Client(REMOTE_ADDR="198.51.100.1"), "police.ppu", demo_password).status_code == 302


def test_a_failed_sign_in_is_audited_with_the_name_tried_and_the_address(cast):
    sign_in(Client(REMOTE_ADDR="198.51.100.7"), "social.worker", "wrong-password")
    entry = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).latest("sequence")
    assert entry.object_id == str(cast.users["social.worker"].pk)
    assert entry.organisation_code == cast.organisations["council"].code
    assert entry.actor_label == "someone not signed in" and entry.actor_id is None
    assert entry.detail == {"username": "social.worker", "address": "198.51.100.7", "locked": False}
    assert "wrong-password" not in str(AuditEntry.objects.filter(sequence=entry.sequence).values().get())


def test_a_failed_sign_in_with_an_unknown_name_is_audited_and_empty_fields_are_not(cast):
    before = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).count()
    sign_in(Client(), "no.such.person", "wrong-password")
    sign_in(Client(), "", "")
    entries = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert entries.count() == before + 1
    entry = entries.latest("sequence")
    assert entry.object_id == "" and entry.organisation_code == "-"
    assert entry.detail["username"] == "no.such.person"


def test_the_attempt_that_finds_the_account_locked_is_audited_as_locked(cast, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "police.designated", "wrong-password")
    details = AuditEntry.objects.filter(
        action=AuditAction.SIGN_IN_FAILED, detail__username="police.designated"
    ).values_list("detail", flat=True)
    assert [detail["locked"] for detail in details][-2:] == [False, True]


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [(0, "10.0.0.5"), (1, "203.0.113.20"), (2, "192.0.2.1"), (3, "10.0.0.5")],
)
def test_the_forwarded_address_is_taken_only_from_trusted_proxies(cast, settings, proxies, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    client = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.20")
    sign_in(client, "social.worker", "wrong-password")
    entry = AuditEntry.objects.filter(action=AuditAction.SIGN_IN_FAILED).latest("sequence")
    assert entry.detail["address"] == expected


def test_a_pasted_code_with_a_space_is_accepted(two_factor_org, cast, demo_password):
    client = Client()
    sign_in(client, "social.worker", demo_password)
    client.get(reverse("accounts:two-factor"))
    device = TOTPDevice.objects.get(user=cast.users["social.worker"])
    code = _code(device)
    page = client.get(reverse("accounts:two-factor"))
    assert 'maxlength="6"' not in page.text
    response = client.post(reverse("accounts:two-factor"), {"token": f"{code[:3]} {code[3:]}"})
    assert response.status_code == 302
    assert client.get(reverse("people:search")).status_code == 200


def test_sign_in_page_does_not_take_focus(cast):
    page = Client().get(reverse("accounts:sign-in"))
    assert "autofocus" not in page.text
