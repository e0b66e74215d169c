"""Possible duplicate records: the queue, one question with both records side by side, and a record's merges.
Thin: the selectors decide what is shown, the services what may change."""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access.requests import case_worker
from openmash.lib.errors import InvalidInput, NotFound
from openmash.merging import selectors, services
from openmash.merging.forms import ReviewDecisionForm, UnmergeForm
from openmash.ui.forms import add_service_errors, error_summary_items


def review_list(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    return render(request, "merging/review_list.html", {"reviews": selectors.review_queue(actor)})


def review_detail(request: HttpRequest, review_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request)
    view = selectors.review_open(actor, review_id)
    form = ReviewDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_decide(
                actor=actor,
                review_id=review_id,
                same_child=form.cleaned_data["same_child"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{review.get_status_display()}.")
            return redirect("merging:reviews")
    errors = error_summary_items(form) if form.is_bound else []
    return render(request, "merging/review_detail.html", {"view": view, "form": form, "errors": errors})


def merge_list(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request)
    lines = selectors.merges_into(actor, person_id)
    form = UnmergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            merge_id = uuid.UUID(request.POST.get("merge", ""))
        except ValueError as error:
            raise NotFound("No such merge") from error
        try:
            services.unmerge(actor=actor, merge_id=merge_id, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The records are separate again.")
            return redirect("merging:merges", person_id=person_id)
    errors = error_summary_items(form) if form.is_bound else []
    return render(
        request,
        "merging/merge_list.html",
        {"lines": lines, "person_id": person_id, "form": form, "errors": errors},
    )
