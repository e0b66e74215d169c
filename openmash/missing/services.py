"""Writes about missing children: placements, missing and found reports as episodes, risk gradings, updates,
safe-and-well checks and return home interviews.

Missing, found and return-interview reports are events: they are recorded through the events' one recording
service (``event_record``) and shared at once like every event; the episode's own rows are written in the same
transaction (its ``also``), so an episode exists exactly when its report does. Each write is checked first
(every field error at once), then written with its audit entry in one transaction.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import ReasonKind
from openmash.access.services import access_reason_record
from openmash.accounts.actors import Actor
from openmash.accounts.models import User
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks.models import Clock
from openmash.clocks.services import clock_stop
from openmash.database import write_transaction
from openmash.events.models import EventKind, Source, SubjectRole
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import instant_problem
from openmash.lib.names import name_key
from openmash.missing.models import (
    Category,
    EpisodeUpdate,
    Exploitation,
    InterviewResponse,
    MissingEpisode,
    Placement,
    RepeatMissingSetting,
    ReturnInterview,
    Risk,
    RiskGrading,
    SeenKind,
    SeenWith,
)
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Address, ChildStatus, ChildStatusKind, Person
from openmash.recording.services import AlsoWrite, EventInput, PersonInput, RecordedEvent, event_record
from openmash.sharing.models import Route

# Issue 15: 3 or more episodes in 90 days is repeat missing, unless the area sets its own figures.
REPEAT_EPISODES = 3
REPEAT_DAYS = 90


def _in_force(day: dt.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))


def placement_of(child_id: uuid.UUID, at: dt.datetime | None = None) -> Placement | None:
    """The child's placement on that day (today by default)."""
    day = timezone.localtime(at or timezone.now()).date()
    return (
        Placement.objects.select_related("provider", "council")
        .filter(_in_force(day), child_id=child_id)
        .order_by("-started_on")
        .first()
    )


def placement_record(
    *, actor: Actor, child: Person, provider: Organisation, started_on: dt.date
) -> Placement:
    """Record where a looked-after child is placed. The placing council records it; the provider's carers get
    a reason to see the child (to report them missing and found)."""
    status = (
        ChildStatus.objects.filter(person=child, status=ChildStatusKind.LOOKED_AFTER, end_date__isnull=True)
        .select_related("council")
        .first()
    )
    if status is None or not policy.may_record_placement(actor, status.council_id):
        raise NotAllowed("Only the council responsible for a looked-after child records its placement")
    with write_transaction():
        Placement.objects.filter(child=child, ended_on__isnull=True).update(ended_on=started_on)
        placement = Placement.objects.create(
            child=child,
            council=status.council,
            provider=provider,
            started_on=started_on,
            recorded_by_label=actor.label,
            recorded_at=timezone.now(),
        )
        access_reason_record(
            actor=actor,
            organisation=provider,
            person=child,
            kind=ReasonKind.GRANTED,
            detail=f"Child placed with {provider.name}",
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="placement",
            object_id=placement.pk,
            person_id=child.pk,
            reason="recorded a placement",
            detail={"provider": provider.code, "started_on": started_on.isoformat()},
        )
    return placement


def repeat_figures(council: Organisation | None) -> tuple[int, int]:
    """(episodes, days) that make repeat missing in the council's area: its own setting or 3 in 90."""
    setting = RepeatMissingSetting.objects.filter(council=council).first() if council is not None else None
    return (setting.episodes, setting.days) if setting is not None else (REPEAT_EPISODES, REPEAT_DAYS)


