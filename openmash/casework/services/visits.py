"""Joint visits with the police: requested by the council, confirmed when the force names an officer, done or
done alone (a lone visit is raised to the council's team managers)."""

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.accounts.models import Role
from openmash.audit.models import AuditAction
from openmash.casework.models import (
    JointVisit,
    PoliceNeed,
    VisitStatus,
)
from openmash.casework.services._shared import (
    answer_due,
    audit_step,
    check_instant,
    involved_agency,
    share_with_involved,
)
from openmash.events.models import EventKind
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.govuk import govuk_datetime
from openmash.people import selectors as people_selectors
from openmash.people.models import Person
from openmash.sharing.services import shares_answered


def joint_visit_request(
    *,
    actor: Actor,
    person: Person,
    planned_for: dt.datetime | None,
    police_needed_because: Sequence[str],
    purpose: str,
    address: str = "",
) -> JointVisit:
    """A council asks its police force for an officer on a visit to a child; the force is told through a share."""
    council = actor.organisation
    if council is None or not policy.may_request_joint_visit(actor):
        raise NotAllowed("Only a council's practitioners ask the police for a joint visit")
    errors: dict[str, str] = {}
    check_instant(planned_for, "planned_for", "Enter when the visit is planned", errors)
    reasons = [code for code in police_needed_because if code in PoliceNeed.values]
    if not reasons or len(reasons) != len(police_needed_because):
        errors["police_needed_because"] = "Choose why a police officer is needed"
    if not purpose.strip():
        errors["purpose"] = "Say what the visit is for"
    force = council.police_forces.order_by("name").first()
    if force is None:
        errors[""] = f"No police force is recorded as covering {council.name}"
    if people_selectors.reason_to_see(actor, person.pk) is None:
        errors["person"] = "No such person, or your organisation may not see them"
    if errors:
        raise InvalidInput(errors)
    assert planned_for is not None and force is not None
    with transaction.atomic():
        recorded = share_with_involved(
            actor=actor,
            kind=EventKind.JOINT_VISIT,
            person=person,
            recipients=[force],
            summary=f"Joint visit requested for {govuk_datetime(planned_for)}: " + purpose.strip(),
            details={"step": "requested", "police_needed_because": reasons, "address": address.strip()},
        )
        visit = JointVisit.objects.create(
            person=person,
            council=council,
            police_force=force,
            police_needed_because=reasons,
            planned_for=planned_for,
            address=address.strip(),
            purpose=purpose.strip(),
            requested_at=recorded.event.recorded_at,
            requested_by_label=actor.label,
            answer_due_at=answer_due(recorded, force),
            request_event=recorded.event,
        )
        audit_step(
            actor,
            action=AuditAction.CREATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=person,
            reason="asked the police for a joint visit",
            detail={"police_force": force.code, "because": reasons},
        )
    return visit


def joint_visit_confirm_officer(
    *, actor: Actor, visit: JointVisit, officer_name: str, officer_attends_at: dt.datetime | None
) -> JointVisit:
    """The police force names the officer who will attend and when: only that confirms the visit, and it
    answers the request (its share is acknowledged, its deadline stops)."""
    involved_agency(actor, visit.police_force, what="name the officer for a joint visit")
    errors: dict[str, str] = {}
    if visit.status == VisitStatus.DONE:
        errors[""] = "This visit has already happened"
    if not officer_name.strip():
        errors["officer_name"] = "Enter the name of the officer who will attend"
    check_instant(officer_attends_at, "officer_attends_at", "Enter when the officer will be there", errors)
    if errors:
        raise InvalidInput(errors)
    assert officer_attends_at is not None
    with transaction.atomic():
        now = timezone.now()
        updated = (
            JointVisit.objects.filter(pk=visit.pk)
            .exclude(status=VisitStatus.DONE)
            .update(
                status=VisitStatus.CONFIRMED,
                officer_name=officer_name.strip(),
                officer_attends_at=officer_attends_at,
                confirmed_at=now,
                confirmed_by_label=actor.label,
            )
        )
        if not updated:
            raise InvalidInput({"": "This visit has already happened"})
        shares_answered(
            actor=actor,
            event=visit.request_event,
            answer=f"Officer named: {officer_name.strip()}, {govuk_datetime(officer_attends_at)}",
            at=now,
        )
        share_with_involved(
            actor=actor,
            kind=EventKind.JOINT_VISIT,
            person=visit.person,
            recipients=[visit.council],
            summary=f"Officer named for the joint visit: {officer_name.strip()}, "
            f"{govuk_datetime(officer_attends_at)}",
            details={"step": "officer-named", "joint_visit": str(visit.pk)},
        )
        audit_step(
            actor,
            action=AuditAction.UPDATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=visit.person,
            reason="named the officer for a joint visit",
            detail={"officer_name": officer_name.strip(), "attends_at": officer_attends_at.isoformat()},
        )
    visit.refresh_from_db()
    return visit


