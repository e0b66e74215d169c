"""API for multi-agency meetings: a council's system convenes, moves, cancels, invites more agencies to and
records the outcome of its meetings; an invited agency's system reads them and sends its report. The same
services as the web pages; thin translation here.

Every POST takes an Idempotency-Key (a retry gets the first answer and changes nothing twice). A meeting that
does not exist and one your organisation neither convened nor is invited to both answer 404; an invited agency
may read a meeting but not change it (403).
"""

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.responses import Status

from openmash.accounts.actors import Actor
from openmash.api.auth import request_actor
from openmash.api.idempotency import idempotent
from openmash.api.inputs import Input, Instant, SearchDate, column
from openmash.lib.errors import InvalidInput, NotFound
from openmash.meetings import changes, selectors, services
from openmash.meetings.models import CONFERENCE_KINDS, EvidentialInterview, Meeting, MeetingKind
from openmash.organisations.models import Organisation
from openmash.organisations.selectors import UnknownOrganisation, organisation_resolve
from openmash.people.models import Person

router = Router(tags=["meetings"])


class ProblemOut(Schema):
    type: str
    title: str
    status: int
    detail: str


# Inputs


class ConveneIn(Input):
    kind: Literal["strategy-discussion", "initial-conference", "review-conference", "pre-birth-conference"]
    child_id: uuid.UUID = Field(description="The child (or unborn child) the meeting is about")
    scheduled_for: Instant
    invited: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="Codes of the agencies to invite besides the police force covering the council (always "
        "invited)",
    )
    location: str = column(Meeting, "location", "")
    purpose: str = Field("", max_length=5000)
    strategy_discussion_id: uuid.UUID | None = Field(
        None, description="Initial conference: the strategy discussion at which s47 enquiries started"
    )
    previous_id: uuid.UUID | None = Field(
        None,
        description="Review conference: the previous conference, at which the child became subject to a plan",
    )


class RescheduleIn(Input):
    scheduled_for: Instant
    location: str | None = column(Meeting, "location", None, description="Omit to keep the place")
    reason: str = Field("", max_length=2000)


class CancelIn(Input):
    reason: str = Field(
        max_length=2000, description="Why the meeting is cancelled: told to every agency invited"
    )


class InviteIn(Input):
    invited: list[str] = Field(max_length=50, description="Codes of the agencies to invite")


class AttendanceIn(Input):
    organisation: str = Field(description="The invited agency's code")
    participation: Literal["attended", "written-only", "did-not-take-part"]
    reason: str = Field("", max_length=2000, description="Needed unless the agency attended")


class OutcomeIn(Input):
    held_at: Instant
    attendance: list[AttendanceIn] = Field(max_length=100)
    actions: str = Field("", max_length=10000)
    delay_reason: str = Field("", max_length=2000, description="Needed when the meeting's clock ran out")
    # Strategy discussion
    s47_decision: bool | None = None
    decision_reasons: str = Field("", max_length=10000)
    s47_started_on: SearchDate | None = None
    evidential_interview_target: SearchDate | None = Field(
        None, description="Strategy discussion: asks for an evidential interview by this date"
    )
    # Conference
    plan: bool | None = None
    categories: list[Literal["neglect", "physical", "sexual", "emotional", "multiple"]] = Field(
        default_factory=list, max_length=5
    )


class CoreGroupIn(Input):
    held_at: Instant
    attendance: list[AttendanceIn] = Field(
        max_length=100, description="Every agency invited to the conference"
    )
    actions: str = Field("", max_length=10000)
    delay_reason: str = Field("", max_length=2000, description="Needed when the core-group clock ran out")


class InterviewIn(Input):
    held_at: Instant | None = Field(None, description="When the evidential interview happened")
    not_held_reason: str = Field("", max_length=2000, description="Or why it did not happen")


class ReportIn(Input):
    text: str


# Outputs


class InvitationOut(Schema):
    organisation: str
    organisation_name: str
    role_expected: str
    share_id: uuid.UUID | None
    report_sent_at: dt.datetime | None
    report_late: bool
    participation: str = Field(
        description="attended, written-only, did-not-take-part, or empty until recorded"
    )
    non_attendance_reason: str


