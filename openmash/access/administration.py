"""An organisation's administration pages: its accounts and roles, its sign-in setting, its API clients.

They sit here, above accounts, because who may administer is the policy's to say (``policy.may_administer``);
accounts' own views are the sign-in pages only. Their addresses keep the names ``accounts:users`` and so on
(openmash/urls.py adds them to the accounts namespace)."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from openmash.access import policy
from openmash.accounts import services
from openmash.accounts.actors import actor_for_request
from openmash.accounts.forms import ApiClientForm, RolesForm, TwoFactorSettingForm, UserForm
from openmash.accounts.models import ApiClient, User
from openmash.lib.errors import InvalidInput
from openmash.ui.forms import add_service_errors


def _administered_organisation(request: HttpRequest):
    actor = actor_for_request(request)
    if actor.organisation is None or not policy.may_administer(actor, actor.organisation):
        raise Http404("Not an administrator")
    return actor, actor.organisation


def users(request: HttpRequest) -> HttpResponse:
    _actor, organisation = _administered_organisation(request)
    people = User.objects.filter(organisation=organisation).prefetch_related("role_assignments")
    return render(request, "accounts/users.html", {"people": people, "organisation": organisation})


def user_create(request: HttpRequest) -> HttpResponse:
    actor, organisation = _administered_organisation(request)
    form = UserForm(request.POST if request.method == "POST" else None, organisation_kind=organisation.kind)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.user_create(actor=actor, organisation=organisation, **form.cleaned_data)
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Account created for {created.get_full_name()}")
            return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form})


def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    actor, organisation = _administered_organisation(request)
    person = User.objects.filter(organisation=organisation, pk=user_id).first()
    if person is None:
        raise Http404("No such user")
    form = RolesForm(
        request.POST if request.method == "POST" else None,
        initial={"roles": sorted(person.role_codes)},
        organisation_kind=organisation.kind,
    )
    if request.method == "POST" and "active" in request.POST:
        services.user_set_active(actor=actor, user=person, active=request.POST["active"] == "yes")
        messages.success(
            request, f"{person.get_full_name()} can {'now' if person.is_active else 'no longer'} sign in"
        )
        return redirect("accounts:users")
    if request.method == "POST" and form.is_valid():
        try:
            services.user_set_roles(actor=actor, user=person, roles=form.cleaned_data["roles"])
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Roles saved for {person.get_full_name()}")
            return redirect("accounts:users")
    return render(request, "accounts/user_edit.html", {"form": form, "person": person})


def organisation(request: HttpRequest) -> HttpResponse:
    actor, org = _administered_organisation(request)
    setting_form = TwoFactorSettingForm(
        request.POST if request.POST.get("form") == "two-factor" else None,
        initial={"requires_two_factor": "yes" if org.requires_two_factor else "no"},
    )
    client_form = ApiClientForm(request.POST if request.POST.get("form") == "api-client" else None)
    new_token = None
    if request.method == "POST" and setting_form.is_bound and setting_form.is_valid():
        services.organisation_set_two_factor(
            actor=actor, organisation=org, required=setting_form.cleaned_data["requires_two_factor"]
        )
        messages.success(request, "Sign-in setting saved")
        return redirect("accounts:organisation")
    if request.method == "POST" and client_form.is_bound and client_form.is_valid():
        try:
            created = services.api_client_create(
                actor=actor, organisation=org, name=client_form.cleaned_data["name"]
            )
        except InvalidInput as error:
            add_service_errors(client_form, error)
        else:
            new_token = created.token
            client_form = ApiClientForm()
    clients = ApiClient.objects.filter(organisation=org)
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": org,
            "setting_form": setting_form,
            "form": client_form,
            "clients": clients,
            "new_token": new_token,
        },
    )


@require_POST
def api_client_revoke(request: HttpRequest, client_id: int) -> HttpResponse:
    actor, org = _administered_organisation(request)
    client = ApiClient.objects.filter(organisation=org, pk=client_id, revoked_at__isnull=True).first()
    if client is None:
        raise Http404("No such API client")
    services.api_client_revoke(actor=actor, client=client)
    messages.success(request, f"API client {client.name} revoked: its token no longer works")
    return redirect("accounts:organisation")