def repeat_setting_set(
    *, actor: Actor, council: Organisation, episodes: int, days: int
) -> RepeatMissingSetting:
    """An area sets its own repeat-missing figures (its administrators or partnership leads)."""
    if not policy.may_set_clock_figures(actor, council):
        raise NotAllowed("Only the area's administrators or partnership leads set its figures")
    errors = {}
    if not 2 <= episodes <= 20:
        errors["episodes"] = "Enter a number of episodes from 2 to 20"
    if not 7 <= days <= 365:
        errors["days"] = "Enter a number of days from 7 to 365"
    if errors:
        raise InvalidInput(errors)
    with write_transaction():
        setting, _ = RepeatMissingSetting.objects.update_or_create(
            council=council,
            defaults={
                "episodes": episodes,
                "days": days,
                "set_by_label": actor.label,
                "set_at": timezone.now(),
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="repeat-missing-setting",
            object_id=council.code,
            reason="set the repeat-missing figures",
            detail={"episodes": episodes, "days": days},
        )
    return setting


@dataclass(frozen=True)
class MissingReportInput:
    last_seen_at: dt.datetime | None
    child: PersonInput
    last_seen_where: str = ""
    reported_at: dt.datetime | None = None
    category: str = Category.MISSING
    risk: str = Risk.MEDIUM
    summary: str = ""
    reference: str = ""
    postcode: str = ""
    source: str = Source.WEB
    # Only for episodes imported from another system: the child's council and whether looked after, as the
    # file says, and when the council was really told (absent: the import time).
    council: Organisation | None = None
    looked_after: bool | None = None
    council_told_at: dt.datetime | None = None
    # The reporter's reason for a late notice, where it is asked (recording.checks.EventInput.late_reason).
    late_reason: str | None = None


@dataclass(frozen=True)
class RecordedEpisode:
    episode: MissingEpisode
    recorded: RecordedEvent


def _child_council(child_id: uuid.UUID, recorded: RecordedEvent) -> tuple[Organisation | None, bool]:
    """Whose list the episode is on: the responsible council of a looked-after child, else the council where the
    child lives (as routing told them), else the recorder when it is a council."""
    event = recorded.event
    day = timezone.localtime(event.occurred_at).date()
    open_status = Q(end_date__isnull=True) | Q(end_date__gte=day)
    status = (
        ChildStatus.objects.filter(open_status, person_id=child_id, status=ChildStatusKind.LOOKED_AFTER)
        .select_related("council")
        .first()
    )
    if status is not None:
        return status.council, True
    for route in (Route.RESPONSIBLE_COUNCIL, Route.HOME_COUNCIL):
        for share in recorded.shares:
            if share.route == route:
                return share.recipient, route == Route.RESPONSIBLE_COUNCIL
    address = Address.objects.filter(open_status, person_id=child_id).select_related("council").first()
    if address is not None and address.council is not None:
        return address.council, False
    if event.recorded_by.kind == OrganisationKind.COUNCIL:
        return event.recorded_by, False
    return event.council, False


def _check_report(actor: Actor, data: MissingReportInput) -> None:
    errors: dict[str, str] = {}
    if data.category not in Category.values:
        errors["category"] = "Choose whether the child is missing or away without authorisation"
    if data.risk not in Risk.values:
        errors["risk"] = "Choose the risk: no apparent risk, low, medium or high"
    if len(data.last_seen_where) > 300:
        errors["last_seen_where"] = "Enter at most 300 characters"
    if errors:
        raise InvalidInput(errors)
    placed_with = []
    if data.child.person_id is not None:
        placement = placement_of(data.child.person_id, data.last_seen_at)
        placed_with = [placement.provider_id] if placement is not None else []
    if not policy.may_report_missing(actor, placed_with):
        raise NotAllowed("A carer reports missing only a child placed with their organisation")


def missing_report_record(
    *, actor: Actor, data: MissingReportInput, also: AlsoWrite | None = None
) -> RecordedEpisode:
    """Report a child missing: one missing report (shared at once with the police covering the child's home,
    the child's councils and the allocated social worker) and a new episode, with the first risk grading.
    The child's earlier episodes are counted first: where they make repeat missing, the report says so to
    everyone it reaches (the front door's inbox shows it and prompts a strategy discussion)."""
    _check_report(actor, data)
    repeat = None
    if data.child.person_id is not None and data.last_seen_at is not None:
        repeat = _repeat_if_any(data.child.person_id, data.last_seen_at)
    details: dict = {"risk": data.risk, "episode": data.category}
    if repeat is not None:
        details["repeat_missing"] = {"episodes": repeat[0], "days": repeat[1]}
    made: list[MissingEpisode] = []

    def write_episode(recorded: RecordedEvent) -> None:
        made.append(_episode_write(actor, data, recorded, repeat))
        if also is not None:
            also(recorded)

    recorded = event_record(
        actor=actor,
        data=EventInput(
            kind=EventKind.MISSING,
            reference=data.reference,
            occurred_at=data.last_seen_at,
            reported_at=data.reported_at or data.last_seen_at,
            location=data.last_seen_where,
            postcode=data.postcode,
            council=data.council,
            shared_at=data.council_told_at,
            summary=data.summary,
            details=details,
            people=[data.child],
            source=data.source,
            late_reason=data.late_reason,
        ),
        also=write_episode,
    )
    return RecordedEpisode(made[0], recorded)


def _repeat_if_any(child_id: uuid.UUID, at: dt.datetime) -> tuple[int, int] | None:
    """(episodes including this one, days) when the child's episodes in the area's window reach its figure."""
    council = (
        ChildStatus.objects.filter(
            person_id=child_id, status=ChildStatusKind.LOOKED_AFTER, end_date__isnull=True
        )
        .values_list("council_id", flat=True)
        .first()
    )
    last = MissingEpisode.objects.filter(child_id=child_id).order_by("-last_seen_at").first()
    area = Organisation.objects.filter(pk=council).first() if council else (last.council if last else None)
    episodes, days = repeat_figures(area)
    earlier = MissingEpisode.objects.filter(
        child_id=child_id, last_seen_at__gte=at - dt.timedelta(days=days), last_seen_at__lte=at
    ).count()
    return (earlier + 1, days) if earlier + 1 >= episodes else None


def _episode_write(
    actor: Actor, data: MissingReportInput, recorded: RecordedEvent, repeat: tuple[int, int] | None
) -> MissingEpisode:
    event = recorded.event
    child = event.subjects.get(role=SubjectRole.CHILD).person_id
    council, looked_after = _child_council(child, recorded)
    if data.council is not None:
        council = data.council
    if data.looked_after is not None:
        looked_after = data.looked_after
    told = [
        share.shared_at
        for share in recorded.shares
        if council is not None and share.recipient_id == council.pk
    ]
    episode = MissingEpisode.objects.create(
        child_id=child,
        council=council,
        looked_after=looked_after,
        category=data.category,
        risk=data.risk,
        reference=event.reference,
        reported_by=event.recorded_by,
        missing_report=event,
        last_seen_at=event.occurred_at,
        last_seen_where=event.location,
        reported_at=event.reported_at or event.occurred_at,
        council_told_at=told[0] if told else (event.recorded_at if council == event.recorded_by else None),
        recorded_at=event.recorded_at,
        repeat_count=repeat[0] if repeat is not None else None,
    )
    RiskGrading.objects.create(
        episode=episode,
        risk=data.risk,
        graded_at=episode.reported_at,
        organisation=event.recorded_by,
        graded_by_label=actor.label,
        reason="Graded on the missing report",
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="missing-episode",
        object_id=episode.pk,
        person_id=child,
        reason="reported a child missing",
        detail={"event": str(event.pk), "category": data.category, "risk": data.risk, "repeat": repeat},
    )
    return episode


@dataclass(frozen=True)
class FoundInput:
    found_at: dt.datetime | None
    found_where: str = ""
    found_by: str = ""
    summary: str = ""
    postcode: str = ""
    source: str = Source.WEB
    # The reporter's reason for a late notice, where it is asked (recording.checks.EventInput.late_reason).
    late_reason: str | None = None


def found_report_record(
    *, actor: Actor, episode: MissingEpisode, data: FoundInput, also: AlsoWrite | None = None
) -> RecordedEpisode:
    """Record that a missing child was found or came back: a found report shared like the missing report (and
    with the return-interview service), which starts the 72-hour return interview clock."""
    placement = placement_of(episode.child_id, data.found_at)
    if not policy.may_report_missing(actor, [placement.provider_id] if placement is not None else []):
        raise NotAllowed("A carer reports found only a child placed with their organisation")
    errors: dict[str, str] = {}
    if episode.found_at is not None:
        errors["found_at"] = "This child has already been recorded as found for this episode"
    elif data.found_at is not None and data.found_at < episode.last_seen_at:
        errors["found_at"] = "When the child was found must be after they were last seen"
    if len(data.found_where) > 300 or len(data.found_by) > 300:
        errors["found_where"] = "Enter at most 300 characters"
    if errors:
        raise InvalidInput(errors)
    made: list[MissingEpisode] = []

    def write_found(recorded: RecordedEvent) -> None:
        event = recorded.event
        # Only the first found report closes the episode (two agencies recording it at once).
        closed = MissingEpisode.objects.filter(pk=episode.pk, found_at__isnull=True).update(
            found_report=event,
            found_at=event.occurred_at,
            found_where=data.found_where or event.location,
            found_by=data.found_by or actor.label,
        )
        if not closed:
            raise InvalidInput({"found_at": "This child has already been recorded as found for this episode"})
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="missing-episode",
            object_id=episode.pk,
            person_id=episode.child_id,
            reason="recorded a missing child found",
            detail={"event": str(event.pk)},
        )
        made.append(MissingEpisode.objects.get(pk=episode.pk))
        if also is not None:
            also(recorded)

    recorded = event_record(
        actor=actor,
        data=EventInput(
            kind=EventKind.FOUND,
            reference=episode.reference,
            occurred_at=data.found_at,
            reported_at=data.found_at,
            location=data.found_where,
            postcode=data.postcode,
            # Without a postcode, the child's council (as the episode has it) is where it is told.
            council=episode.council if not data.postcode else None,
            summary=data.summary,
            related_event_id=episode.missing_report_id,
            people=[PersonInput(person_id=episode.child_id)],
            source=data.source,
            late_reason=data.late_reason,
        ),
        also=write_found,
    )
    return RecordedEpisode(made[0], recorded)


