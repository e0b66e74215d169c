"""Philomena profile pages: the profile, its form, and its photo (served only through the policy, never from a
public address). Thin: the selectors decide who may open it and audit each opening; the service what may change."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access.requests import case_worker
from openmash.lib.errors import InvalidInput, NotFound
from openmash.philomena import selectors, services
from openmash.philomena.forms import ProfileForm
from openmash.ui.forms import add_service_errors, error_summary_items


def profile(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request)
    view = selectors.profile_open(actor=actor, person_id=person_id)
    return render(request, "philomena/profile.html", {"view": view, "child": view.child})


def profile_edit(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request)
    view = selectors.profile_open(
        actor=actor, person_id=person_id, purpose="opened to change", keepers_only=True
    )
    posted = request.method == "POST"
    form = ProfileForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=ProfileForm.initial_from(view.profile),
    )
    if posted and form.is_valid():
        try:
            services.profile_save(
                actor=actor,
                child=view.child,
                data=form.profile_input(),
                photo=form.photo_bytes(settings.PHILOMENA_PHOTO_MAX_BYTES),
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Philomena profile saved")
            return redirect("philomena:profile", person_id=view.child.pk)
    return render(
        request,
        "philomena/profile_edit.html",
        {
            "view": view,
            "child": view.child,
            "form": form,
            "errors": error_summary_items(form) if posted else [],
        },
    )


def photo(request: HttpRequest, person_id: uuid.UUID) -> FileResponse:
    actor = case_worker(request)
    view = selectors.profile_open(actor=actor, person_id=person_id, purpose="viewed the photo of")
    if view.profile is None or not view.profile.photo:
        raise NotFound("No photo")
    response = FileResponse(view.profile.photo.open("rb"), content_type=view.profile.photo_content_type)
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response
