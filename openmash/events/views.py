"""Recording events through the web: a police domestic abuse incident, and events about a known person."""

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.events import forms as event_forms
from openmash.events.models import EventKind, SubjectRole
from openmash.events.services import RECORDERS, EventInput, PersonInput, RecordedEvent, event_record
from openmash.lib.errors import InvalidInput
from openmash.people.selectors import person_open
from openmash.ui.forms import add_service_errors, error_summary_items

CHILD_SLOTS = 3
ADULT_SLOTS = 2
# Service error keys that belong to a field of the incident form.
INCIDENT_FIELDS = {"occurred_at": "occurred_date", "reported_at": "reported_date"}


def _may_record(request: HttpRequest, kind: str):
    actor = actor_for_request(request)
    allowed = RECORDERS.get(kind)
    if actor.organisation is None or not policy.works_cases(actor):
        raise Http404("Not available to this role")
    if allowed is not None and actor.organisation.kind not in allowed:
        raise Http404("Not available to this organisation")
    return actor


def _child_input(form: event_forms.ChildForm) -> PersonInput:
    data = form.cleaned_data
    present = data["present"]
    return PersonInput(
        role=SubjectRole.CHILD,
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
        nhs_number=data["nhs_number"].strip(),
        details={
            "present": present,
            "saw_heard": data["saw_heard"],
            "child_words": data["child_words"],
            "school_urn": data["school_urn"].strip(),
        },
    )


def incident_create(request: HttpRequest) -> HttpResponse:
    actor = _may_record(request, EventKind.DOMESTIC_ABUSE)
    posted = request.POST if request.method == "POST" else None
    form = event_forms.IncidentForm(posted)
    children = [
        event_forms.ChildForm(posted, prefix=f"child{n}", number=n) for n in range(1, CHILD_SLOTS + 1)
    ]
    adults = [event_forms.AdultForm(posted, prefix=f"adult{n}", number=n) for n in range(1, ADULT_SLOTS + 1)]
    if posted is not None:
        given_children = [child for child in children if not child.is_blank]
        given_adults = [adult for adult in adults if not adult.is_blank]
        valid = all([form.is_valid(), *(f.is_valid() for f in given_children + given_adults)])
        if valid:
            data = form.cleaned_data
            people = [_child_input(child) for child in given_children]
            people += [
                PersonInput(
                    role=SubjectRole.ADULT,
                    given_name=a.cleaned_data["given_name"],
                    family_name=a.cleaned_data["family_name"],
                    date_of_birth=a.cleaned_data["date_of_birth"],
                )
                for a in given_adults
            ]
            try:
                recorded = event_record(
                    actor=actor,
                    data=EventInput(
                        kind=EventKind.DOMESTIC_ABUSE,
                        reference=data["police_reference"],
                        occurred_at=event_forms.combine(data["occurred_date"], data["occurred_time"]),
                        reported_at=event_forms.combine(data["reported_date"], data["reported_time"]),
                        location=data["location"],
                        postcode=data["postcode"],
                        risk_level=data["risk_level"],
                        summary=data["summary"],
                        details={"marac": data["marac"]},
                        people=people,
                    ),
                )
            except InvalidInput as error:
                _spread_errors(error, form, given_children, given_adults)
            else:
                messages.success(request, recorded_message(f"Incident {recorded.event.reference}", recorded))
                return redirect("sharing:submissions")
    errors = error_summary_items(form, *children, *adults)
    return render(
        request,
        "events/incident_form.html",
        {"form": form, "children": children, "adults": adults, "errors": errors},
    )


def recorded_message(what: str, recorded: RecordedEvent) -> str:
    """What the recorder is told: the organisations it may know were told, and (only) that a person it named
    was linked to a record it may not see."""
    told = len(recorded.shares_told)
    message = f"{what} recorded and shared with {told} {'organisation' if told == 1 else 'organisations'}"
    if recorded.linked_unseen:
        names = ", ".join(
            f"{given.given_name} {given.family_name}".strip() for given in recorded.linked_unseen
        )
        message += (
            f". {names}: linked to a record your organisation may not see; "
            "the agencies that hold it have been told"
        )
    return message


def _spread_errors(error: InvalidInput, form, children, adults) -> None:
    """Put each service error on the form and field it names (children.0.family_name -> child 1's field)."""
    for key, messages_ in error.errors.items():
        parts = key.split(".")
        if parts[0] in ("children", "adults") and len(parts) == 3 and parts[1].isdigit():
            group = children if parts[0] == "children" else adults
            target, field = group[int(parts[1])], parts[2]
        else:
            target, field = form, INCIDENT_FIELDS.get(key, key)
        for message in messages_:
            target.add_error(field if field in target.fields else None, message)


PERSON_EVENT_TITLES: dict[str, str] = {
    EventKind.MISSING: "Report this child missing",
    EventKind.POLICE_PROTECTION: "Record police protection",
    EventKind.REFERRAL: "Make a referral",
    EventKind.INFORMATION_SHARE: "Share information",
}


def person_event_create(request: HttpRequest, person_id: uuid.UUID, kind: str) -> HttpResponse:
    if kind not in PERSON_EVENT_TITLES:
        raise Http404("No such kind of event")
    if kind == EventKind.MISSING:
        # A missing report opens an episode: the missing children's own form (openmash.missing).
        return redirect("missing:report", person_id=person_id)
    actor = _may_record(request, kind)
    person = person_open(actor=actor, person_id=person_id).person
    form = event_forms.PersonEventForm(request.POST if request.method == "POST" else None, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recipient = data.get("recipient")
        details = {}
        if kind == EventKind.POLICE_PROTECTION:
            details = {
                "designated_officer": data["designated_officer"],
                "reasons": data["reasons"],
                "alternatives_discussed": data["alternatives_discussed"],
                "alternatives_discussed_with": data["alternatives_discussed_with"],
            }
        try:
            recorded = event_record(
                actor=actor,
                data=EventInput(
                    kind=kind,
                    occurred_at=event_forms.combine(data["occurred_date"], data["occurred_time"]),
                    reported_at=event_forms.combine(data["occurred_date"], data["occurred_time"]),
                    postcode=data["postcode"],
                    council=recipient if kind == EventKind.REFERRAL else None,
                    added_recipients=[recipient] if kind == EventKind.INFORMATION_SHARE and recipient else [],
                    summary=data["summary"],
                    details=details,
                    people=[
                        PersonInput(
                            person_id=person.pk,
                            role=SubjectRole.CHILD if person.kind != "adult" else SubjectRole.ADULT,
                        )
                    ],
                ),
            )
        except InvalidInput as error:
            add_service_errors(
                form,
                error,
                {"occurred_at": "occurred_date", "council": "recipient", "recipients": "recipient"},
            )
        else:
            messages.success(request, recorded_message(EventKind(kind).label, recorded))
            return redirect("sharing:submissions")
    context = {
        "form": form,
        "person": person,
        "title": PERSON_EVENT_TITLES[kind],
        "errors": error_summary_items(form),
    }
    return render(request, "events/person_event_form.html", context)