class ChangeOut(Schema):
    kind: Literal["rescheduled", "cancelled", "invited"]
    event_id: uuid.UUID
    recorded_at: dt.datetime
    previous_scheduled_for: dt.datetime | None
    scheduled_for: dt.datetime | None
    reason: str
    added: list[str]


class DeadlineOut(Schema):
    rule: str
    due_at: dt.datetime
    scheduled_late: bool = Field(description="The meeting is set for after its statutory deadline")


class MeetingSummaryOut(Schema):
    id: uuid.UUID
    reference: str
    kind: str
    child_id: uuid.UUID
    council: str
    scheduled_for: dt.datetime
    status: Literal["scheduled", "held", "cancelled"]


class MeetingOut(MeetingSummaryOut):
    location: str
    purpose: str
    held_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    cancellation_reason: str
    invitations: list[InvitationOut]
    changes: list[ChangeOut]
    deadline: DeadlineOut | None = Field(
        description="For the council that convened it: the statutory deadline the meeting answers (moving the "
        "meeting never moves it; a cancelled meeting leaves it open)"
    )
    s47_decision: bool | None
    decision_reasons: str
    s47_started_on: dt.date | None
    plan: bool | None
    categories: list[str]
    actions: str


class ReportOut(Schema):
    meeting_id: uuid.UUID
    reference: str
    organisation: str
    submitted_at: dt.datetime
    late: bool


def _status(meeting: Meeting) -> str:
    if meeting.held_at is not None:
        return "held"
    return "cancelled" if meeting.cancelled_at is not None else "scheduled"


def _summary(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "reference": meeting.reference,
        "kind": meeting.kind,
        "child_id": meeting.child_id,
        "council": meeting.council.code,
        "scheduled_for": meeting.scheduled_for,
        "status": _status(meeting),
    }


def _meeting_out(meeting: Meeting, actor: Actor) -> dict[str, Any]:
    is_council = actor.organisation is not None and actor.organisation.pk == meeting.council_id
    deadline = selectors.meeting_deadline(meeting) if is_council else None
    invitations = []
    for invitation in meeting.invitations.select_related("organisation", "report"):
        report = getattr(invitation, "report", None)
        invitations.append(
            {
                "organisation": invitation.organisation.code,
                "organisation_name": invitation.organisation.name,
                "role_expected": invitation.role_expected,
                "share_id": invitation.share_id,
                "report_sent_at": report.submitted_at if report else None,
                "report_late": bool(report and report.late),
                "participation": invitation.participation,
                "non_attendance_reason": invitation.non_attendance_reason,
            }
        )
    return _summary(meeting) | {
        "location": meeting.location,
        "purpose": meeting.purpose,
        "held_at": meeting.held_at,
        "cancelled_at": meeting.cancelled_at,
        "cancellation_reason": meeting.cancellation_reason,
        "invitations": invitations,
        "changes": [
            {
                "kind": change.kind,
                "event_id": change.event_id,
                "recorded_at": change.recorded_at,
                "previous_scheduled_for": change.previous_scheduled_for,
                "scheduled_for": change.scheduled_for,
                "reason": change.reason,
                "added": change.added,
            }
            for change in meeting.changes.all()
        ],
        "deadline": {
            "rule": deadline.clock.rule,
            "due_at": deadline.due_at,
            "scheduled_late": deadline.scheduled_late,
        }
        if deadline is not None
        else None,
        "s47_decision": meeting.s47_decision,
        "decision_reasons": meeting.decision_reasons,
        "s47_started_on": meeting.s47_started_on,
        "plan": meeting.plan,
        "categories": list(meeting.categories),
        "actions": meeting.actions,
    }


def _idempotent(
    request: HttpRequest,
    payload: Schema,
    status: int,
    out: type[Schema],
    write: Callable[[], dict[str, Any]],
) -> HttpResponse | Status:
    """Run ``write`` once per Idempotency-Key: a retry of the same request (organisation, method, path, key and
    body) gets the first answer and changes nothing twice; the same key with another body is refused (422).
    The answer is built inside the write's transaction, with the key, so they commit together or not at all."""
    return idempotent(
        request,
        request_actor(request),
        payload,
        lambda: out.model_validate(write()).model_dump(mode="json"),
        status,
    )