def risk_grade(*, actor: Actor, episode: MissingEpisode, risk: str, reason: str = "") -> RiskGrading:
    """The police change an episode's risk grading; every grading is kept with who made it and why."""
    if not policy.may_grade_missing_risk(actor):
        raise NotAllowed("Only the police grade the risk of a missing child")
    errors = {}
    if risk not in Risk.values:
        errors["risk"] = "Choose the risk: no apparent risk, low, medium or high"
    if not reason.strip():
        errors["reason"] = "Say why the risk is graded this way"
    if errors:
        raise InvalidInput(errors)
    assert actor.organisation is not None
    with write_transaction():
        grading = RiskGrading.objects.create(
            episode=episode,
            risk=risk,
            graded_at=timezone.now(),
            organisation=actor.organisation,
            graded_by_label=actor.label,
            reason=reason.strip(),
        )
        MissingEpisode.objects.filter(pk=episode.pk).update(risk=risk)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="missing-episode",
            object_id=episode.pk,
            person_id=episode.child_id,
            reason="graded the risk of a missing child",
            detail={"risk": risk, "was": episode.risk},
        )
    episode.risk = risk
    return grading


def episode_update_add(*, actor: Actor, episode: MissingEpisode, text: str) -> EpisodeUpdate:
    """Any agency that may see the episode adds what it learns while the child is missing."""
    if not policy.works_cases(actor) or actor.organisation is None:
        raise NotAllowed("Only case-working roles add updates")
    if not text.strip():
        raise InvalidInput({"text": "Enter the update"})
    with write_transaction():
        update = EpisodeUpdate.objects.create(
            episode=episode,
            at=timezone.now(),
            organisation=actor.organisation,
            by_label=actor.label,
            text=text.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="missing-episode",
            object_id=episode.pk,
            person_id=episode.child_id,
            reason="added an update to a missing episode",
        )
    return update


