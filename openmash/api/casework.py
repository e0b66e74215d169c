"""API for joint casework between a council and its police force: joint visits, police protection's
follow-through, investigation closures and professional disagreements.

The same selectors and services as the web pages (casework.selectors, casework.services), so the same policy
checks (access.policy, through them), the same audit entries and the same shares and deadlines. A record that
does not exist and one the calling organisation is not involved in both answer 404; a step the organisation
may see but not take (a force asking itself for a joint visit, an API client recording a managers' stage of a
disagreement) answers 403. Every POST takes an Idempotency-Key: a retry gets the first answer and records
nothing twice.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from openmash.accounts.actors import Actor
from openmash.api.auth import request_actor
from openmash.api.idempotency import idempotent
from openmash.api.inputs import Input, Instant, column
from openmash.api.openapi import IDEMPOTENCY_KEY
from openmash.api.sharing import ProblemOut
from openmash.api.sharing import router as sharing_router
from openmash.casework import selectors, services
from openmash.casework.models import (
    Disagreement,
    DisagreementStage,
    InvestigationClosure,
    JointVisit,
    PoliceNeed,
    ProtectionEnd,
    Resolution,
    StageOutcome,
)
from openmash.lib.errors import InvalidInput
from openmash.people.models import Person

router = Router(tags=["casework"])

ERRORS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut, 503: ProblemOut}
ONCE = {"parameters": [IDEMPOTENCY_KEY]}


# Answers ---------------------------------------------------------------------------------------------------


class AnswerOut(Schema):
    """Where a step waiting for the other agency's answer stands; the answer is due by ``due_at``, and an
    unanswered one is escalated like every share (to the agency's team managers, then the partnership)."""

    due_at: dt.datetime | None
    answered_at: dt.datetime | None
    overdue: bool
    escalated_at: dt.datetime | None
    escalated_to: str


def _answer(answer: selectors.AwaitedAnswer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {
        "due_at": answer.due_at,
        "answered_at": answer.answered_at,
        "overdue": answer.overdue,
        "escalated_at": answer.escalated_at,
        "escalated_to": answer.escalated_to,
    }


def _once(
    request: HttpRequest, payload: Schema, run: Callable[[Actor], dict[str, Any]], status: int = 200
) -> HttpResponse | Status:
    """Run a step once per Idempotency-Key, the answer kept in the step's own transaction (api.idempotency):
    a retry with the same key and body gets the first answer; the same key with another body is a 422."""
    actor = request_actor(request)
    return idempotent(request, actor, payload, lambda: run(actor), status)


def _field_names(error: InvalidInput, names: dict[str, str]) -> InvalidInput:
    """The service's field names as the API's input calls them (``person`` is ``person_id`` here)."""
    return InvalidInput({names.get(field, field): messages for field, messages in error.errors.items()})


def _person(person_id: uuid.UUID) -> Person:
    """The person a new step is about; the service checks the organisation may see them. One that does not
    exist is refused with the same words as one it may not see."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise InvalidInput({"person_id": "No such person, or your organisation may not see them"})
    return person


# Joint visits ----------------------------------------------------------------------------------------------


class JointVisitIn(Input):
    person_id: uuid.UUID
    planned_for: Instant
    police_needed_because: list[Literal["risk", "evidential", "removal"]] = Field(
        min_length=1, description="Why an officer is needed: risk, evidential, removal (one or more)"
    )
    purpose: str = Field(min_length=1)
    address: str = column(JointVisit, "address", "")


class OfficerIn(Input):
    officer_name: str = column(JointVisit, "officer_name")
    officer_attends_at: Instant


class DeclineIn(Input):
    reason: str = Field(min_length=1, description="Why the police cannot send an officer")


class VisitDoneIn(Input):
    visited_at: Instant
    officer_present: bool
    outcome: str = Field(min_length=1)
    officer_name: str = column(JointVisit, "officer_name", "")


class JointVisitOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    council: str
    police_force: str
    police_needed_because: list[str]
    planned_for: dt.datetime
    address: str
    purpose: str
    status: str
    requested_at: dt.datetime
    police_answer: AnswerOut | None
    officer_name: str
    officer_attends_at: dt.datetime | None
    declined_at: dt.datetime | None
    decline_reason: str
    visited_at: dt.datetime | None
    officer_present: bool | None
    outcome: str
    lone_visit: bool
    reviewed_at: dt.datetime | None


def _visit_out(visit: JointVisit) -> dict[str, Any]:
    return JointVisitOut.model_validate(
        {
            "id": visit.pk,
            "person_id": visit.person_id,
            "council": visit.council.code,
            "police_force": visit.police_force.code,
            "police_needed_because": visit.police_needed_because,
            "planned_for": visit.planned_for,
            "address": visit.address,
            "purpose": visit.purpose,
            "status": visit.status,
            "requested_at": visit.requested_at,
            "police_answer": _answer(selectors.awaited_answer(visit.request_event)),
            "officer_name": visit.officer_name,
            "officer_attends_at": visit.officer_attends_at,
            "declined_at": visit.declined_at,
            "decline_reason": visit.decline_reason,
            "visited_at": visit.visited_at,
            "officer_present": visit.officer_present,
            "outcome": visit.outcome,
            "lone_visit": visit.lone_visit,
            "reviewed_at": visit.reviewed_at,
        }
    ).model_dump(mode="json")


@router.get("/joint-visits", response={200: list[JointVisitOut], 401: ProblemOut})
def joint_visit_list(request: HttpRequest):
    """Joint visits your organisation asked for (a council) or was asked to attend (a police force), latest
    first, each with when the police's answer is due and whether it is overdue or was escalated."""
    return [_visit_out(visit) for visit in selectors.joint_visit_list(actor=request_actor(request))]


@router.get("/joint-visits/{visit_id}", response={200: JointVisitOut, **ERRORS})
def joint_visit_read(request: HttpRequest, visit_id: str):
    """One joint visit. The read is recorded in the audit trail."""
    return _visit_out(selectors.joint_visit_open(actor=request_actor(request), visit_id=visit_id))


@router.post("/joint-visits", response={201: JointVisitOut, **ERRORS}, openapi_extra=ONCE)
def joint_visit_request(request: HttpRequest, payload: JointVisitIn):
    """A council asks its police force for an officer on a visit to a child. Shared with the force at once;
    its answer (an officer named, or none available) is due within the joint-visit-answer clock."""

    def run(actor: Actor) -> dict[str, Any]:
        try:
            visit = services.joint_visit_request(
                actor=actor,
                person=_person(payload.person_id),
                planned_for=payload.planned_for,
                police_needed_because=[PoliceNeed(need) for need in payload.police_needed_because],
                purpose=payload.purpose,
                address=payload.address,
            )
        except InvalidInput as error:
            raise _field_names(error, {"person": "person_id"}) from error
        return _visit_out(selectors.joint_visit_open(actor=actor, visit_id=visit.pk))

    return _once(request, payload, run, status=201)


def _visit_step(request: HttpRequest, payload: Schema, visit_id: str, step: Callable[..., JointVisit]):
    def run(actor: Actor) -> dict[str, Any]:
        visit = selectors.joint_visit_open(actor=actor, visit_id=visit_id)
        step(actor, visit)
        return _visit_out(selectors.joint_visit_open(actor=actor, visit_id=visit.pk))

    return _once(request, payload, run)


@router.post("/joint-visits/{visit_id}/officer", response={200: JointVisitOut, **ERRORS}, openapi_extra=ONCE)
def joint_visit_officer(request: HttpRequest, visit_id: str, payload: OfficerIn):
    """The police force names the officer who will attend and when: that confirms the visit and answers the
    request. Only the force asked (403 for the council)."""
    return _visit_step(
        request,
        payload,
        visit_id,
        lambda actor, visit: services.joint_visit_confirm_officer(
            actor=actor,
            visit=visit,
            officer_name=payload.officer_name,
            officer_attends_at=payload.officer_attends_at,
        ),
    )


@router.post("/joint-visits/{visit_id}/decline", response={200: JointVisitOut, **ERRORS}, openapi_extra=ONCE)
def joint_visit_decline(request: HttpRequest, visit_id: str, payload: DeclineIn):
    """The police force says it cannot send an officer, and why: that answers the request and tells the
    council, which decides whether to go alone. Only while the request waits for an answer (422 after)."""
    return _visit_step(
        request,
        payload,
        visit_id,
        lambda actor, visit: services.joint_visit_decline(actor=actor, visit=visit, reason=payload.reason),
    )


@router.post(
    "/joint-visits/{visit_id}/visit-done", response={200: JointVisitOut, **ERRORS}, openapi_extra=ONCE
)
def joint_visit_done(request: HttpRequest, visit_id: str, payload: VisitDoneIn):
    """The council records the visit as done. Without an officer it is a lone visit, raised at once to the
    council's team managers. Only the council (403 for the force)."""
    return _visit_step(
        request,
        payload,
        visit_id,
        lambda actor, visit: services.joint_visit_record(
            actor=actor,
            visit=visit,
            visited_at=payload.visited_at,
            officer_present=payload.officer_present,
            outcome=payload.outcome,
            officer_name=payload.officer_name,
        ),
    )


# Police protection's follow-through ------------------------------------------------------------------------


class ProtectionEndIn(Input):
    ended_at: Instant
    how: Literal["released", "returned-home", "epo", "placed-by-council"]
    notes: str = ""
    delay_reason: str = Field("", description="Needed when the end is past the 72-hour maximum")


class ProtectionOut(Schema):
    event_id: uuid.UUID
    reference: str
    police_force: str
    children: list[uuid.UUID]
    taken_at: dt.datetime
    due_at: dt.datetime = Field(description="The 72-hour maximum (Children Act 1989 s46(6))")
    alternatives_discussed: bool
    ended_at: dt.datetime | None
    how: str
    delay_reason: str
    over_72_hours: bool


def _protection_out(protection: selectors.Protection) -> dict[str, Any]:
    event, end = protection.event, protection.end
    return ProtectionOut.model_validate(
        {
            "event_id": event.pk,
            "reference": event.reference,
            "police_force": event.recorded_by.code,
            "children": [subject.person_id for subject in event.subjects.all()],
            "taken_at": event.occurred_at,
            "due_at": protection.due_at,
            "alternatives_discussed": protection.alternatives_discussed,
            "ended_at": end.ended_at if end is not None else None,
            "how": end.how if end is not None else "",
            "delay_reason": end.delay_reason if end is not None else "",
            "over_72_hours": protection.over_72_hours,
        }
    ).model_dump(mode="json")


# GET /police-protection shares its path with recording one (POST, in api.sharing): one path is one route,
# so the list is added to that router's path rather than to this one.
@sharing_router.get(
    "/police-protection", response={200: list[ProtectionOut], 401: ProblemOut}, tags=["casework"]
)
def police_protection_list(request: HttpRequest):
    """Uses of police protection your organisation recorded or was told of, latest first, with the 72-hour
    maximum and when (and how) each ended."""
    return [_protection_out(item) for item in selectors.police_protection_list(actor=request_actor(request))]


@router.get("/police-protection/{event_id}", response={200: ProtectionOut, **ERRORS})
def police_protection_read(request: HttpRequest, event_id: str):
    """One use of police protection. The read is recorded in the audit trail."""
    return _protection_out(selectors.police_protection_open(actor=request_actor(request), event_id=event_id))


@router.post("/police-protection/{event_id}/end", response={200: ProtectionOut, **ERRORS}, openapi_extra=ONCE)
def police_protection_end(request: HttpRequest, event_id: str, payload: ProtectionEndIn):
    """Record when and how the child left police protection: it stops the 72-hour clock and tells everyone
    told of the notice. Past 72 hours, give delay_reason (422 without it)."""

    def run(actor: Actor) -> dict[str, Any]:
        protection = selectors.police_protection_open(actor=actor, event_id=event_id)
        try:
            services.police_protection_end(
                actor=actor,
                event=protection.event,
                ended_at=payload.ended_at,
                how=ProtectionEnd(payload.how),
                notes=payload.notes,
                delay_reason=payload.delay_reason,
            )
        except InvalidInput as error:
            raise _field_names(error, {"breach_reason": "delay_reason"}) from error
        return _protection_out(selectors.police_protection_open(actor=actor, event_id=event_id))

    return _once(request, payload, run)


# Investigation closures ------------------------------------------------------------------------------------


class ClosureIn(Input):
    person_id: uuid.UUID
    police_reference: str = column(InvestigationClosure, "police_reference")
    reasons: str = Field(min_length=1)
    under_s47_enquiry: bool
    injuries_recorded: bool
    share_anyway: bool = Field(
        False, description="Share a closure that does not need the council's agreement"
    )


class ClosureAnswerIn(Input):
    response: Literal["agree", "dispute"]
    reasons: str = Field(min_length=1)


class ClosureOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    police_force: str
    council: str | None
    police_reference: str
    reasons: str
    grounds: list[str]
    needs_agreement: bool
    status: str
    proposed_at: dt.datetime
    council_answer: AnswerOut | None
    responded_at: dt.datetime | None
    response_reasons: str
    closed_at: dt.datetime | None
    disagreement_id: uuid.UUID | None


def _closure_out(closure: InvestigationClosure) -> dict[str, Any]:
    disagreement = Disagreement.objects.filter(closure=closure).values_list("pk", flat=True).first()
    return ClosureOut.model_validate(
        {
            "id": closure.pk,
            "person_id": closure.person_id,
            "police_force": closure.police_force.code,
            "council": closure.council.code if closure.council is not None else None,
            "police_reference": closure.police_reference,
            "reasons": closure.reasons,
            "grounds": closure.grounds(),
            "needs_agreement": closure.needs_agreement,
            "status": closure.status,
            "proposed_at": closure.proposed_at,
            "council_answer": _answer(selectors.awaited_answer(closure.event))
            if closure.needs_agreement
            else None,
            "responded_at": closure.responded_at,
            "response_reasons": closure.response_reasons,
            "closed_at": closure.closed_at,
            "disagreement_id": disagreement,
        }
    ).model_dump(mode="json")


@router.get("/investigation-closures", response={200: list[ClosureOut], 401: ProblemOut})
def closure_list(request: HttpRequest):
    """Investigation closures your force proposed or your council was asked to agree, latest first."""
    return [
        _closure_out(closure)
        for closure in selectors.investigation_closure_list(actor=request_actor(request))
    ]


@router.get("/investigation-closures/{closure_id}", response={200: ClosureOut, **ERRORS})
def closure_read(request: HttpRequest, closure_id: str):
    """One investigation closure. The read is recorded in the audit trail."""
    return _closure_out(
        selectors.investigation_closure_open(actor=request_actor(request), closure_id=closure_id).closure
    )


@router.post("/investigation-closures", response={201: ClosureOut, **ERRORS}, openapi_extra=ONCE)
def closure_propose(request: HttpRequest, payload: ClosureIn):
    """A police force closes an investigation about a child. About a child on a protection plan, under s47
    enquiries or with recorded injuries, it is only proposed: shared with the council, whose answer is due
    within the closure-answer clock; it never takes effect on silence. Only a police force (403 otherwise)."""

    def run(actor: Actor) -> dict[str, Any]:
        try:
            closure = services.investigation_closure_propose(
                actor=actor,
                person=_person(payload.person_id),
                police_reference=payload.police_reference,
                reasons=payload.reasons,
                under_s47_enquiry=payload.under_s47_enquiry,
                injuries_recorded=payload.injuries_recorded,
                share_anyway=payload.share_anyway,
            )
        except InvalidInput as error:
            raise _field_names(error, {"person": "person_id"}) from error
        return _closure_out(selectors.investigation_closure_open(actor=actor, closure_id=closure.pk).closure)

    return _once(request, payload, run, status=201)


@router.post(
    "/investigation-closures/{closure_id}/answer", response={200: ClosureOut, **ERRORS}, openapi_extra=ONCE
)
def closure_answer(request: HttpRequest, closure_id: str, payload: ClosureAnswerIn):
    """The council agrees (the closure takes effect) or disputes it (a professional disagreement opens at stage
    1, shared with the force). Only the council asked (403 for the force); 422 once answered."""

    def run(actor: Actor) -> dict[str, Any]:
        closure = selectors.investigation_closure_open(actor=actor, closure_id=closure_id).closure
        services.investigation_closure_respond(
            actor=actor, closure=closure, response=payload.response, reasons=payload.reasons
        )
        return _closure_out(selectors.investigation_closure_open(actor=actor, closure_id=closure.pk).closure)

    return _once(request, payload, run)


# Professional disagreements --------------------------------------------------------------------------------


class StageIn(Input):
    outcome: Literal["resolved", "escalated"]
    notes: str = Field(min_length=1)
    resolution: Literal["", "investigation-continues", "closure-agreed"] = Field(
        "", description="For a disagreement about a closure, resolved: whether the investigation continues"
    )
    delay_reason: str = Field("", description="Needed when the stage is answered after its due time")


class StageOut(Schema):
    level: int
    title: str
    started_at: dt.datetime
    due_at: dt.datetime
    answer: AnswerOut | None
    outcome: str
    outcome_notes: str
    outcome_at: dt.datetime | None
    delay_reason: str


class DisagreementOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    raised_by: str
    raised_with: str
    closure_id: uuid.UUID | None
    about: str
    raised_at: dt.datetime
    stage: int
    status: str
    resolution: str
    resolved_at: dt.datetime | None
    stages: list[StageOut]


def _stage_out(stage: DisagreementStage) -> dict[str, Any]:
    return {
        "level": stage.level,
        "title": stage.get_level_display(),
        "started_at": stage.started_at,
        "due_at": stage.due_at,
        "answer": _answer(selectors.awaited_answer(stage.event)),
        "outcome": stage.outcome,
        "outcome_notes": stage.outcome_notes,
        "outcome_at": stage.outcome_at,
        "delay_reason": stage.delay_reason,
    }


def _disagreement_out(disagreement: Disagreement) -> dict[str, Any]:
    return DisagreementOut.model_validate(
        {
            "id": disagreement.pk,
            "person_id": disagreement.person_id,
            "raised_by": disagreement.raised_by.code,
            "raised_with": disagreement.raised_with.code,
            "closure_id": disagreement.closure_id,
            "about": disagreement.about,
            "raised_at": disagreement.raised_at,
            "stage": disagreement.stage,
            "status": disagreement.status,
            "resolution": disagreement.resolution,
            "resolved_at": disagreement.resolved_at,
            "stages": [_stage_out(stage) for stage in disagreement.stages.all()],
        }
    ).model_dump(mode="json")


@router.get("/disagreements", response={200: list[DisagreementOut], 401: ProblemOut})
def disagreement_list(request: HttpRequest):
    """Professional disagreements your organisation is a party to, latest first, each stage with when its
    answer is due and whether it is overdue or was escalated. One opens when a council disputes a closure."""
    return [_disagreement_out(item) for item in selectors.disagreement_list(actor=request_actor(request))]


@router.get("/disagreements/{disagreement_id}", response={200: DisagreementOut, **ERRORS})
def disagreement_read(request: HttpRequest, disagreement_id: str):
    """One professional disagreement with its stages. The read is recorded in the audit trail."""
    return _disagreement_out(
        selectors.disagreement_open(actor=request_actor(request), disagreement_id=disagreement_id)
    )


@router.post(
    "/disagreements/{disagreement_id}/stages", response={200: DisagreementOut, **ERRORS}, openapi_extra=ONCE
)
def disagreement_stage(request: HttpRequest, disagreement_id: str, payload: StageIn):
    """Record the outcome of the current stage: resolved, or escalated to the next (which opens with its own
    deadline). Stage 1 is the practitioners'; from stage 2 only managers record it, so an API client is
    refused (403) there. Past the stage's due time, give delay_reason (422 without it)."""

    def run(actor: Actor) -> dict[str, Any]:
        disagreement = selectors.disagreement_open(actor=actor, disagreement_id=disagreement_id)
        try:
            services.disagreement_stage_record(
                actor=actor,
                disagreement=disagreement,
                outcome=StageOutcome(payload.outcome),
                notes=payload.notes,
                resolution=Resolution(payload.resolution) if payload.resolution else "",
                delay_reason=payload.delay_reason,
            )
        except InvalidInput as error:
            raise _field_names(error, {"breach_reason": "delay_reason"}) from error
        return _disagreement_out(selectors.disagreement_open(actor=actor, disagreement_id=disagreement.pk))

    return _once(request, payload, run)