def _renamed(error: InvalidInput, names: dict[str, str]) -> InvalidInput:
    return InvalidInput({names.get(key, key): value for key, value in error.errors.items()})


def _organisations(codes: list[str], field: str) -> list[Organisation]:
    found: list[Organisation] = []
    errors: dict[str, str] = {}
    for index, code in enumerate(codes):
        try:
            found.append(organisation_resolve(code))
        except UnknownOrganisation as error:
            errors[f"{field}.{index}"] = str(error)
    if errors:
        raise InvalidInput(errors)
    return found


def _one(meetings: QuerySet[Meeting], meeting_id: uuid.UUID | None) -> Meeting | None:
    return meetings.filter(pk=meeting_id).first() if meeting_id is not None else None


def _attendance(
    invited_to: Meeting, given: list[AttendanceIn]
) -> tuple[list[services.AttendanceInput], dict[str, str]]:
    """The attendance given by agency code, as the services take it (by organisation), and the names of the
    services' attendance errors in the API's terms (attendance.<code>.reason, never an internal id)."""
    codes = {
        invitation.organisation.code: invitation.organisation for invitation in invited_to.invitations.all()
    }
    unknown = [item.organisation for item in given if item.organisation not in codes]
    if unknown:
        raise InvalidInput({"attendance": f"{', '.join(unknown)} not invited to this meeting"})
    attendance = [
        services.AttendanceInput(
            organisation_id=codes[item.organisation].pk, participation=item.participation, reason=item.reason
        )
        for item in given
    ]
    names = {
        f"attendance.{organisation.pk}.{part}": f"attendance.{code}.{part}"
        for code, organisation in codes.items()
        for part in ("participation", "reason")
    }
    return attendance, names


def _open(actor: Actor, meeting_id: str) -> Meeting:
    return selectors.meeting_open(actor=actor, meeting_id=meeting_id).meeting


IDEMPOTENT = {"x-idempotent": True}
WRITE_ERRORS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut, 503: ProblemOut}
CONVENE_ERRORS = {401: ProblemOut, 403: ProblemOut, 422: ProblemOut, 503: ProblemOut}


@router.post("/meetings", response={201: MeetingOut, **CONVENE_ERRORS}, openapi_extra=IDEMPOTENT)
def meeting_convene(request: HttpRequest, payload: ConveneIn):
    """Convene a strategy discussion or schedule a child protection conference (a council's practitioners'
    system). The covering police force is always invited; each agency invited is sent the invitation as a
    share. A child your organisation may not see, or that does not exist, is a 422 on child_id."""
    actor = request_actor(request)

    def write() -> dict[str, Any]:
        child = Person.objects.filter(pk=payload.child_id).first()
        if child is None:
            raise InvalidInput({"child_id": "No such child, or your organisation may not see them"})
        # Only this child's meetings: the service then checks they are the council's own, of the right kind.
        earlier = Meeting.objects.filter(child=child)
        arguments: dict[str, Any] = {
            "actor": actor,
            "child": child,
            "scheduled_for": payload.scheduled_for,
            "invited": _organisations(payload.invited, "invited"),
            "location": payload.location,
            "purpose": payload.purpose,
        }
        names = {
            "child": "child_id",
            "strategy_discussion": "strategy_discussion_id",
            "previous": "previous_id",
        }
        try:
            if payload.kind == MeetingKind.STRATEGY_DISCUSSION:
                meeting = services.strategy_discussion_convene(**arguments)
            else:
                meeting = services.conference_schedule(
                    **arguments,
                    kind=payload.kind,
                    strategy_discussion=_one(earlier, payload.strategy_discussion_id),
                    previous=_one(earlier, payload.previous_id),
                )
        except InvalidInput as error:
            raise _renamed(error, names) from error
        return _meeting_out(meeting, actor)

    return _idempotent(request, payload, 201, MeetingOut, write)