def safe_and_well_record(
    *, actor: Actor, episode: MissingEpisode, at: dt.datetime | None, notes: str = ""
) -> MissingEpisode:
    """The police record the safe-and-well check made when the child is back."""
    if not policy.may_grade_missing_risk(actor):
        raise NotAllowed("Only the police record the safe-and-well check")
    problem = instant_problem(
        at,
        now=timezone.now(),
        missing="Enter when the check was made",
        future="The check must be in the past",
    )
    errors = {"at": problem} if problem else {}
    if not errors and (episode.found_at is None or at is None or at < episode.found_at):
        errors["at"] = "The safe-and-well check is made after the child is found"
    if errors:
        raise InvalidInput(errors)
    with write_transaction():
        MissingEpisode.objects.filter(pk=episode.pk).update(
            safe_and_well_at=at, safe_and_well_by=actor.label, safe_and_well_notes=notes.strip()
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="missing-episode",
            object_id=episode.pk,
            person_id=episode.child_id,
            reason="recorded the safe-and-well check",
        )
    episode.refresh_from_db()
    return episode


def _return_interview_clocks(episode: MissingEpisode) -> list[Clock]:
    if episode.found_report_id is None:
        return []
    return list(
        Clock.objects.filter(
            rule=ClockRule.RETURN_INTERVIEW,
            subject_type="event",
            subject_id=str(episode.found_report_id),
            person_id=episode.child_id,
        )
    )


