"""Sign-in with a second factor, sign-out, and administration of an organisation's accounts."""

from base64 import b32encode
from urllib.parse import urlparse

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from openmash.accounts import services
from openmash.accounts.actors import actor_for_request
from openmash.accounts.addresses import client_address
from openmash.accounts.forms import (
    PasswordChangeForm,
    SignInForm,
    TokenForm,
)
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.lib.errors import InvalidInput
from openmash.ui.forms import add_service_errors


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    target = request.GET.get("next") or request.POST.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and urlparse(target).path:
        return target
    return default


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        services.sign_in_record(user=form.get_user(), address=client_address(self.request))
        return response

    def form_invalid(self, form):
        # Only a refused user name and password, not a form sent with a field left empty.
        if form.has_error(NON_FIELD_ERRORS, "invalid_login"):
            services.sign_in_failure_record(
                username=form.cleaned_data.get("username", ""),
                address=client_address(self.request),
                locked=getattr(self.request, "axes_locked_out", False),
            )
        return super().form_invalid(form)


sign_in = login_not_required(SignInView.as_view())


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        audit_record(
            actor=actor_for_request(request),
            action=AuditAction.SIGN_OUT,
            object_type="user",
            object_id=request.user.pk,
        )
    return auth_views.LogoutView.as_view()(request)


@login_not_required
def locked_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/locked_out.html", status=429)


def two_factor(request: HttpRequest) -> HttpResponse:
    """Ask for the code, or set up an authenticator app on first sign-in."""
    user = actor_for_request(request).user
    assert user is not None
    if user.is_verified():
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=user).order_by(
        "-confirmed", "id"
    ).first() or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        # django-otp slows guessing: after a wrong code the next try must wait, doubling each time.
        throttled = not device.verify_is_allowed()[0]
        if not throttled and device.verify_token(form.cleaned_data["token"]):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_safe_next(request))
        if throttled:
            form.add_error("token", "Too many wrong codes: wait a minute, then enter the newest code")
        else:
            form.add_error(
                "token", "The code is not right: check the time on your phone and enter the newest code"
            )
    context = {"form": form, "setting_up": not device.confirmed}
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(
            scale=4, title="QR code for your authenticator app"
        )
        secret = b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "accounts/two_factor.html", context)


def password_change(request: HttpRequest) -> HttpResponse:
    """Anyone signed in changes their own password; they stay signed in (the session is kept)."""
    actor = actor_for_request(request)
    user = actor.user
    if user is None:
        raise Http404("Not available")
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(actor=actor, user=user, **form.cleaned_data)
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            # A changed password ends every other session of the account, not this one.
            update_session_auth_hash(request, user)
            messages.success(request, "Your password has been changed")
            return redirect("web:home")
    return render(request, "accounts/password_change.html", {"form": form})