@router.get("/meetings", response={200: list[MeetingSummaryOut], 401: ProblemOut})
def meetings_list(request: HttpRequest):
    """The meetings your organisation convened or is invited to: those not yet held (cancelled ones with status
    cancelled), soonest first, then those held in the last 30 days."""
    upcoming, recent = selectors.meetings_list(actor=request_actor(request))
    return [_summary(meeting) for meeting in [*upcoming, *recent]]


@router.get("/meetings/{meeting_id}", response={200: MeetingOut, 401: ProblemOut, 404: ProblemOut})
def meeting_read(request: HttpRequest, meeting_id: str):
    """One meeting: when and where, who is invited (with their reports and whether they took part), what
    changed since it was convened, and its outcome. The read is recorded in the audit trail."""
    actor = request_actor(request)
    return _meeting_out(_open(actor, meeting_id), actor)


@router.post(
    "/meetings/{meeting_id}/reschedule", response={200: MeetingOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def meeting_reschedule(request: HttpRequest, meeting_id: str, payload: RescheduleIn):
    """Move a meeting not yet held (the council that convened it). Every agency invited is told. The statutory
    deadline does not move: a meeting moved past it answers with deadline.scheduled_late true. 422 for a time in
    the past, the same time and place, or a meeting held or cancelled."""
    actor = request_actor(request)
    meeting = _open(actor, meeting_id)

    def write() -> dict[str, Any]:
        moved = changes.meeting_reschedule(
            actor=actor,
            meeting=meeting,
            scheduled_for=payload.scheduled_for,
            location=payload.location,
            reason=payload.reason,
        )
        return _meeting_out(moved, actor)

    return _idempotent(request, payload, 200, MeetingOut, write)


@router.post(
    "/meetings/{meeting_id}/cancel", response={200: MeetingOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def meeting_cancel(request: HttpRequest, meeting_id: str, payload: CancelIn):
    """Cancel a meeting not yet held, with the reason (the council that convened it). Every agency invited is
    told. Stops no clock: what the meeting was for stays due until a meeting of its kind is held."""
    actor = request_actor(request)
    meeting = _open(actor, meeting_id)

    def write() -> dict[str, Any]:
        return _meeting_out(
            changes.meeting_cancel(actor=actor, meeting=meeting, reason=payload.reason), actor
        )

    return _idempotent(request, payload, 200, MeetingOut, write)


@router.post(
    "/meetings/{meeting_id}/invitations", response={200: MeetingOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def meeting_invite(request: HttpRequest, meeting_id: str, payload: InviteIn):
    """Invite more agencies to a meeting not yet held (the council that convened it). Each is sent the
    invitation; every agency already invited is told. 422 for an agency already invited, the council itself,
    an inspectorate, or an unknown code."""
    actor = request_actor(request)
    meeting = _open(actor, meeting_id)

    def write() -> dict[str, Any]:
        invited = _organisations(payload.invited, "invited")
        return _meeting_out(changes.meeting_invite(actor=actor, meeting=meeting, invited=invited), actor)

    return _idempotent(request, payload, 200, MeetingOut, write)


@router.post(
    "/meetings/{meeting_id}/outcome", response={200: MeetingOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def meeting_record_outcome(request: HttpRequest, meeting_id: str, payload: OutcomeIn):
    """Record that a strategy discussion or conference was held (the council that convened it): each invited
    agency's participation (a reason for any that did not attend), and the decision (s47_decision with its
    reasons, or plan with its categories). Shared with every agency invited; stops the meeting's clock and
    starts the ones it begins. Attendance errors name the agency: attendance.<code>.reason."""
    actor = request_actor(request)
    meeting = _open(actor, meeting_id)

    def write() -> dict[str, Any]:
        attendance, names = _attendance(meeting, payload.attendance)
        common: dict[str, Any] = {
            "actor": actor,
            "meeting": meeting,
            "held_at": payload.held_at,
            "attendance": attendance,
            "actions": payload.actions,
            "delay_reason": payload.delay_reason,
        }
        try:
            if meeting.kind == MeetingKind.STRATEGY_DISCUSSION:
                held = services.strategy_discussion_record_outcome(
                    **common,
                    s47_decision=payload.s47_decision,
                    decision_reasons=payload.decision_reasons,
                    s47_started_on=payload.s47_started_on,
                    evidential_interview_requested=payload.evidential_interview_target is not None,
                    evidential_interview_target=payload.evidential_interview_target,
                )
            elif meeting.kind in CONFERENCE_KINDS:
                held = services.conference_record_outcome(
                    **common, plan=payload.plan, categories=list(payload.categories)
                )
            else:
                raise InvalidInput(
                    {"meeting": "A core group meeting is recorded once held, with its conference"}
                )
        except InvalidInput as error:
            raise _renamed(error, names) from error
        return _meeting_out(held, actor)

    return _idempotent(request, payload, 200, MeetingOut, write)


@router.post(
    "/meetings/{meeting_id}/core-groups",
    response={201: MeetingOut, **WRITE_ERRORS},
    openapi_extra=IDEMPOTENT,
)
def core_group_record(request: HttpRequest, meeting_id: str, payload: CoreGroupIn):
    """Record a core group meeting held under the plan a conference made (the council that convened the
    conference), with every agency the conference invited and whether each took part. The first one meets the
    core-group clock. Answers the new core group meeting."""
    actor = request_actor(request)
    conference = _open(actor, meeting_id)

    def write() -> dict[str, Any]:
        attendance, names = _attendance(conference, payload.attendance)
        try:
            meeting = services.core_group_record(
                actor=actor,
                conference=conference,
                held_at=payload.held_at,
                attendance=attendance,
                actions=payload.actions,
                delay_reason=payload.delay_reason,
            )
        except InvalidInput as error:
            raise _renamed(error, names) from error
        return _meeting_out(meeting, actor)

    return _idempotent(request, payload, 201, MeetingOut, write)


class InterviewOut(Schema):
    meeting_id: uuid.UUID
    requested_at: dt.datetime
    target_date: dt.date
    held_at: dt.datetime | None
    not_held_reason: str


@router.post(
    "/meetings/{meeting_id}/evidential-interview",
    response={200: InterviewOut, **WRITE_ERRORS},
    openapi_extra=IDEMPOTENT,
)
def evidential_interview_record(request: HttpRequest, meeting_id: str, payload: InterviewIn):
    """Record when the evidential interview a strategy discussion asked for happened, or why it did not (the
    council or the police force invited). 404 when the meeting asked for none."""
    actor = request_actor(request)
    meeting = _open(actor, meeting_id)
    interview = EvidentialInterview.objects.filter(strategy_discussion=meeting).first()
    if interview is None:
        raise NotFound("This meeting asked for no evidential interview")

    def write() -> dict[str, Any]:
        recorded = services.evidential_interview_record(
            actor=actor, interview=interview, held_at=payload.held_at, not_held_reason=payload.not_held_reason
        )
        return {
            "meeting_id": meeting.pk,
            "requested_at": recorded.requested_at,
            "target_date": recorded.target_date,
            "held_at": recorded.held_at,
            "not_held_reason": recorded.not_held_reason,
        }

    return _idempotent(request, payload, 200, InterviewOut, write)


@router.post(
    "/meetings/{meeting_id}/reports", response={201: ReportOut, **WRITE_ERRORS}, openapi_extra=IDEMPOTENT
)
def report_submit(request: HttpRequest, meeting_id: str, payload: ReportIn):
    """Send your agency's report for a meeting it is invited to (before the meeting; later ones are flagged
    late). 404 for a meeting that does not exist or your organisation is not part of; 422 for an empty report,
    a second one, or a cancelled meeting."""
    actor = request_actor(request)
    meeting = _open(actor, meeting_id)

    def write() -> dict[str, Any]:
        report = services.agency_report_submit(actor=actor, meeting=meeting, text=payload.text)
        return {
            "meeting_id": meeting.pk,
            "reference": meeting.reference,
            "organisation": report.invitation.organisation.code,
            "submitted_at": report.submitted_at,
            "late": report.late,
        }

    return _idempotent(request, payload, 201, ReportOut, write)