def _may_interview(actor: Actor, episode: MissingEpisode) -> None:
    if not policy.may_work_return_interviews(actor):
        raise NotAllowed("Only return-interview practitioners offer and record return interviews")


def return_interview_offer(
    *,
    actor: Actor,
    episode: MissingEpisode,
    offered_at: dt.datetime | None,
    offered_to: str,
    response: str = InterviewResponse.WAITING,
    declined_reason: str = "",
    late_reason: str = "",
) -> ReturnInterview:
    """Offer the child a return home interview. The offer meets the 72-hour clock the found report started
    (a declined offer meets it too, with the child's reason kept); an offer after it needs the reason why."""
    _may_interview(actor, episode)
    now = timezone.now()
    errors: dict[str, str] = {}
    problem = instant_problem(
        offered_at,
        now=now,
        missing="Enter when the interview was offered",
        future="The offer must be in the past",
    )
    if problem:
        errors["offered_at"] = problem
    elif episode.found_at is None:
        errors["offered_at"] = "A return interview is offered once the child is back"
    elif offered_at is not None and offered_at < episode.found_at:
        errors["offered_at"] = "The offer must be after the child was found"
    if not offered_to.strip():
        errors["offered_to"] = "Enter who the interview was offered to (the child, and a parent or carer)"
    elif len(offered_to) > 300:
        errors["offered_to"] = "Enter at most 300 characters"
    if response not in InterviewResponse.values:
        errors["response"] = "Choose whether the child accepted, declined or has not answered yet"
    if response == InterviewResponse.DECLINED and not declined_reason.strip():
        errors["declined_reason"] = "Enter the child's reason for declining"
    if hasattr(episode, "return_interview"):
        errors["offered_at"] = "An interview has already been offered for this episode"
    clocks = _return_interview_clocks(episode)
    late = [
        clock for clock in clocks if clock.stopped_at is None and offered_at and offered_at > clock.due_at
    ]
    if late and not late_reason.strip() and not errors:
        errors["late_reason"] = "The offer was after the 72 hours: give the reason for the delay"
    if errors:
        raise InvalidInput(errors)
    assert actor.organisation is not None and offered_at is not None
    with write_transaction():
        interview = ReturnInterview.objects.create(
            episode=episode,
            service=actor.organisation,
            offered_at=offered_at,
            offered_to=offered_to.strip(),
            offered_by_label=actor.label,
            response=response,
            declined_reason=declined_reason.strip() if response == InterviewResponse.DECLINED else "",
        )
        for clock in clocks:
            clock_stop(actor=actor, clock=clock, at=offered_at, breach_reason=late_reason)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="return-interview",
            object_id=interview.pk,
            person_id=episode.child_id,
            reason="offered a return home interview",
            detail={"response": response},
        )
    return interview


