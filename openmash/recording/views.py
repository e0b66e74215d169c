"""Recording events through the web: a police domestic abuse incident, and events about a known person."""

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.events import forms as event_forms
from openmash.events.models import EventKind, RiskLevel, SubjectRole
from openmash.lib.errors import InvalidInput
from openmash.lib.govuk import govuk_datetime
from openmash.people.selectors import person_open
from openmash.recording.services import (
    RECORDERS,
    EventInput,
    LateNotice,
    PersonInput,
    RecordedEvent,
    event_record,
    late_notices,
)
from openmash.ui.forms import add_service_errors, error_summary_items

# The incident's question pages, in order: (slug, form). Each page's answers are kept in the session's draft
# until the officer confirms on "check your answers"; nothing is recorded before then.
INCIDENT_STEPS: list[tuple[str, type[forms.Form]]] = [
    ("when", event_forms.IncidentWhenForm),
    ("where", event_forms.IncidentWhereForm),
    ("risk", event_forms.IncidentRiskForm),
    ("what", event_forms.IncidentSummaryForm),
]
DRAFT = "incident-draft"
MAX_PEOPLE = 20
# Service error keys that belong to an incident page, and the field on it.
STEP_OF_ERROR = {
    "police_reference": ("when", "police_reference"),
    "occurred_at": ("when", "occurred_date"),
    "reported_at": ("when", "reported_date"),
    "location": ("where", "location"),
    "postcode": ("where", "postcode"),
    "council": ("where", "postcode"),
    "risk_level": ("risk", "risk_level"),
    "summary": ("what", "summary"),
}
PERSON_FORMS = {"children": event_forms.ChildForm, "adults": event_forms.AdultForm}
PERSON_WORDS = {"children": "child", "adults": "adult"}


def _may_record(request: HttpRequest, kind: str):
    actor = actor_for_request(request)
    allowed = RECORDERS.get(kind)
    if actor.organisation is None or not policy.works_cases(actor):
        raise Http404("Not available to this role")
    if allowed is not None and actor.organisation.kind not in allowed:
        raise Http404("Not available to this organisation")
    return actor


def _draft(request: HttpRequest) -> dict[str, Any]:
    """The incident being recorded: each page's answers as typed, and the children and adults added."""
    draft = request.session.get(DRAFT)
    if not isinstance(draft, dict):
        draft = {"steps": {}, "children": [], "adults": []}
    return draft


def _save_draft(request: HttpRequest, draft: dict[str, Any]) -> None:
    request.session[DRAFT] = draft
    request.session.modified = True


def _answers(posted: QueryDict, prefix: str = "") -> dict[str, str]:
    """A page's answers as typed (strings), without the form's prefix, for the session."""
    skip = {"csrfmiddlewaretoken", "submit"}
    return {key.removeprefix(prefix): str(value) for key, value in posted.items() if key not in skip}


def _step_form(slug: str, answers: dict[str, str] | None) -> forms.Form:
    form_class = dict(INCIDENT_STEPS)[slug]
    return form_class(answers) if answers is not None else form_class()


def _person_form(
    group: str, number: int, answers: dict[str, str] | None, draft: dict[str, Any] | None = None
) -> forms.Form:
    """A child's or adult's form; an adult's asks what they are to each child of the ``draft``."""
    prefix = f"{PERSON_WORDS[group]}{number}"
    data = {f"{prefix}-{key}": value for key, value in answers.items()} if answers is not None else None
    if group == "adults":
        return event_forms.AdultForm(data, prefix=prefix, number=number, children=_child_names(draft))
    return PERSON_FORMS[group](data, prefix=prefix, number=number)


def _child_names(draft: dict[str, Any] | None) -> list[str]:
    return [
        f"{child.get('given_name', '')} {child.get('family_name', '')}".strip() or f"child {number}"
        for number, child in enumerate((draft or {}).get("children", []), start=1)
    ]


def _next_after(slug: str, change: bool) -> str:
    if change:
        return reverse("events:incident-check")
    slugs = [name for name, _form in INCIDENT_STEPS]
    index = slugs.index(slug)
    if index + 1 < len(slugs):
        return reverse("events:incident-step", args=[slugs[index + 1]])
    return reverse("events:incident-people", args=["children"])


def _back_from(slug: str) -> str:
    slugs = [name for name, _form in INCIDENT_STEPS]
    index = slugs.index(slug)
    return reverse("events:incident-step", args=[slugs[index - 1]]) if index else reverse("web:home")


