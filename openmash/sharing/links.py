"""Where the work behind an event is done. A share is a notification; the meeting, visit, closure or police
protection it is about has a page of its own, and a recipient should be one click from it. The page itself
decides who may open it."""

import uuid

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse

from openmash.events.models import Event, EventKind


def _meeting(event: Event) -> str:
    for name in ("meeting", "meeting_outcome"):
        try:
            return reverse("meetings:detail", args=[getattr(event, name).pk])
        except ObjectDoesNotExist:
            continue
    try:  # moved, cancelled, or more agencies invited
        return reverse("meetings:detail", args=[event.meeting_change.meeting_id])
    except ObjectDoesNotExist:
        pass
    return reverse("meetings:detail", args=[event.evidential_interview.strategy_discussion_id])


def _closure(event: Event) -> str:
    closure_id: uuid.UUID | None
    try:
        closure_id = event.investigation_closure.pk
    except ObjectDoesNotExist:
        closure_id = event.disagreement_stage.disagreement.closure_id
    if closure_id is None:  # a disagreement about something other than a closure
        raise ObjectDoesNotExist
    return reverse("casework:closure", args=[closure_id])


def _joint_visit(event: Event) -> str:
    # The request is the visit's own event; the later steps name the visit in their details.
    visit_id = event.details.get("joint_visit") or event.joint_visit.pk
    return reverse("casework:visit", args=[visit_id])


def _philomena(event: Event) -> str:
    subject = event.subjects.first()
    if subject is None:
        raise ObjectDoesNotExist
    return reverse("philomena:profile", args=[subject.person_id])


def _episode(event: Event) -> str:
    # The missing report opens the episode, the found report closes it, the interview's findings name it.
    for name in ("missing_episode", "found_episode"):
        try:
            return reverse("missing:episode", args=[getattr(event, name).pk])
        except ObjectDoesNotExist:
            continue
    if event.kind != EventKind.RETURN_INTERVIEW or not event.details.get("missing_episode"):
        raise ObjectDoesNotExist
    return reverse("missing:episode", args=[event.details["missing_episode"]])


# kind -> (link text, how to find the page)
WORK_PAGES = {
    EventKind.STRATEGY_DISCUSSION: ("Go to the strategy discussion", _meeting),
    EventKind.CONFERENCE: ("Go to the conference", _meeting),
    EventKind.CORE_GROUP: ("Go to the core group meeting", _meeting),
    EventKind.EVIDENTIAL_INTERVIEW: ("Go to the strategy discussion", _meeting),
    EventKind.JOINT_VISIT: ("Go to the joint visit", _joint_visit),
    EventKind.POLICE_PROTECTION: (
        "Go to the police protection record",
        lambda event: reverse("casework:protection", args=[event.pk]),
    ),
    EventKind.POLICE_PROTECTION_ENDED: (
        "Go to the police protection record",
        lambda event: reverse("casework:protection", args=[event.details["police_protection"]]),
    ),
    EventKind.INVESTIGATION_CLOSURE: ("Go to the proposed closure", _closure),
    EventKind.MISSING: ("Go to the missing episode", _episode),
    EventKind.FOUND: ("Go to the missing episode", _episode),
    EventKind.RETURN_INTERVIEW: ("Go to the missing episode", _episode),
    EventKind.DISAGREEMENT: ("Go to the proposed closure and its disagreement", _closure),
    EventKind.PHILOMENA_PROFILE: ("Open the Philomena profile", _philomena),
}


def work_link(event: Event) -> tuple[str, str] | None:
    """(link text, address) of the page where the work behind this event is done, or None."""
    found = WORK_PAGES.get(EventKind(event.kind)) if event.kind in EventKind.values else None
    if found is None:
        return None
    text, page = found
    try:
        return text, page(event)
    except ObjectDoesNotExist:
        # Recorded by a step with no page of its own (a visit's confirmation, a protection's end).
        return None