def return_interview_answer(
    *, actor: Actor, interview: ReturnInterview, response: str, declined_reason: str = ""
) -> ReturnInterview:
    """Record the child's answer to the offer: accepted, or declined with their reason."""
    _may_interview(actor, interview.episode)
    if response not in (InterviewResponse.ACCEPTED, InterviewResponse.DECLINED):
        raise InvalidInput({"response": "Choose whether the child accepted or declined"})
    if response == InterviewResponse.DECLINED and not declined_reason.strip():
        raise InvalidInput({"declined_reason": "Enter the child's reason for declining"})
    with write_transaction():
        interview.response = response
        interview.declined_reason = declined_reason.strip() if response == InterviewResponse.DECLINED else ""
        interview.save(update_fields=["response", "declined_reason"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="return-interview",
            object_id=interview.pk,
            person_id=interview.episode.child_id,
            reason=f"recorded the child {response} the return interview",
        )
    return interview


def independence_conflict(interviewer: User, child_id: uuid.UUID, at: dt.datetime) -> str:
    """Why the interviewer is not independent of the child, in plain words, or "" if they are: they work for the
    child's placement, or are in the child's social work team (the allocated social worker's team at the
    responsible council). Independence is checked, not assumed (issue 15; domain.md section 1)."""
    placement = placement_of(child_id, at)
    if placement is not None and interviewer.organisation_id == placement.provider_id:
        return f"works for the child's placement ({placement.provider.name})"
    day = timezone.localtime(at).date()
    statuses = ChildStatus.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day), person_id=child_id
    ).select_related("social_worker")
    for status in statuses:
        worker = status.social_worker
        if worker is None or worker.organisation_id != interviewer.organisation_id:
            continue
        if worker.pk == interviewer.pk:
            return "is the child's social worker"
        if worker.team and worker.team == interviewer.team:
            return f"is in the child's social work team ({worker.team})"
    return ""


@dataclass(frozen=True)
class InterviewOutcome:
    held_at: dt.datetime | None
    held_where: str
    why_went: str
    where_went: str = ""
    with_whom: str = ""
    exploitation: Sequence[str] = ()
    child_wishes: str = ""
    actions: dict[str, str] = field(default_factory=dict)
    places: Sequence[str] = ()
    associates: Sequence[str] = ()
    independence_exception: str = ""