def incident_create(request: HttpRequest) -> HttpResponse:
    """Start recording an incident: the first question page (a draft in progress carries on)."""
    return incident_step(request, INCIDENT_STEPS[0][0])


def incident_step(request: HttpRequest, step: str) -> HttpResponse:
    """One question page of the incident: its answers are checked, kept in the draft, and the next page shown."""
    _may_record(request, EventKind.DOMESTIC_ABUSE)
    if step not in dict(INCIDENT_STEPS):
        raise Http404("No such page")
    draft = _draft(request)
    change = request.GET.get("change") == "1"
    if request.method == "POST":
        form = _step_form(step, _answers(request.POST))
        if form.is_valid():
            draft["steps"][step] = _answers(request.POST)
            _save_draft(request, draft)
            return redirect(_next_after(step, change))
    else:
        saved = draft["steps"].get(step)
        form = _step_form(step, saved) if saved is not None else _step_form(step, None)
        if saved is not None:
            form.full_clean()  # shows the answers given before, with any problem they now have
    context = {
        "form": form,
        "title": form.title,  # type: ignore[attr-defined]
        "back": reverse("events:incident-check") if change else _back_from(step),
        "errors": error_summary_items(form) if form.is_bound and request.method == "POST" else [],
        "first": step == INCIDENT_STEPS[0][0],
    }
    return render(request, "events/incident_step.html", context)


def incident_people(request: HttpRequest, group: str) -> HttpResponse:
    """The children (or adults) added so far, and whether there is another to add (GOV.UK "add another")."""
    _may_record(request, EventKind.DOMESTIC_ABUSE)
    if group not in PERSON_FORMS:
        raise Http404("No such page")
    draft = _draft(request)
    people = draft[group]
    word = PERSON_WORDS[group]
    if group == "children" and not people and request.method == "GET":
        return redirect("events:incident-person", group=group, number=1)
    question = f"Do you need to add another {word}?" if people else f"Do you need to add an {word}?"
    form = event_forms.AddAnotherForm(
        request.POST if request.method == "POST" else None,
        question=question,
        required_message=f"Say whether you need to add {'another' if people else 'an'} {word}",
    )
    if form.is_bound and form.is_valid():
        if form.cleaned_data["add_another"]:
            if len(people) >= MAX_PEOPLE:
                form.add_error("add_another", f"You can add at most {MAX_PEOPLE} people of each kind")
            else:
                return redirect("events:incident-person", group=group, number=len(people) + 1)
        elif group == "children":
            if not people:
                form.add_error(
                    "add_another", "Add at least one child who was present or normally lives there"
                )
            else:
                return redirect("events:incident-people", group="adults")
        else:
            return redirect("events:incident-check")
    listed = [_person_form(group, n, answers, draft) for n, answers in enumerate(people, start=1)]
    for person in listed:
        person.is_valid()
    context = {
        "group": group,
        "word": word,
        "people": listed,
        "form": form,
        "errors": error_summary_items(form) if form.is_bound else [],
        "back": reverse("events:incident-step", args=[INCIDENT_STEPS[-1][0]])
        if group == "children"
        else reverse("events:incident-people", args=["children"]),
    }
    return render(request, "events/incident_people.html", context)


def incident_person(request: HttpRequest, group: str, number: int) -> HttpResponse:
    """Add (or change) one child or adult."""
    _may_record(request, EventKind.DOMESTIC_ABUSE)
    if group not in PERSON_FORMS:
        raise Http404("No such page")
    draft = _draft(request)
    people = draft[group]
    if not 1 <= number <= min(len(people) + 1, MAX_PEOPLE):
        raise Http404("No such person")
    change = request.GET.get("change") == "1"
    word = PERSON_WORDS[group]
    prefix = f"{word}{number}-"
    if request.method == "POST":
        form = _person_form(group, number, _answers(request.POST, prefix), draft)
        if form.is_valid():
            answers = _answers(request.POST, prefix)
            if number <= len(people):
                people[number - 1] = answers
            else:
                people.append(answers)
            _save_draft(request, draft)
            if change:
                return redirect("events:incident-check")
            return redirect("events:incident-people", group=group)
    else:
        saved = people[number - 1] if number <= len(people) else None
        form = _person_form(group, number, saved, draft)
        if saved is not None:
            form.full_clean()
    context = {
        "form": form,
        "title": f"{word.capitalize()} {number}",
        "group": group,
        "back": reverse("events:incident-check")
        if change
        else (
            reverse("events:incident-people", args=[group])
            if people
            else reverse("events:incident-step", args=[INCIDENT_STEPS[-1][0]])
        ),
        "errors": error_summary_items(form) if request.method == "POST" else [],
    }
    return render(request, "events/incident_person.html", context)


