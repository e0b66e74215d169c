"""Joint casework pages: joint visits and lone visits, police protection, investigation closures and their
disagreements, and the area's measures. Thin: the selectors decide who sees what, the services what may change."""

import uuid
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access import policy
from openmash.access.requests import case_worker
from openmash.accounts.actors import Actor, actor_for_request
from openmash.accounts.models import Role
from openmash.casework import forms as casework_forms
from openmash.casework import selectors, services
from openmash.casework.models import ClosureStatus, DisagreementStatus, JointVisit, VisitStatus
from openmash.casework.services import concerns
from openmash.lib.errors import InvalidInput
from openmash.organisations.models import OrganisationKind
from openmash.people.models import Person
from openmash.people.selectors import person_open
from openmash.ui.forms import add_service_errors, error_summary_items

# A late stop's reason comes back from the clocks service as "breach_reason"; the forms call it the delay.
DELAY = {"breach_reason": "delay_reason"}


def _person(actor: Actor, person_id: uuid.UUID) -> Person:
    return person_open(actor=actor, person_id=person_id).person


def _saved(form: forms.Form, call: Callable[[], object], field_map: dict[str, str] | None = None) -> bool:
    """Call a service with a valid form; put its errors on the form. NotAllowed looks like a missing page."""
    if not form.is_valid():
        return False
    try:
        call()
    except InvalidInput as error:
        add_service_errors(form, error, field_map)
        return False
    return True


def _page(request: HttpRequest, template: str, context: dict, *forms_: forms.Form | None) -> HttpResponse:
    bound = [form for form in forms_ if form is not None and form.is_bound]
    return render(request, template, {**context, "errors": error_summary_items(*bound)})


# Joint visits ----------------------------------------------------------------------------------------------


