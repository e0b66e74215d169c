"""Vetting pages: a force's queue or a council's requests, asking for checks, one request with its stages, and
the backlog. Thin: the selectors decide who sees what, the services what may change."""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openmash.access import policy
from openmash.access.requests import case_worker
from openmash.lib.errors import InvalidInput, NotFound
from openmash.ui.forms import add_service_errors, error_summary_items
from openmash.vetting import selectors, services
from openmash.vetting.forms import RequestForm, StageForm
from openmash.vetting.models import VettingStage


def request_list(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    show_all = request.GET.get("show") == "all"
    requests = selectors.vetting_request_list(actor=actor, open_only=not show_all)
    return render(
        request,
        "vetting/list.html",
        {
            "requests": requests,
            "show_all": show_all,
            "is_force": policy.may_do_vetting_checks(actor),
            "may_request": policy.may_request_vetting(actor),
            "now": timezone.now(),
        },
    )


def request_new(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    if not policy.may_request_vetting(actor):
        raise NotFound("Not available to this role")
    assert actor.organisation is not None
    posted = request.method == "POST"
    form = RequestForm(
        request.POST if posted else None, initial={"force": services.covering_force(actor.organisation)}
    )
    if posted and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.vetting_request_submit(
                actor=actor,
                data=services.VettingRequestInput(
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    date_of_birth=data["date_of_birth"],
                    role=data["role"],
                    reference=data["reference"],
                    household=data["household"],
                    placements_blocked=data["placements_blocked"],
                    force=data["force"],
                ),
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Checks asked for from {created.force.name}")
            return redirect("vetting:detail", request_id=created.pk)
    return render(
        request, "vetting/new.html", {"form": form, "errors": error_summary_items(form) if posted else []}
    )


def request_detail(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request)
    view = selectors.vetting_request_open(actor=actor, request_id=request_id)
    posted = request.method == "POST"
    action = request.POST.get("action") if posted else None
    form = (
        StageForm(request.POST if action == "stage" else None)
        if view.is_force and view.request.is_open
        else None
    )
    if posted and action == "withdraw" and view.is_council and view.request.is_open:
        try:
            services.vetting_stage_record(actor=actor, request=view.request, stage=VettingStage.WITHDRAWN)
        except InvalidInput:
            pass  # closed by the force a moment before: the page shows how it ended
        else:
            messages.success(request, "Request withdrawn: the force's queue no longer holds it")
        return redirect("vetting:detail", request_id=view.request.pk)
    if form is not None and form.is_bound and form.is_valid():
        try:
            services.vetting_stage_record(
                actor=actor,
                request=view.request,
                stage=form.cleaned_data["stage"],
                at=form.at(),
                outcome=form.cleaned_data["outcome"],
                delay_reason=form.cleaned_data["delay_reason"],
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"at": "at_date"})
        else:
            messages.success(request, f"Recorded: {VettingStage(form.cleaned_data['stage']).label.lower()}")
            return redirect("vetting:detail", request_id=view.request.pk)
    errors = error_summary_items(form) if form is not None and form.is_bound else []
    return render(
        request,
        "vetting/detail.html",
        {"view": view, "vetting": view.request, "form": form, "errors": errors, "now": timezone.now()},
    )


def backlog(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    backlogs = selectors.vetting_backlog(actor=actor)
    return render(request, "vetting/backlog.html", {"backlogs": backlogs})