@require_POST
def incident_person_remove(request: HttpRequest, group: str, number: int) -> HttpResponse:
    _may_record(request, EventKind.DOMESTIC_ABUSE)
    if group not in PERSON_FORMS:
        raise Http404("No such page")
    draft = _draft(request)
    if not 1 <= number <= len(draft[group]):
        raise Http404("No such person")
    removed = draft[group].pop(number - 1)
    if group == "children":
        # Each adult's answers name children by their place: the children after the one removed move up.
        for adult in draft["adults"]:
            _child_removed(adult, number, len(draft["children"]) + 1)
    _save_draft(request, draft)
    messages.success(
        request, f"{removed.get('given_name', '')} {removed.get('family_name', '')} removed".strip()
    )
    return redirect("events:incident-people", group=group)


def _child_removed(adult: dict[str, str], number: int, children: int) -> None:
    """An adult's answers after child ``number`` (of ``children``) is removed."""
    adult.pop(event_forms.relationship_field(number), None)
    for place in range(number + 1, children + 1):
        answer = adult.pop(event_forms.relationship_field(place), None)
        if answer is not None:
            adult[event_forms.relationship_field(place - 1)] = answer


def _child_input(data: dict[str, Any]) -> PersonInput:
    return PersonInput(
        role=SubjectRole.CHILD,
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
        nhs_number=data["nhs_number"].strip(),
        details={
            "present": data["present"],
            "saw_heard": data["saw_heard"],
            "child_words": data["child_words"],
            "school_urn": data["school_urn"].strip(),
        },
    )


def _adult_input(form: event_forms.AdultForm) -> PersonInput:
    data = form.cleaned_data
    return PersonInput(
        role=SubjectRole.ADULT,
        given_name=data["given_name"],
        family_name=data["family_name"],
        date_of_birth=data["date_of_birth"],
        details={
            "harm_role": data["harm_role"],
            # The service names a child by their place among the incident's children, from 0.
            "relationships": [
                {"child": place - 1, "relationship": kind} for place, kind in form.relationships()
            ],
        },
    )


def _incident_input(
    steps: dict[str, forms.Form], children: list, adults: list, late_reason: str = ""
) -> EventInput:
    when, where, risk, what = (steps[slug].cleaned_data for slug, _form in INCIDENT_STEPS)
    return EventInput(
        kind=EventKind.DOMESTIC_ABUSE,
        reference=when["police_reference"],
        occurred_at=event_forms.combine(when["occurred_date"], when["occurred_time"]),
        reported_at=event_forms.combine(when["reported_date"], when["reported_time"]),
        location=where["location"],
        postcode=where["postcode"],
        risk_level=risk["risk_level"],
        summary=what["summary"],
        details={"marac": risk["marac"]},
        people=[_child_input(c.cleaned_data) for c in children] + [_adult_input(a) for a in adults],  # type: ignore[arg-type]
        # Asked on check your answers when the council (or a school) will be told late.
        late_reason=late_reason,
    )


def _check_problems(error: InvalidInput, children: int) -> list[tuple[str, str]]:
    """The service's errors as error-summary links to the page (and field) where each can be put right."""
    items = []
    for key, messages_ in error.errors.items():
        parts = key.split(".")
        if parts[:1] == ["adults"] and len(parts) > 3 and parts[1].isdigit() and parts[2] == "relationships":
            # What an adult is to the children: the questions on the adult's page.
            number = int(parts[1]) - children + 1
            url = reverse("events:incident-person", args=["adults", number])
            target, label = f"{url}?change=1", f"Adult {number}: "
        elif parts[0] in ("children", "adults") and len(parts) == 3 and parts[1].isdigit():
            # The service numbers everyone in one list, children first.
            index = int(parts[1]) - (children if parts[0] == "adults" else 0)
            group, word = parts[0], PERSON_WORDS[parts[0]]
            url = reverse("events:incident-person", args=[group, index + 1])
            target = f"{url}?change=1#id_{word}{index + 1}-{parts[2]}"
            label = f"{word.capitalize()} {index + 1}: "
        elif key == "late_reason":
            target, label = "#id_late_reason", ""  # on check your answers itself
        elif key in STEP_OF_ERROR:
            step, field = STEP_OF_ERROR[key]
            target = f"{reverse('events:incident-step', args=[step])}?change=1#id_{field}"
            label = ""
        else:
            target, label = reverse("events:incident-people", args=["children"]), ""
        items += [(target, f"{label}{message}") for message in messages_]
    return items