def joint_visit_decline(*, actor: Actor, visit: JointVisit, reason: str) -> JointVisit:
    """The police force says it cannot send an officer, and why. That answers the request (its deadline stops)
    and tells the council at once, which then decides whether the visit goes ahead alone."""
    involved_agency(actor, visit.police_force, what="answer a joint visit request")
    errors: dict[str, str] = {}
    if visit.status != VisitStatus.REQUESTED:
        errors[""] = "This request has already been answered"
    if not reason.strip():
        errors["reason"] = "Say why the police cannot send an officer"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        now = timezone.now()
        updated = JointVisit.objects.filter(pk=visit.pk, status=VisitStatus.REQUESTED).update(
            status=VisitStatus.DECLINED,
            declined_at=now,
            declined_by_label=actor.label,
            decline_reason=reason.strip(),
        )
        if not updated:
            raise InvalidInput({"": "This request has already been answered"})
        shares_answered(
            actor=actor, event=visit.request_event, answer=f"No officer: {reason.strip()}", at=now
        )
        share_with_involved(
            actor=actor,
            kind=EventKind.JOINT_VISIT,
            person=visit.person,
            recipients=[visit.council],
            summary=f"The police cannot send an officer to the joint visit: {reason.strip()}",
            details={"step": "declined", "joint_visit": str(visit.pk)},
        )
        audit_step(
            actor,
            action=AuditAction.UPDATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=visit.person,
            reason="declined a joint visit request",
            detail={"reason": reason.strip()},
        )
    visit.refresh_from_db()
    return visit


def joint_visit_record(
    *,
    actor: Actor,
    visit: JointVisit,
    visited_at: dt.datetime | None,
    officer_present: bool | None,
    outcome: str,
    officer_name: str = "",
) -> JointVisit:
    """The council records the visit as done. Without an officer it is a lone visit: the 2016 finding (social
    workers alone, unable to remove a child) made visible, raised at once to the council's team managers."""
    involved_agency(actor, visit.council, what="record a joint visit as done")
    errors: dict[str, str] = {}
    if visit.status == VisitStatus.DONE:
        errors[""] = "This visit has already been recorded as done"
    check_instant(
        visited_at,
        "visited_at",
        "Enter when the visit happened",
        errors,
        future="When the visit happened must be in the past",
    )
    if officer_present not in (True, False):
        errors["officer_present"] = "Say whether a police officer was there"
    named = officer_name.strip() or visit.officer_name
    if officer_present is True and not named:
        errors["officer_name"] = "Enter the name of the officer who was there"
    if not outcome.strip():
        errors["outcome"] = "Say what happened on the visit"
    if errors:
        raise InvalidInput(errors)
    lone = officer_present is False
    with transaction.atomic():
        now = timezone.now()
        updated = (
            JointVisit.objects.filter(pk=visit.pk)
            .exclude(status=VisitStatus.DONE)
            .update(
                status=VisitStatus.DONE,
                visited_at=visited_at,
                officer_present=officer_present,
                officer_name=named if officer_present else visit.officer_name,
                outcome=outcome.strip(),
                recorded_at=now,
                recorded_by_label=actor.label,
                lone_visit=lone,
                escalated_at=now if lone else None,
            )
        )
        if not updated:
            raise InvalidInput({"": "This visit has already been recorded as done"})
        share_with_involved(
            actor=actor,
            kind=EventKind.JOINT_VISIT,
            person=visit.person,
            recipients=[visit.police_force],
            occurred_at=visited_at,
            summary=("Lone visit: no police officer was there. " if lone else "Joint visit done. ")
            + outcome.strip(),
            details={"step": "visit-done", "joint_visit": str(visit.pk), "lone_visit": lone},
        )
        audit_step(
            actor,
            action=AuditAction.UPDATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=visit.person,
            reason="recorded a lone visit" if lone else "recorded a joint visit as done",
            detail={"officer_present": officer_present, "escalated_to": Role.TEAM_MANAGER if lone else ""},
        )
    visit.refresh_from_db()
    return visit


def lone_visit_review(*, actor: Actor, visit: JointVisit, notes: str) -> JointVisit:
    """A team manager records what they did about a lone visit raised to them."""
    if not policy.may_review_lone_visit(actor, visit.council_id):
        raise NotAllowed("Only the council's team managers review lone visits")
    errors: dict[str, str] = {}
    if not visit.lone_visit:
        errors[""] = "This was not a lone visit"
    elif visit.reviewed_at is not None:
        errors[""] = "This lone visit has already been reviewed"
    if not notes.strip():
        errors["notes"] = "Say what you have done about the lone visit"
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        updated = JointVisit.objects.filter(pk=visit.pk, reviewed_at__isnull=True).update(
            reviewed_at=timezone.now(), reviewed_by_label=actor.label, review_notes=notes.strip()
        )
        if not updated:
            raise InvalidInput({"": "This lone visit has already been reviewed"})
        audit_step(
            actor,
            action=AuditAction.UPDATE,
            object_type="joint-visit",
            object_id=visit.pk,
            person=visit.person,
            reason="reviewed a lone visit",
        )
    visit.refresh_from_db()
    return visit