def visit_list(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    visits = selectors.joint_visit_list(actor=actor)
    return render(request, "casework/visit_list.html", {"visits": visits, "lone_only": False})


def lone_visit_list(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    visits = selectors.joint_visit_list(actor=actor, lone_only=True)
    return render(request, "casework/visit_list.html", {"visits": visits, "lone_only": True})


def visit_request(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request, kind=OrganisationKind.COUNCIL)
    person = _person(actor, person_id)
    form = casework_forms.VisitRequestForm(request.POST if request.method == "POST" else None)
    created: list[JointVisit] = []

    def call() -> None:
        created.append(
            services.joint_visit_request(
                actor=actor,
                person=person,
                planned_for=form.when("planned_date", "planned_time"),
                police_needed_because=form.cleaned_data["police_needed_because"],
                purpose=form.cleaned_data["purpose"],
                address=form.cleaned_data["address"],
            )
        )

    if form.is_bound and _saved(form, call, {"planned_for": "planned_date", "": "purpose"}):
        messages.success(request, f"Joint visit requested from {created[0].police_force.name}")
        return redirect("casework:visit", visit_id=created[0].pk)
    return _page(request, "casework/visit_request.html", {"form": form, "person": person}, form)


def visit_detail(request: HttpRequest, visit_id: str) -> HttpResponse:
    actor = case_worker(request)
    visit = selectors.joint_visit_open(actor=actor, visit_id=visit_id)
    assert actor.organisation is not None
    is_police = actor.organisation.pk == visit.police_force_id
    is_council = actor.organisation.pk == visit.council_id
    posted = request.POST if request.method == "POST" else None
    action = posted.get("action") if posted is not None else None
    officer_form = done_form = review_form = decline_form = None
    if is_police and visit.status != VisitStatus.DONE:
        officer_form = casework_forms.OfficerForm(posted if action == "officer" else None)
    if is_police and visit.status == VisitStatus.REQUESTED:
        decline_form = casework_forms.VisitDeclineForm(posted if action == "decline" else None)
    if is_council and visit.status != VisitStatus.DONE:
        done_form = casework_forms.VisitDoneForm(posted if action == "done" else None)
    if is_council and visit.lone_visit and not visit.reviewed_at and actor.has_role(Role.TEAM_MANAGER):
        review_form = casework_forms.LoneVisitReviewForm(posted if action == "review" else None)
    calls: dict[str, tuple[forms.Form | None, Callable[[], object], dict[str, str], str]] = {
        "officer": (
            officer_form,
            lambda: services.joint_visit_confirm_officer(
                actor=actor,
                visit=visit,
                officer_name=officer_form.cleaned_data["officer_name"],  # type: ignore[union-attr]
                officer_attends_at=officer_form.when("attends_date", "attends_time"),  # type: ignore[union-attr]
            ),
            {"officer_attends_at": "attends_date"},
            "Officer named: the visit is confirmed and the council has been told",
        ),
        "decline": (
            decline_form,
            lambda: services.joint_visit_decline(
                actor=actor,
                visit=visit,
                reason=decline_form.cleaned_data["reason"],  # type: ignore[union-attr]
            ),
            {},
            "The council has been told that no officer can attend",
        ),
        "done": (
            done_form,
            lambda: services.joint_visit_record(
                actor=actor,
                visit=visit,
                visited_at=done_form.when("visited_date", "visited_time"),  # type: ignore[union-attr]
                officer_present=done_form.cleaned_data["officer_present"],  # type: ignore[union-attr]
                outcome=done_form.cleaned_data["outcome"],  # type: ignore[union-attr]
                officer_name=done_form.cleaned_data["officer_name"],  # type: ignore[union-attr]
            ),
            {"visited_at": "visited_date"},
            "Visit recorded",
        ),
        "review": (
            review_form,
            lambda: services.lone_visit_review(
                actor=actor,
                visit=visit,
                notes=review_form.cleaned_data["notes"],  # type: ignore[union-attr]
            ),
            {},
            "Lone visit reviewed",
        ),
    }
    if action is not None:
        form, call, field_map, done_message = calls.get(action, (None, lambda: None, {}, ""))
        if form is None:
            raise Http404("Nothing to record here")
        if _saved(form, call, field_map):
            messages.success(request, done_message)
            return redirect("casework:visit", visit_id=visit.pk)
    context = {
        "visit": visit,
        "officer_form": officer_form,
        "done_form": done_form,
        "review_form": review_form,
        "decline_form": decline_form,
    }
    return _page(request, "casework/visit.html", context, officer_form, decline_form, done_form, review_form)


# Police protection -----------------------------------------------------------------------------------------


def protection_list(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    protections = selectors.police_protection_list(actor=actor)
    return render(request, "casework/protection_list.html", {"protections": protections})


def protection_detail(request: HttpRequest, event_id: str) -> HttpResponse:
    actor = case_worker(request)
    protection = selectors.police_protection_open(actor=actor, event_id=event_id)
    form = None
    if protection.is_open:
        form = casework_forms.ProtectionEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is None:
            raise Http404("Already recorded")
        call = lambda: services.police_protection_end(  # noqa: E731
            actor=actor,
            event=protection.event,
            ended_at=form.when("ended_date", "ended_time"),
            how=form.cleaned_data["how"],
            notes=form.cleaned_data["notes"],
            delay_reason=form.cleaned_data["delay_reason"],
        )
        if _saved(form, call, {**DELAY, "ended_at": "ended_date"}):
            messages.success(request, "Recorded: the 72-hour clock has stopped")
            return redirect("casework:protection", event_id=protection.event.pk)
    return _page(request, "casework/protection.html", {"protection": protection, "form": form}, form)


def measures(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    figures = selectors.casework_measures(actor=actor)
    return render(request, "casework/measures.html", {"measures": figures})


# Investigation closures and disagreements ------------------------------------------------------------------


def closure_propose(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    actor = case_worker(request, kind=OrganisationKind.POLICE)
    person = _person(actor, person_id)
    form = casework_forms.ClosureProposeForm(request.POST if request.method == "POST" else None)
    created = []

    def call() -> None:
        data = form.cleaned_data
        created.append(
            services.investigation_closure_propose(
                actor=actor,
                person=person,
                police_reference=data["police_reference"],
                reasons=data["reasons"],
                under_s47_enquiry=data["under_s47_enquiry"],
                injuries_recorded=data["injuries_recorded"],
                share_anyway=data["share_anyway"],
            )
        )

    if form.is_bound and _saved(form, call, {"": "police_reference"}):
        closure = created[0]
        messages.success(
            request,
            "Closure proposed: it takes effect only when the council agrees"
            if closure.status == ClosureStatus.PROPOSED
            else "Investigation closed",
        )
        return redirect("casework:closure", closure_id=closure.pk)
    return _page(request, "casework/closure_propose.html", {"form": form, "person": person}, form)


def closure_list(request: HttpRequest) -> HttpResponse:
    actor = case_worker(request)
    closures = selectors.investigation_closure_list(actor=actor)
    return render(request, "casework/closure_list.html", {"closures": closures})


def closure_detail(request: HttpRequest, closure_id: str) -> HttpResponse:
    actor = case_worker(request)
    opened = selectors.investigation_closure_open(actor=actor, closure_id=closure_id)
    assert actor.organisation is not None
    closure, disagreement = opened.closure, opened.disagreement
    posted = request.POST if request.method == "POST" else None
    action = posted.get("action") if posted is not None else None
    response_form = stage_form = None
    if closure.status == ClosureStatus.PROPOSED and actor.organisation.pk == closure.council_id:
        response_form = casework_forms.ClosureResponseForm(posted if action == "respond" else None)
    if (
        disagreement is not None
        and disagreement.status == DisagreementStatus.OPEN
        and policy.may_record_disagreement_stage(
            actor, [disagreement.raised_by_id, disagreement.raised_with_id], disagreement.stage
        )
    ):
        stage_form = casework_forms.StageOutcomeForm(posted if action == "stage" else None)
    if action == "respond" and response_form is not None:
        call: Callable[[], object] = lambda: services.investigation_closure_respond(  # noqa: E731
            actor=actor,
            closure=closure,
            response=response_form.cleaned_data["response"],
            reasons=response_form.cleaned_data["reasons"],
        )
        if _saved(response_form, call):
            messages.success(request, "The council's answer has been recorded and shared with the police")
            return redirect("casework:closure", closure_id=closure.pk)
    elif action == "stage" and stage_form is not None and disagreement is not None:
        call = lambda: services.disagreement_stage_record(  # noqa: E731
            actor=actor,
            disagreement=disagreement,
            outcome=stage_form.cleaned_data["outcome"],
            resolution=stage_form.cleaned_data["resolution"],
            notes=stage_form.cleaned_data["notes"],
            delay_reason=stage_form.cleaned_data["delay_reason"],
        )
        if _saved(stage_form, call, DELAY):
            messages.success(request, "Stage outcome recorded and shared")
            return redirect("casework:closure", closure_id=closure.pk)
    elif action is not None:
        raise Http404("Nothing to record here")
    context = {"opened": opened, "closure": closure, "disagreement": disagreement}
    context |= {"response_form": response_form, "stage_form": stage_form}
    return _page(request, "casework/closure.html", context, response_form, stage_form)


def concern_window(request: HttpRequest) -> HttpResponse:
    """A council's own window for concerns from two or more agencies (its administrators, partnership leads)."""
    actor = actor_for_request(request)
    council = actor.organisation
    if (
        council is None
        or council.kind != OrganisationKind.COUNCIL
        or not policy.may_set_clock_figures(actor, council)
    ):
        raise Http404("Not available")
    current = concerns.concern_window(council).days
    form = casework_forms.ConcernWindowForm(request.POST or None, initial={"days": current})
    if form.is_bound and form.is_valid():
        try:
            concerns.concern_window_set(actor=actor, council=council, days=form.cleaned_data["days"])
        except InvalidInput as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"Concerns from two or more agencies: your area's window is {form.cleaned_data['days']} days",
            )
            return redirect("clocks:rules")
    context = {"form": form, "current": current, "errors": error_summary_items(form) if form.is_bound else []}
    return render(request, "casework/concern_window.html", context)
