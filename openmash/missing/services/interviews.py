"""Return home interviews: offered within 72 hours of a child's return (the clock a found report started),
accepted or declined, held by an independent interviewer (checked, not assumed), and their findings shared."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.accounts.models import User
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks.models import Clock
from openmash.clocks.services import clock_stop
from openmash.database import write_transaction
from openmash.events.models import EventKind
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import InvalidInput, NotAllowed
from openmash.lib.instants import instant_problem
from openmash.missing.models import (
    Exploitation,
    InterviewResponse,
    MissingEpisode,
    ReturnInterview,
    SeenKind,
)
from openmash.missing.services.episodes import seen_with_add
from openmash.missing.services.placements import placement_of
from openmash.people.models import ChildStatus
from openmash.recording.services import EventInput, PersonInput, RecordedEvent, event_record


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
