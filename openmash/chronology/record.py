"""A person's record page: who they are, why the organisation may see them, what it may record about them, their
running clocks and who has looked at the record. Drawn here, above the apps whose work it shows (people, events,
sharing, clocks, recording); its address and name stay ``people:record`` (openmash/urls.py)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import actor_for_request
from openmash.audit.selectors import audit_person_access_list
from openmash.clocks.selectors import clocks_for_person, rule_titles
from openmash.organisations.selectors import organisation_names
from openmash.people.models import PersonKind
from openmash.people.selectors import person_open
from openmash.recording.services import RECORDERS
from openmash.recording.views import PERSON_EVENT_TITLES
from openmash.sharing.selectors import share_events, visible_events


def person_record(request: HttpRequest, person_id: str) -> HttpResponse:
    actor = actor_for_request(request)
    opened = person_open(actor=actor, person_id=person_id)
    entries = audit_person_access_list(person_id=opened.person.pk)
    access_log, access_log_hidden = policy.access_log_visible(
        actor,
        entries,
        visible_event_ids={
            str(pk) for pk in visible_events(actor, about=opened.person.pk).values_list("pk", flat=True)
        },
        share_events=share_events([entry.object_id for entry in entries if entry.object_type == "share"]),
    )
    full = opened.scope == policy.RecordScope.FULL
    context = {
        "person": opened.person,
        "reason": opened.reason,
        "full_record": full,
        "scope": str(opened.scope),
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
        and policy.may_record_birth(actor, opened.reason),
        "may_correct_details": opened.person.kind != PersonKind.UNBORN
        and policy.may_correct_person_details(actor, opened.reason),
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