def return_interview_record(
    *, actor: Actor, interview: ReturnInterview, interviewer: User, outcome: InterviewOutcome
) -> ReturnInterview:
    """Record the interview held and what it found. The interviewer's independence from the child's placement
    and social work team is checked; where they are not independent, the exception needs a reason. The findings
    are shared at once with the police and the child's social worker (a return-interview event)."""
    episode = interview.episode
    _may_interview(actor, episode)
    now = timezone.now()
    errors: dict[str, str] = {}
    problem = instant_problem(
        outcome.held_at,
        now=now,
        missing="Enter when the interview was held",
        future="The interview must be in the past",
    )
    if problem:
        errors["held_at"] = problem
    elif outcome.held_at is not None and outcome.held_at < interview.offered_at:
        errors["held_at"] = "The interview must be held after it was offered"
    if interview.outcome_recorded_at is not None:
        errors["held_at"] = "This interview's outcome has already been recorded"
    if interview.response == InterviewResponse.DECLINED:
        errors["held_at"] = "The child declined this interview"
    if not outcome.held_where.strip():
        errors["held_where"] = "Enter where the interview was held"
    if not outcome.why_went.strip():
        errors["why_went"] = "Enter why the child went missing, in their words where possible"
    unknown = set(outcome.exploitation) - set(Exploitation.values)
    if unknown:
        errors["exploitation"] = "Choose from criminal exploitation, sexual exploitation and county lines"
    if actor.organisation is not None and interviewer.organisation_id != actor.organisation.pk:
        errors["interviewer"] = "Choose an interviewer from your organisation"
    conflict = independence_conflict(interviewer, episode.child_id, outcome.held_at or now)
    if conflict and not outcome.independence_exception.strip():
        errors["independence_exception"] = (
            f"The interviewer {conflict}, so is not independent: give the reason for the exception"
        )
    for name in ("held_where",):
        if len(getattr(outcome, name)) > 300:
            errors[name] = "Enter at most 300 characters"
    if errors:
        raise InvalidInput(errors)
    places = [name.strip() for name in outcome.places if name.strip()]
    associates = [name.strip() for name in outcome.associates if name.strip()]
    summary = "Return home interview held. " + outcome.why_went.strip()

    def write_outcome(recorded: RecordedEvent) -> None:
        ReturnInterview.objects.filter(pk=interview.pk).update(
            response=InterviewResponse.ACCEPTED,
            held_at=outcome.held_at,
            held_where=outcome.held_where.strip(),
            interviewer=interviewer,
            interviewer_label=interviewer.get_full_name() or interviewer.username,
            independent=not conflict,
            independence_conflict=conflict,
            independence_exception=outcome.independence_exception.strip() if conflict else "",
            why_went=outcome.why_went.strip(),
            where_went=outcome.where_went.strip(),
            with_whom=outcome.with_whom.strip(),
            exploitation=sorted(set(outcome.exploitation)),
            child_wishes=outcome.child_wishes.strip(),
            actions={agency: text.strip() for agency, text in outcome.actions.items() if text.strip()},
            outcome_recorded_at=now,
            findings=recorded.event,
        )
        seen_with_add(
            episode,
            [(SeenKind.PLACE, name) for name in places] + [(SeenKind.ASSOCIATE, name) for name in associates],
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="return-interview",
            object_id=interview.pk,
            person_id=episode.child_id,
            reason="recorded a return home interview",
            detail={"independent": not conflict, "exploitation": sorted(set(outcome.exploitation))},
        )

    event_record(
        actor=actor,
        data=EventInput(
            kind=EventKind.RETURN_INTERVIEW,
            reference=episode.reference,
            occurred_at=outcome.held_at,
            reported_at=outcome.held_at,
            location=outcome.held_where.strip(),
            summary=summary,
            details={
                "missing_episode": str(episode.pk),
                "why_went": outcome.why_went.strip(),
                "where_went": outcome.where_went.strip(),
                "with_whom": outcome.with_whom.strip(),
                "exploitation": sorted(set(outcome.exploitation)),
                "child_wishes": outcome.child_wishes.strip(),
                "actions": dict(outcome.actions),
                "independent": not conflict,
            },
            related_event_id=None,
            people=[PersonInput(person_id=episode.child_id)],
        ),
        also=write_outcome,
    )
    interview.refresh_from_db()
    return interview


def seen_with_add(episode: MissingEpisode, items: Sequence[tuple[str, str]]) -> None:
    """Keep the places and associates of an episode, keyed as agencies would type them, for the patterns list."""
    SeenWith.objects.bulk_create(
        SeenWith(
            episode=episode,
            child_id=episode.child_id,
            council_id=episode.council_id,
            kind=kind,
            name=name[:200],
            key=name_key(name, "")[:200],
        )
        for kind, name in items
        if name_key(name, "")
    )
