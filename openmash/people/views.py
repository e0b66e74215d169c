"""Find a person, open their record, record a child. Thin: policy and audit live in selectors and services."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.audit.selectors import audit_person_access_list
from openmash.clocks.selectors import clocks_for_person, rule_titles
from openmash.events.services import RECORDERS
from openmash.events.views import PERSON_EVENT_TITLES
from openmash.lib.errors import InvalidInput
from openmash.organisations.selectors import organisation_names
from openmash.people import selectors, services
from openmash.people.forms import PersonCreateForm, PersonSearchForm
from openmash.people.models import IdentifierScheme, PersonKind
from openmash.ui.forms import add_service_errors


def search(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policy.may_search_people(actor):
        raise Http404("Search is not available to this role")
    form = PersonSearchForm(request.GET if request.GET else None)
    results = None
    if form.is_bound and form.is_valid():
        criteria = selectors.SearchCriteria(
            name=form.cleaned_data["name"],
            date_of_birth=form.cleaned_data["date_of_birth"],
            identifier=form.cleaned_data["identifier"],
        )
        results = selectors.person_search(actor=actor, criteria=criteria)
    return render(request, "people/search.html", {"form": form, "results": results})


def record(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = actor_for_request(request)
    opened = selectors.person_open(actor=actor, person_id=person_id)
    access_log, access_log_hidden = policy.access_log_visible(
        actor, opened.person.pk, audit_person_access_list(person_id=opened.person.pk)
    )
    full = opened.scope == policy.RecordScope.FULL
    context = {
        "person": opened.person,
        "reason": opened.reason,
        "full_record": full,
        "enrolments": [
            enrolment
            for enrolment in opened.person.enrolments.all()
            if full or (actor.organisation is not None and enrolment.school_id == actor.organisation.pk)
        ],
        "access_log": access_log,
        "access_log_hidden": access_log_hidden,
        "organisation_names": organisation_names(line.entry.organisation_code for line in access_log),
        "actions": event_actions(actor),
        "may_record_birth": opened.person.kind == PersonKind.UNBORN
        and policy.may_record_birth(actor, opened.person.pk),
        "clocks": clocks_for_person(actor=actor, person=opened.person) if full else [],
        "clock_titles": rule_titles(actor),
        "now": timezone.now(),
    }
    return render(request, "people/record.html", context)


def event_actions(actor) -> list[tuple[str, str]]:
    """The events this actor's organisation may record about a person, as (label, kind)."""
    if not policy.works_cases(actor) or actor.organisation is None:
        return []
    return [
        (title, kind)
        for kind, title in PERSON_EVENT_TITLES.items()
        if kind not in RECORDERS or actor.organisation.kind in RECORDERS[kind]
    ]


def create(request: HttpRequest) -> HttpResponse:
    actor = actor_for_request(request)
    if not policy.may_record_people(actor):
        raise Http404("Recording people is not available to this role")
    form = PersonCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        identifiers = [
            services.IdentifierInput(scheme=scheme, value=data[field])
            for scheme, field in ((IdentifierScheme.NHS_NUMBER, "nhs_number"), (IdentifierScheme.UPN, "upn"))
            if data[field].strip()
        ]
        try:
            person = services.person_create(
                actor=actor,
                given_name=data["given_name"],
                family_name=data["family_name"],
                date_of_birth=data["date_of_birth"],
                sex=data["sex"],
                ethnicity=data["ethnicity"],
                identifiers_given=identifiers,
                address=services.AddressInput(
                    line_1=data["address_line_1"],
                    town=data["town"],
                    postcode=data["postcode"],
                    council=data["council"],
                ),
            )
        except InvalidInput as error:
            add_service_errors(form, error, {"nhs": "nhs_number", "upn": "upn"})
        else:
            messages.success(request, f"{person.full_name} recorded")
            return redirect("people:record", person_id=person.pk)
    return render(request, "people/create.html", {"form": form})
