"""Convening multi-agency meetings, the reports agencies send for them, and recording what happened.

Every invitation is a share: convening a meeting records one event (strategy discussion, conference, core
group) through ``event_record`` with the invited agencies as its recipients, so invitations reach each
agency's inbox, webhooks and alerts like every other event. The police force covering the council is always
invited, to every class of meeting (pre-birth included): there is no setting that leaves an agency out, because
a standing instruction not to attend a class of meeting was itself one of the 2016 findings.

Holding a meeting stops the statutory clock it answers and starts the ones it begins (clocks rules for England:
strategy-discussion, initial-conference, core-group, first-review-conference, pre-birth-first-review,
review-conference). Moving, cancelling and inviting more agencies are in ``changes.py``. A meeting
held after its clock ran out needs the reason for the delay; without one, nothing is saved.

Longer than the ~400 lines a service module is kept to, on purpose: every class of meeting has the same life
(convene, invite, report, record what happened, stop and start clocks), and its steps share their checks; split
by class of meeting, each module would repeat the others.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks import services as clocks
from openmash.clocks import starts
from openmash.clocks.models import WorkType
from openmash.events.models import Event, EventKind, SubjectRole
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.govuk import govuk_datetime
from openmash.lib.ids import new_id
from openmash.lib.instants import instant_problem
from openmash.meetings.models import (
    CONFERENCE_KINDS,
    REFERENCE_PREFIX,
    AbuseCategory,
    AgencyReport,
    EvidentialInterview,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    Participation,
)
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people import selectors as people_selectors
from openmash.people.models import Person, PersonKind
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.models import Route

EVENT_KIND = {
    MeetingKind.STRATEGY_DISCUSSION: EventKind.STRATEGY_DISCUSSION,
    MeetingKind.INITIAL_CONFERENCE: EventKind.CONFERENCE,
    MeetingKind.REVIEW_CONFERENCE: EventKind.CONFERENCE,
    MeetingKind.PRE_BIRTH_CONFERENCE: EventKind.CONFERENCE,
    MeetingKind.CORE_GROUP: EventKind.CORE_GROUP,
}
ROLE_EXPECTED: dict[str, str] = {
    OrganisationKind.POLICE: "Police (public protection)",
    OrganisationKind.HEALTH_TRUST: "Health safeguarding",
    OrganisationKind.INTEGRATED_CARE_BOARD: "Health safeguarding",
    OrganisationKind.SCHOOL: "Designated safeguarding lead",
    OrganisationKind.COUNCIL: "Children's social care",
}
NOT_INVITABLE = frozenset({OrganisationKind.INSPECTORATE})


@dataclass(frozen=True)
class AttendanceInput:
    """Whether one invited agency took part, and if not fully, why."""

    organisation_id: int
    participation: str
    reason: str = ""


def _council_practitioner(actor: Actor, council: Organisation | None = None) -> Organisation:
    if not policy.may_convene_meetings(actor) or actor.organisation is None:
        raise NotAllowed("Only a council's practitioners convene and record multi-agency meetings")
    if council is not None and not policy.may_record_for_meeting(actor, council.pk):
        raise NotAllowed("Only the council that convened the meeting records it")
    return actor.organisation


def covering_police(council: Organisation) -> list[Organisation]:
    """The police forces covering the council: invited to every meeting, whatever else is chosen."""
    return list(council.police_forces.all())


def referrers(child: Person) -> set[int]:
    """Organisations that referred the child (invited as the referrer)."""
    return set(
        Event.objects.filter(kind=EventKind.REFERRAL, subjects__person=child).values_list(
            "recorded_by_id", flat=True
        )
    )


def role_expected(organisation: Organisation, referrer_ids: set[int]) -> str:
    role = ROLE_EXPECTED.get(organisation.kind, organisation.get_kind_display())
    return f"{role}; referrer" if organisation.pk in referrer_ids else role


def _check_when(value: dt.datetime | None, field: str, errors: dict[str, str], *, past: bool) -> None:
    future = "The meeting must have happened: the date and time must be in the past" if past else ""
    problem = instant_problem(value, now=timezone.now(), missing="Enter the date and time", future=future)
    if problem:
        errors[field] = problem


def _convene(
    *,
    actor: Actor,
    kind: str,
    child: Person,
    scheduled_for: dt.datetime,
    invited: Sequence[Organisation],
    location: str,
    purpose: str,
    strategy_discussion: Meeting | None = None,
    previous: Meeting | None = None,
) -> Meeting:
    council = _council_practitioner(actor)
    invitees: dict[int, Organisation] = {force.pk: force for force in covering_police(council)}
    for organisation in invited:
        if organisation.kind in NOT_INVITABLE:
            raise InvalidInput(
                {"invited": f"{organisation.name} cannot be invited to a meeting about a child"}
            )
        if organisation.pk != council.pk:
            invitees.setdefault(organisation.pk, organisation)
    if not invitees:
        raise InvalidInput({"invited": "Choose at least one agency to invite"})
    meeting_id = new_id()
    # The id's random end, not its start: a time-ordered id begins with the time (openmash.lib.ids).
    reference = f"{REFERENCE_PREFIX[MeetingKind(kind)]}-{meeting_id.hex[-8:].upper()}"
    when = govuk_datetime(scheduled_for)
    label = MeetingKind(kind).label
    summary = f"{label} {reference} for {child.full_name or 'an unborn child'} on {when}"
    summary += f", {location.strip()}" if location.strip() else ""
    summary += f". {purpose.strip()}" if purpose.strip() else ""
    summary += " You are invited: send your agency's report before the meeting (Meetings, in OpenMASH)."
    with transaction.atomic():
        recorded = event_record(
            actor=actor,
            data=EventInput(
                kind=EVENT_KIND[MeetingKind(kind)],
                reference=reference,
                occurred_at=timezone.now(),
                council=council,
                location=location.strip(),
                summary=summary,
                people=[PersonInput(person_id=child.pk, role=SubjectRole.CHILD)],
                added_recipients=list(invitees.values()),
                added_route=Route.INVITED,
            ),
        )
        meeting = Meeting(
            id=meeting_id,
            kind=kind,
            reference=reference,
            child=child,
            council=council,
            convened_by=actor.user,
            convened_by_label=actor.label,
            convened_at=recorded.event.recorded_at,
            scheduled_for=scheduled_for,
            location=location.strip(),
            purpose=purpose.strip(),
            event=recorded.event,
            strategy_discussion=strategy_discussion,
            previous=previous,
        )
        meeting.full_clean()
        meeting.save(force_insert=True)
        shares = {share.recipient.pk: share for share in recorded.shares}
        referrer_ids = referrers(child)
        MeetingInvitation.objects.bulk_create(
            MeetingInvitation(
                meeting=meeting,
                organisation=organisation,
                role_expected=role_expected(organisation, referrer_ids),
                share=shares.get(organisation.pk),
            )
            for organisation in invitees.values()
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="meeting",
            object_id=meeting.pk,
            person_id=child.pk,
            reason=f"convened {label.lower()} {reference}",
            detail={"kind": kind, "invited": sorted(org.code for org in invitees.values())},
        )
    return meeting


def _check_child(actor: Actor, child: Person, errors: dict[str, str]) -> None:
    if people_selectors.reason_to_see(actor, child.pk) is None:
        errors["child"] = "No such child, or your organisation may not see them"
    elif child.kind == PersonKind.ADULT:
        errors["child"] = "Multi-agency child protection meetings are about a child or an unborn child"


def strategy_discussion_convene(
    *,
    actor: Actor,
    child: Person,
    scheduled_for: dt.datetime | None,
    invited: Sequence[Organisation] = (),
    location: str = "",
    purpose: str = "",
) -> Meeting:
    """Convene a strategy discussion, inviting the covering police force always and the agencies chosen
    (health, the school, the referrer and others)."""
    _council_practitioner(actor)
    errors: dict[str, str] = {}
    _check_child(actor, child, errors)
    _check_when(scheduled_for, "scheduled_for", errors, past=False)
    if errors:
        raise InvalidInput(errors)
    assert scheduled_for is not None
    return _convene(
        actor=actor,
        kind=MeetingKind.STRATEGY_DISCUSSION,
        child=child,
        scheduled_for=scheduled_for,
        invited=invited,
        location=location,
        purpose=purpose,
    )


def conference_schedule(
    *,
    actor: Actor,
    kind: str,
    child: Person,
    scheduled_for: dt.datetime | None,
    invited: Sequence[Organisation] = (),
    strategy_discussion: Meeting | None = None,
    previous: Meeting | None = None,
    location: str = "",
    purpose: str = "",
) -> Meeting:
    """Schedule a child protection conference: initial (from the strategy discussion that started s47
    enquiries), review (after the previous conference), or pre-birth (for an unborn child). The covering police
    force is invited to every one of them."""
    council = _council_practitioner(actor)
    errors: dict[str, str] = {}
    if kind not in CONFERENCE_KINDS:
        raise InvalidInput({"kind": "Choose initial, review or pre-birth conference"})
    _check_child(actor, child, errors)
    _check_when(scheduled_for, "scheduled_for", errors, past=False)
    if kind == MeetingKind.PRE_BIRTH_CONFERENCE and child.kind != PersonKind.UNBORN:
        errors["kind"] = "A pre-birth conference is for an unborn child"
    if kind == MeetingKind.INITIAL_CONFERENCE:
        if child.kind == PersonKind.UNBORN:
            errors["kind"] = "For an unborn child, schedule a pre-birth conference"
        sd = strategy_discussion
        if (
            sd is None
            or sd.kind != MeetingKind.STRATEGY_DISCUSSION
            or sd.child_id != child.pk
            or sd.council_id != council.pk
            or sd.s47_decision is not True
        ):
            errors["strategy_discussion"] = (
                "Choose the strategy discussion at which section 47 enquiries were started"
            )
    if (
        kind == MeetingKind.PRE_BIRTH_CONFERENCE
        and strategy_discussion is not None
        and (strategy_discussion.child_id != child.pk or strategy_discussion.council_id != council.pk)
    ):
        errors["strategy_discussion"] = "Choose a strategy discussion about this unborn child"
    if kind == MeetingKind.REVIEW_CONFERENCE and (
        previous is None
        or previous.kind not in CONFERENCE_KINDS
        or previous.child_id != child.pk
        or previous.council_id != council.pk
        or previous.plan is not True
    ):
        errors["previous"] = "Choose the previous conference, at which the child became subject to a plan"
    if errors:
        raise InvalidInput(errors)
    assert scheduled_for is not None
    return _convene(
        actor=actor,
        kind=kind,
        child=child,
        scheduled_for=scheduled_for,
        invited=invited,
        location=location,
        purpose=purpose,
        strategy_discussion=strategy_discussion if kind != MeetingKind.REVIEW_CONFERENCE else None,
        previous=previous if kind == MeetingKind.REVIEW_CONFERENCE else None,
    )


def agency_report_submit(*, actor: Actor, meeting: Meeting, text: str) -> AgencyReport:
    """An invited agency sends its report for the meeting. Due before the meeting starts: a later one is
    accepted and flagged late."""
    invited = {invitation.organisation_id: invitation for invitation in meeting.invitations.all()}
    if not policy.may_send_agency_report(actor, invited) or actor.organisation is None:
        raise NotAllowed("Only an invited agency's practitioners send its report")
    organisation = actor.organisation
    invitation = invited[organisation.pk]
    if meeting.cancelled_at is not None:
        raise InvalidInput({"text": "This meeting was cancelled: no report is needed for it"})
    if not text.strip():
        raise InvalidInput({"text": "Enter your agency's report"})
    now = timezone.now()
    with transaction.atomic():
        if AgencyReport.objects.select_for_update().filter(invitation=invitation).exists():
            raise InvalidInput({"text": "Your agency has already sent its report for this meeting"})
        report = AgencyReport.objects.create(
            invitation=invitation,
            submitted_at=now,
            submitted_by=actor.user,
            submitted_by_label=actor.label,
            text=text.strip(),
            late=now > meeting.scheduled_for or meeting.held_at is not None,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="agency-report",
            object_id=report.pk,
            person_id=meeting.child_id,
            reason=f"sent a report for {meeting.reference}",
            detail={"late": report.late},
        )
    return report


def _check_attendance(
    organisations: Sequence[Organisation], attendance: Sequence[AttendanceInput], errors: dict[str, str]
) -> dict[int, AttendanceInput]:
    given = {item.organisation_id: item for item in attendance}
    for organisation in organisations:
        item = given.get(organisation.pk)
        if item is None or item.participation not in Participation.values:
            errors[f"attendance.{organisation.pk}.participation"] = (
                f"Say whether {organisation.name} attended, sent written information only, or did not take part"
            )
        elif item.participation != Participation.ATTENDED and not item.reason.strip():
            errors[f"attendance.{organisation.pk}.reason"] = (
                f"Give the reason {organisation.name} did not attend"
            )
    unknown = set(given) - {organisation.pk for organisation in organisations}
    if unknown:
        errors["attendance"] = "Attendance can only be recorded for the agencies invited"
    return given


def _stop(
    actor: Actor, *, rules: Sequence[str], meeting: Meeting, at: dt.datetime, delay_reason: str
) -> None:
    """Stop the clocks this meeting answers for the child; a late one needs the reason for the delay."""
    for rule in rules:
        try:
            clocks.clocks_stop(
                actor=actor,
                rule=rule,
                person=meeting.child,
                organisation=meeting.council,
                at=at,
                breach_reason=delay_reason,
            )
        except InvalidInput as error:
            renamed = {"breach_reason": "delay_reason", "at": "held_at"}
            raise InvalidInput(
                {renamed.get(key, key): value for key, value in error.errors.items()}
            ) from error


def _start_next(actor: Actor, meeting: Meeting, held_at: dt.datetime) -> None:
    """The clocks this meeting's decision starts (clocks.starts): its allocated worker's, whoever recorded it."""
    starts.start_for_meeting_decision(
        actor=actor,
        kind=meeting.kind,
        meeting_id=meeting.pk,
        person=meeting.child,
        council=meeting.council,
        event=meeting.event,
        held_at=held_at,
        owner=clocks.allocated_worker(WorkType.MEETING, meeting.pk) or actor.user,
    )


def _record_held(
    actor: Actor,
    meeting: Meeting,
    *,
    held_at: dt.datetime,
    attendance: dict[int, AttendanceInput],
    outcome: str,
) -> None:
    """Save attendance, share the outcome with the agencies invited, and audit it (inside the caller's
    transaction)."""
    invitations = list(meeting.invitations.select_related("organisation"))
    for invitation in invitations:
        item = attendance[invitation.organisation_id]
        invitation.participation = item.participation
        invitation.non_attendance_reason = (
            "" if item.participation == Participation.ATTENDED else item.reason.strip()
        )
    MeetingInvitation.objects.bulk_update(invitations, ["participation", "non_attendance_reason"])
    recorded = event_record(
        actor=actor,
        data=EventInput(
            kind=EVENT_KIND[MeetingKind(meeting.kind)],
            reference=meeting.reference,
            occurred_at=held_at,
            council=meeting.council,
            location=meeting.location,
            summary=f"{meeting.get_kind_display()} {meeting.reference} held. {outcome}",
            people=[PersonInput(person_id=meeting.child_id, role=SubjectRole.CHILD)],
            added_recipients=[invitation.organisation for invitation in invitations],
            added_route=Route.INVITED,
        ),
    )
    meeting.held_at = held_at
    meeting.outcome_recorded_by_label = actor.label
    meeting.outcome_event = recorded.event
    meeting.full_clean()
    meeting.save()
    absent = [i.organisation.code for i in invitations if i.participation != Participation.ATTENDED]
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="meeting",
        object_id=meeting.pk,
        person_id=meeting.child_id,
        reason=f"recorded the outcome of {meeting.reference}",
        detail={"outcome": outcome, "did_not_attend": absent},
    )


def _invited(meeting: Meeting) -> list[Organisation]:
    return [invitation.organisation for invitation in meeting.invitations.select_related("organisation")]


def _check_outcome_common(
    actor: Actor, meeting: Meeting, held_at: dt.datetime | None, errors: dict[str, str]
) -> None:
    _council_practitioner(actor, meeting.council)
    if meeting.held_at is not None:
        raise InvalidInput({"held_at": "The outcome of this meeting has already been recorded"})
    if meeting.cancelled_at is not None:
        raise InvalidInput(
            {"held_at": "This meeting was cancelled: convene a new one and record that instead"}
        )
    _check_when(held_at, "held_at", errors, past=True)


def strategy_discussion_record_outcome(
    *,
    actor: Actor,
    meeting: Meeting,
    held_at: dt.datetime | None,
    attendance: Sequence[AttendanceInput],
    s47_decision: bool | None,
    decision_reasons: str,
    s47_started_on: dt.date | None = None,
    actions: str = "",
    evidential_interview_requested: bool = False,
    evidential_interview_target: dt.date | None = None,
    delay_reason: str = "",
) -> Meeting:
    """Record that a strategy discussion was held: each agency's participation, the decision whether to start
    section 47 enquiries (and from when), actions, and any evidential interview asked for. Stops the
    strategy-discussion clock; a decision to start s47 enquiries starts the initial-conference clock."""
    if meeting.kind != MeetingKind.STRATEGY_DISCUSSION:
        raise InvalidInput({"meeting": "This is not a strategy discussion"})
    errors: dict[str, str] = {}
    _check_outcome_common(actor, meeting, held_at, errors)
    given = _check_attendance(_invited(meeting), attendance, errors)
    if s47_decision is None:
        errors["s47_decision"] = "Say whether section 47 enquiries are to start"
    if not decision_reasons.strip():
        errors["decision_reasons"] = "Give the reasons for the decision"
    if s47_decision and s47_started_on is None:
        errors["s47_started_on"] = "Enter the date section 47 enquiries started"
    if s47_decision and s47_started_on is not None and held_at is not None and not timezone.is_naive(held_at):
        if s47_started_on < timezone.localtime(held_at).date():
            errors["s47_started_on"] = "Section 47 enquiries cannot start before the strategy discussion"
        elif s47_started_on > timezone.localdate():
            errors["s47_started_on"] = "The date section 47 enquiries started must be today or in the past"
    if evidential_interview_requested and evidential_interview_target is None:
        errors["evidential_interview_target"] = "Enter the date the evidential interview should happen by"
    if errors:
        raise InvalidInput(errors)
    assert held_at is not None
    decision = "Section 47 enquiries to start" if s47_decision else "No section 47 enquiries"
    outcome = f"Decision: {decision}. Reasons: {decision_reasons.strip()}"
    if actions.strip():
        outcome += f" Actions: {actions.strip()}"
    if evidential_interview_requested:
        outcome += f" Evidential interview requested by {evidential_interview_target:%-d %B %Y}."
    with transaction.atomic():
        _stop(
            actor,
            rules=stops(meeting.kind),
            meeting=meeting,
            at=held_at,
            delay_reason=delay_reason,
        )
        meeting.s47_decision = s47_decision
        meeting.decision_reasons = decision_reasons.strip()
        meeting.s47_started_on = s47_started_on if s47_decision else None
        meeting.actions = actions.strip()
        _record_held(actor, meeting, held_at=held_at, attendance=given, outcome=outcome)
        if s47_decision:
            _start_next(actor, meeting, held_at)
        if evidential_interview_requested:
            assert evidential_interview_target is not None
            EvidentialInterview.objects.create(
                strategy_discussion=meeting, requested_at=held_at, target_date=evidential_interview_target
            )
    return meeting


def stops(kind: str) -> list[ClockRule]:
    """The clocks a meeting of this kind meets when it is held (clocks.starts.MET_WHEN_HELD)."""
    return list(starts.MET_WHEN_HELD.get(kind, ()))


def conference_record_outcome(
    *,
    actor: Actor,
    meeting: Meeting,
    held_at: dt.datetime | None,
    attendance: Sequence[AttendanceInput],
    plan: bool | None,
    categories: Sequence[str] = (),
    actions: str = "",
    delay_reason: str = "",
) -> Meeting:
    """Record that a conference was held: attendance of every agency invited (a reason for each that did not
    attend), whether the child is subject to a plan and under which categories. Stops the conference's clock;
    a plan starts the core group and review clocks."""
    if meeting.kind not in CONFERENCE_KINDS:
        raise InvalidInput({"meeting": "This is not a child protection conference"})
    errors: dict[str, str] = {}
    _check_outcome_common(actor, meeting, held_at, errors)
    given = _check_attendance(_invited(meeting), attendance, errors)
    if plan is None:
        errors["plan"] = "Say whether the child is to be the subject of a child protection plan"
    chosen = list(dict.fromkeys(categories))
    if plan and not chosen:
        errors["categories"] = "Choose the category of abuse"
    elif any(value not in AbuseCategory.values for value in chosen):
        errors["categories"] = "Choose neglect, physical, sexual, emotional or multiple"
    elif AbuseCategory.MULTIPLE in chosen and len(chosen) > 1:
        errors["categories"] = "Choose multiple on its own, or the categories that apply"
    if errors:
        raise InvalidInput(errors)
    assert held_at is not None
    outcome = (
        f"Child protection plan: {', '.join(AbuseCategory(c).label.lower() for c in chosen)}."
        if plan
        else "No child protection plan."
    )
    if actions.strip():
        outcome += f" Actions: {actions.strip()}"
    with transaction.atomic():
        _stop(
            actor,
            rules=stops(meeting.kind),
            meeting=meeting,
            at=held_at,
            delay_reason=delay_reason,
        )
        meeting.plan = plan
        meeting.categories = chosen if plan else []
        meeting.actions = actions.strip()
        _record_held(actor, meeting, held_at=held_at, attendance=given, outcome=outcome)
        if plan:
            _start_next(actor, meeting, held_at)
    return meeting


def core_group_record(
    *,
    actor: Actor,
    conference: Meeting,
    held_at: dt.datetime | None,
    attendance: Sequence[AttendanceInput],
    actions: str = "",
    delay_reason: str = "",
) -> Meeting:
    """Record a core group meeting held under a child's plan, with the conference's agencies and whether each
    took part. The first one stops the core-group clock."""
    council = _council_practitioner(actor, conference.council)
    errors: dict[str, str] = {}
    if conference.kind not in CONFERENCE_KINDS or conference.plan is not True:
        errors["conference"] = "A core group follows a conference at which the child became subject to a plan"
    _check_when(held_at, "held_at", errors, past=True)
    organisations = _invited(conference)
    given = _check_attendance(organisations, attendance, errors)
    if errors:
        raise InvalidInput(errors)
    assert held_at is not None
    with transaction.atomic():
        _stop(
            actor,
            rules=stops(MeetingKind.CORE_GROUP),
            meeting=conference,
            at=held_at,
            delay_reason=delay_reason,
        )
        meeting = _convene(
            actor=actor,
            kind=MeetingKind.CORE_GROUP,
            child=conference.child,
            scheduled_for=held_at,
            invited=[organisation for organisation in organisations if organisation.pk != council.pk],
            location="",
            purpose="",
            previous=conference,
        )
        meeting.actions = actions.strip()
        outcome = f"Actions: {actions.strip()}" if actions.strip() else "Core group held."
        _record_held(actor, meeting, held_at=held_at, attendance=given, outcome=outcome)
    return meeting


def evidential_interview_record(
    *,
    actor: Actor,
    interview: EvidentialInterview,
    held_at: dt.datetime | None = None,
    not_held_reason: str = "",
) -> EvidentialInterview:
    """Record when the evidential interview a strategy discussion asked for happened, or why it did not. The
    council or an invited police force records it; it is shared with the other agencies invited."""
    meeting = interview.strategy_discussion
    invited = meeting.invitations.values_list("organisation_id", flat=True)
    if not policy.may_record_evidential_interview(actor, meeting.council_id, invited):
        raise NotAllowed("Only the council or the police force invited records the evidential interview")
    if not interview.is_open:
        raise InvalidInput({"held_at": "This evidential interview has already been recorded"})
    errors: dict[str, str] = {}
    if held_at is None and not not_held_reason.strip():
        errors["held_at"] = "Enter when the interview happened, or why it did not"
    elif held_at is not None:
        _check_when(held_at, "held_at", errors, past=True)
        if "held_at" not in errors and held_at < interview.requested_at:
            errors["held_at"] = (
                "The interview cannot have happened before the strategy discussion asked for it"
            )
    if errors:
        raise InvalidInput(errors)
    summary = (
        f"Evidential interview for {meeting.reference} held {govuk_datetime(held_at)}."
        if held_at is not None
        else f"Evidential interview for {meeting.reference} did not happen: {not_held_reason.strip()}"
    )
    recipients = [meeting.council] + [invitation.organisation for invitation in meeting.invitations.all()]
    with transaction.atomic():
        recorded = event_record(
            actor=actor,
            data=EventInput(
                kind=EventKind.EVIDENTIAL_INTERVIEW,
                reference=meeting.reference,
                occurred_at=held_at or timezone.now(),
                council=meeting.council,
                summary=summary,
                people=[PersonInput(person_id=meeting.child_id, role=SubjectRole.CHILD)],
                added_recipients=recipients,
                added_route=Route.INVOLVED,
            ),
        )
        interview.held_at = held_at
        interview.not_held_reason = "" if held_at is not None else not_held_reason.strip()
        interview.recorded_by_label = actor.label
        interview.event = recorded.event
        interview.full_clean()
        interview.save()
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="evidential-interview",
            object_id=interview.pk,
            person_id=meeting.child_id,
            reason=f"recorded the evidential interview asked for by {meeting.reference}",
            detail={"held": held_at is not None},
        )
    return interview