def _check_rows(steps: dict[str, forms.Form]) -> list[tuple[str, str, str, str]]:
    """The incident's answers for "check your answers": (question, answer, page to change it, what it is)."""
    when, where, risk, what = (steps[slug].cleaned_data for slug, _form in INCIDENT_STEPS)

    def at(day: Any, time: Any) -> str:
        return govuk_datetime(event_forms.combine(day, time)) if day and time else "Not given"

    def page(slug: str) -> str:
        return reverse("events:incident-step", args=[slug])

    return [
        ("Police reference", when["police_reference"], page("when"), "the police reference"),
        (
            "When it happened",
            at(when["occurred_date"], when["occurred_time"]),
            page("when"),
            "when it happened",
        ),
        (
            "When police were told",
            at(when["reported_date"], when["reported_time"]),
            page("when"),
            "when police were told",
        ),
        ("Where it happened", where["location"] or "Not given", page("where"), "where it happened"),
        ("Postcode", where["postcode"], page("where"), "the postcode"),
        ("Risk level (DASH)", RiskLevel(risk["risk_level"]).label, page("risk"), "the risk level"),
        (
            "Referred to MARAC",
            "Yes" if risk["marac"] else "No",
            page("risk"),
            "whether it was referred to MARAC",
        ),
        ("What happened", what["summary"], page("what"), "what happened"),
    ]


def incident_check(request: HttpRequest) -> HttpResponse:
    """Check your answers, then record and share: the one moment the incident is written."""
    actor = _may_record(request, EventKind.DOMESTIC_ABUSE)
    draft = _draft(request)
    steps = {}
    for slug, _form in INCIDENT_STEPS:
        saved = draft["steps"].get(slug)
        form = _step_form(slug, saved) if saved is not None else None
        if form is None or not form.is_valid():
            return redirect("events:incident-step", step=slug)  # a page not yet answered (or no longer valid)
        steps[slug] = form
    children = [_person_form("children", n, a) for n, a in enumerate(draft["children"], start=1)]
    adults = [_person_form("adults", n, a, draft) for n, a in enumerate(draft["adults"], start=1)]
    for group, listed in (("children", children), ("adults", adults)):
        for number, person in enumerate(listed, start=1):
            if not person.is_valid():
                return redirect("events:incident-person", group=group, number=number)
    if not children:
        return redirect("events:incident-people", group="children")
    posted = request.POST if request.method == "POST" else None
    late_reason = posted.get("late_reason", "") if posted is not None else ""
    data = _incident_input(steps, children, adults, late_reason)
    problems: list[tuple[str, str]] = []
    late: list[LateNotice] = []
    try:
        if posted is not None:
            recorded = event_record(actor=actor, data=data)
        else:
            # Writes nothing: shows now what confirming would refuse, and whether it would be late.
            late = late_notices(actor=actor, data=data)
    except InvalidInput as error:
        problems = _check_problems(error, len(children))
        if "late_reason" in error.errors:
            late = late_notices(actor=actor, data=data)
    else:
        if posted is not None:
            request.session.pop(DRAFT, None)
            messages.success(request, recorded_message(f"Incident {recorded.event.reference}", recorded))
            return redirect("sharing:submissions")
    context = {
        "rows": _check_rows(steps),
        "children": children,
        "adults": adults,
        "errors": problems,
        "late_form": _late_form(late, posted, problems),
        "back": reverse("events:incident-people", args=["adults"]),
    }
    return render(request, "events/incident_check.html", context)


def _late_form(
    late: list[LateNotice], posted: QueryDict | None, problems: list[tuple[str, str]]
) -> forms.Form | None:
    """The question why it is shared late, only when it will be: the first recipient told late, and by when."""
    if not late:
        return None
    form = event_forms.LateReasonForm(
        posted,
        hint=f"{late[0].recipient.name} had to be told by {govuk_datetime(late[0].due_at)}. "
        "Your organisation's managers see this reason with the late notice.",
    )
    if posted is not None:
        form.is_valid()
        for target, message in problems:
            if target == "#id_late_reason":
                form.add_error("late_reason", message)
    return form


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
