"""Reads about missing children: the episodes an organisation may see, an episode with every agency's part and
its clocks, the return-interview service's returned children, a council's missing-children list, and the
places and associates that recur across children. Every read naming a child is audited."""

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks.models import Clock
from openmash.events.models import Event, Source
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import NotAllowed, NotFound
from openmash.missing.models import (
    Category,
    InterviewResponse,
    MissingEpisode,
    ReturnInterview,
    SeenWith,
)
from openmash.organisations.models import Organisation
from openmash.people import selectors as people_selectors
from openmash.people.models import Person
from openmash.sharing import selectors as sharing_selectors
from openmash.sharing.models import ImportedAs, Share


def visible_episodes(actor: Actor) -> QuerySet[MissingEpisode]:
    """The episodes an organisation may see, as the policy says (``policy.visible_missing_episodes``): those
    whose missing or found report it recorded or was sent, a council's own list, an inspectorate's sampled
    children's episodes."""
    events = sharing_selectors.visible_events(actor).values("pk")
    episodes = policy.visible_missing_episodes(actor, MissingEpisode.objects.all(), events)
    # An import not all in yet is seen by no one (its reports are held).
    return episodes.exclude(missing_report__source=Source.HELD)


def _audit_view(actor: Actor, what: str, object_id: object, person_id: uuid.UUID | None, reason: str) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type=what,
            object_id=object_id,
            person_id=person_id,
            reason=reason,
        )


def episode_get(*, actor: Actor, episode_id: uuid.UUID | str) -> MissingEpisode:
    """An episode the actor may see, unaudited (for a write that audits itself), or NotFound."""
    try:
        pk = uuid.UUID(str(episode_id))
    except ValueError as error:
        raise NotFound("No such episode") from error
    episode = (
        visible_episodes(actor)
        .select_related("child", "council", "reported_by", "missing_report", "found_report")
        .filter(pk=pk)
        .first()
    )
    if episode is None:
        raise NotFound("No such episode")
    return episode


@dataclass(frozen=True)
class Step:
    """One agency's part in an episode: what, who, when, and its clock where one runs."""

    what: str
    who: str
    at: dt.datetime | None
    due_at: dt.datetime | None = None
    # Positive: late by this much; negative: this much to spare; None: no clock, or not done yet.
    gap: dt.timedelta | None = None
    clock_title: str = ""
    note: str = ""

    @property
    def late(self) -> bool:
        return self.gap is not None and self.gap > dt.timedelta(0)

    @property
    def gap_words(self) -> str:
        if self.gap is None:
            return ""
        minutes = abs(int(self.gap.total_seconds() // 60))
        hours, minutes = divmod(minutes, 60)
        days, hours = divmod(hours, 24)
        parts = [
            f"{n} {unit}{'' if n == 1 else 's'}"
            for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
            if n
        ]
        words = " ".join(parts) or "0 minutes"
        return f"{words} late" if self.late else f"{words} to spare"


@dataclass
class OpenedEpisode:
    episode: MissingEpisode
    steps: list[Step]
    interview: ReturnInterview | None
    gradings: list
    updates: list
    clocks: list[Clock] = field(default_factory=list)
    reason: str = ""
    # False for a recorder linked to a record it may not see (decision 0012): it is not shown what the record
    # holds (the child's council, whether looked after, other agencies' shares).
    sees_child: bool = True
    # The child's name as this viewer may know it: the record's, or (linked unseen, decisions 0012 and 0014)
    # the name the viewer's own report gave.
    child_name: str = ""


def _share_steps(actor: Actor, event: Event, label: str, sees_child: bool) -> list[Step]:
    """The shares of an event as this actor may know them: its own; the recorder's, those it is told of
    (``Share.sender_sees``); any other agency's only where it may see the child's record."""
    steps = []
    organisation_id = actor.organisation.pk if actor.organisation is not None else None
    for share in Share.objects.filter(event=event).select_related("recipient").order_by("shared_at"):
        if not (
            share.recipient_id == organisation_id
            or (event.recorded_by_id == organisation_id and share.sender_sees)
            or sees_child
        ):
            continue
        done = share.delivered_at
        gap = (done - share.due_at) if (done is not None and share.due_at is not None) else None
        steps.append(
            Step(
                what=f"{label} shared",
                who=share.recipient.name,
                at=share.shared_at,
                due_at=share.due_at,
                gap=gap,
                clock_title="Missing child: the child's social worker told"
                if share.clock_rule == ClockRule.MISSING_NOTIFICATION
                else "",
                note=(
                    f"Delivered {timezone.localtime(share.delivered_at):%-d %b %Y %H:%M}"
                    if share.delivered_at
                    else "Not delivered yet"
                )
                + (", read" if share.first_read_at else "")
                + (", acknowledged" if share.acknowledged_at else ""),
            )
        )
    return steps


def episode_open(*, actor: Actor, episode_id: uuid.UUID | str) -> OpenedEpisode:
    """An episode with every agency's part in time order and the gap between each step and its clock.
    Audited as a read of the child's record."""
    episode = episode_get(actor=actor, episode_id=episode_id)
    seen = people_selectors.reason_to_see(actor, episode.child_id)
    reason = seen or "received the episode"
    sees_child = seen is not None
    # Other agencies' shares are part of the child's multi-agency record: not for a school or a carer.
    sees_record = sees_child and policy.record_scope(actor) == policy.RecordScope.FULL
    _audit_view(actor, "missing-episode", episode.pk, episode.child_id, reason)
    steps: list[Step] = [
        Step("Last seen", episode.last_seen_where or "Place not given", episode.last_seen_at),
        Step("Reported missing", episode.reported_by.name, episode.reported_at),
    ]
    steps += _share_steps(actor, episode.missing_report, "Missing report", sees_record)
    for grading in episode.gradings.all():
        steps.append(
            Step(
                f"Risk graded {grading.get_risk_display().lower()}",
                grading.graded_by_label,
                grading.graded_at,
                note=grading.reason,
            )
        )
    interview = ReturnInterview.objects.filter(episode=episode).first()
    clocks: list[Clock] = []
    if episode.found_report is not None:
        steps.append(
            Step(
                "Found",
                episode.found_by or episode.found_report.recorded_by_label,
                episode.found_at,
                note=episode.found_where,
            )
        )
        steps += _share_steps(actor, episode.found_report, "Found report", sees_record)
        clocks = list(
            Clock.objects.filter(
                rule=ClockRule.RETURN_INTERVIEW, subject_type="event", subject_id=str(episode.found_report_id)
            ).select_related("organisation")
        )
    if episode.safe_and_well_at is not None:
        steps.append(
            Step(
                "Safe-and-well check",
                episode.safe_and_well_by,
                episode.safe_and_well_at,
                note=episode.safe_and_well_notes,
            )
        )
    for clock in clocks:
        offered = interview.offered_at if interview is not None else None
        steps.append(
            Step(
                "Return interview offered" if offered else "Return interview to be offered",
                interview.service.name if interview is not None else clock.organisation.name,
                offered,
                due_at=clock.due_at,
                gap=(offered - clock.due_at) if offered is not None else None,
                clock_title="Return home interview offered within 72 hours",
                note=clock.breach_reason,
            )
        )
    if interview is not None and interview.response == InterviewResponse.DECLINED:
        steps.append(
            Step(
                "Declined by the child",
                interview.offered_to,
                interview.offered_at,
                note=interview.declined_reason,
            )
        )
    if interview is not None and interview.held_at is not None:
        steps.append(
            Step(
                "Return interview held",
                interview.interviewer_label,
                interview.held_at,
                note=interview.held_where,
            )
        )
        if interview.findings is not None:
            steps += _share_steps(actor, interview.findings, "Interview findings", sees_record)
    steps.sort(key=lambda step: (step.at is None, step.at or timezone.now()))
    return OpenedEpisode(
        episode=episode,
        steps=steps,
        interview=interview,
        gradings=list(episode.gradings.all()),
        updates=list(episode.updates.all()),
        clocks=clocks,
        reason=reason,
        sees_child=sees_child,
        child_name=episode.child.full_name if sees_child else _name_as_reported(episode),
    )


def _name_as_seen(actor: Actor, episodes: list[MissingEpisode]) -> None:
    """Give each listed episode ``child_name``: the record's name where the viewer may see the child, otherwise
    the name its own report gave (a recorder linked to a record it may not see: decisions 0012 and 0014)."""
    seen = set(
        people_selectors.visible_among(
            actor, Person.objects.filter(pk__in={episode.child_id for episode in episodes})
        ).values_list("pk", flat=True)
    )
    for episode in episodes:
        episode.child_name = (  # type: ignore[attr-defined]
            episode.child.full_name if episode.child_id in seen else _name_as_reported(episode)
        )


def _name_as_reported(episode: MissingEpisode) -> str:
    """The child's name as the episode's missing report gave it (events.EventSubject.name_as_recorded)."""
    subject = episode.missing_report.subjects.filter(person_id=episode.child_id).first()
    return subject.name_as_recorded if subject is not None else "the child"


def episodes_search(
    *,
    actor: Actor,
    council: Organisation | None = None,
    child: uuid.UUID | None = None,
    open_only: bool | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = 500,
) -> list[MissingEpisode]:
    """Episodes the actor may see, newest first, by council, child, open or closed, and period. Audited."""
    episodes = visible_episodes(actor).select_related("child", "council", "reported_by")
    if council is not None:
        episodes = episodes.filter(council=council)
    if child is not None:
        episodes = episodes.filter(child_id=child)
    if open_only is not None:
        episodes = episodes.filter(found_at__isnull=open_only)
    if since is not None:
        episodes = episodes.filter(last_seen_at__gte=since)
    if until is not None:
        episodes = episodes.filter(last_seen_at__lt=until)
    listed = list(episodes.order_by("-last_seen_at")[:limit])
    _name_as_seen(actor, listed)
    if listed:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="missing-episodes",
                reason="listed missing episodes",
                detail={"people": sorted({str(episode.child_id) for episode in listed})},
            )
    return listed


@dataclass(frozen=True)
class ReturnedChild:
    episode: MissingEpisode
    interview: ReturnInterview | None
    due_at: dt.datetime | None


def returned_children(*, actor: Actor) -> list[ReturnedChild]:
    """The return-interview service's inbox: children found from episodes it was told of, newest first, each
    with its interview (if offered) and when the offer is due."""
    if not policy.may_work_return_interviews(actor) or actor.organisation is None:
        raise NotFound("Not available to this role")
    # As soon as the found report is shared (the inbox delivery may follow a moment later). Not an episode
    # imported as history: it was dealt with elsewhere and is nobody's work now.
    received = (
        Share.objects.filter(recipient=actor.organisation)
        .exclude(imported_as=ImportedAs.HISTORY)
        .values("event_id")
    )
    episodes = list(
        MissingEpisode.objects.filter(found_report__in=received)
        .select_related("child", "council")
        .order_by("-found_at")[:300]
    )
    interviews = {item.episode_id: item for item in ReturnInterview.objects.filter(episode__in=episodes)}
    dues = {
        (clock.subject_id, clock.person_id): clock.due_at
        for clock in Clock.objects.filter(
            rule=ClockRule.RETURN_INTERVIEW, subject_id__in=[str(e.found_report_id) for e in episodes]
        )
    }
    if episodes:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="returned-children",
                reason="read the returned children",
                detail={"people": sorted({str(episode.child_id) for episode in episodes})},
            )
    return [
        ReturnedChild(
            episode, interviews.get(episode.pk), dues.get((str(episode.found_report_id), episode.child_id))
        )
        for episode in episodes
    ]


@dataclass(frozen=True, slots=True)
class ListedPerson:
    pk: uuid.UUID
    given_name: str
    family_name: str
    date_of_birth: dt.date | None

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


@dataclass(frozen=True, slots=True)
class LastEpisode:
    pk: uuid.UUID
    category: str
    last_seen_at: dt.datetime
    reported_at: dt.datetime
    council_told_at: dt.datetime | None
    found_at: dt.datetime | None


@dataclass
class ListedChild:
    """A line of a council's missing-children list."""

    child: ListedPerson
    missing_12_months: int = 0
    away_12_months: int = 0
    last_episode: LastEpisode | None = None
    offered: bool = False
    accepted: bool = False
    offered_in_time: bool | None = None
    council_told_in_time: bool | None = None


def missing_list(
    *,
    actor: Actor,
    council: Organisation,
    as_of: dt.datetime | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    audit: bool = True,
) -> list[ListedChild]:
    """Every child of the council with an episode in the period (the 12 months to ``as_of`` by default): their
    missing and away episodes in the last 12 months, whether a return interview was offered and accepted after
    the last one, and whether it was offered within 72 hours. Audited as a read of every child listed."""
    if not policy.may_see_missing_list(actor, council.pk):
        raise NotFound("Not available to this role")
    as_of = as_of or timezone.now()
    year_ago = as_of - dt.timedelta(days=365)
    since = since or year_ago
    until = until or as_of
    window_start = min(since, year_ago)
    # Counted in the database, a row a child (one range scan of episode_council_idx); only each child's last
    # episode of the period is read back, with its interview: a few thousand rows converted, not every episode.
    episodes = MissingEpisode.objects.filter(
        council=council, last_seen_at__gte=window_start, last_seen_at__lt=max(until, as_of)
    ).exclude(missing_report__source=Source.HELD)
    last_year = Q(last_seen_at__gte=year_ago, last_seen_at__lt=as_of)
    in_period = Q(last_seen_at__gte=since, last_seen_at__lt=until)
    last_of_child = (
        MissingEpisode.objects.filter(council=council, child_id=OuterRef("child_id"), last_seen_at__lt=until)
        .exclude(missing_report__source=Source.HELD)
        .order_by("-last_seen_at")
        .values("id")[:1]
    )
    counted = list(
        episodes.values("child_id")
        .annotate(
            missing=Count("id", filter=last_year & ~Q(category=Category.AWAY)),
            away=Count("id", filter=last_year & Q(category=Category.AWAY)),
            in_period=Count("id", filter=in_period),
            last_id=Subquery(last_of_child),
        )
        .filter(in_period__gt=0)
        .values_list("child_id", "missing", "away", "last_id")
    )
    # Plain values, not model instances: thousands of rows a read.
    people = {
        row[0]: ListedPerson(*row)
        for row in Person.objects.filter(pk__in=[child_id for child_id, *_rest in counted]).values_list(
            "id", "given_name", "family_name", "date_of_birth"
        )
    }
    last_ids = [last_id for *_rest, last_id in counted]
    lasts = {
        row[0]: LastEpisode(*row)
        for row in MissingEpisode.objects.filter(pk__in=last_ids).values_list(
            "id", "category", "last_seen_at", "reported_at", "council_told_at", "found_at"
        )
    }
    interviews = {
        episode_id: (offered_at, response)
        for episode_id, offered_at, response in ReturnInterview.objects.filter(
            episode_id__in=last_ids
        ).values_list("episode_id", "offered_at", "response")
    }
    listed: dict[uuid.UUID, ListedChild] = {}
    for child_id, missing, away, last_id in counted:
        listed[child_id] = ListedChild(
            child=people[child_id],
            missing_12_months=missing,
            away_12_months=away,
            last_episode=lasts.get(last_id),
        )
    for line in listed.values():
        last = line.last_episode
        interview = interviews.get(last.pk) if last is not None else None
        line.offered = interview is not None
        line.accepted = interview is not None and interview[1] == InterviewResponse.ACCEPTED
        if interview is not None and last is not None and last.found_at is not None:
            line.offered_in_time = interview[0] <= last.found_at + dt.timedelta(hours=72)
        if last is not None and last.council_told_at is not None:
            line.council_told_in_time = last.council_told_at <= last.reported_at + dt.timedelta(hours=1)
    result = sorted(listed.values(), key=lambda line: (line.child.family_name, line.child.given_name))
    if audit and result:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="missing-list",
                object_id=council.code,
                reason="read the missing-children list",
                detail={"children": len(result), "since": since.isoformat(), "until": until.isoformat()},
            )
    return result


@dataclass(frozen=True)
class Pattern:
    kind: str
    name: str
    children: list[Person]


def exploitation_patterns(*, actor: Actor, council: Organisation, days: int = 365) -> list[Pattern]:
    """Places and named associates recorded in two or more different children's episodes or return interviews
    in the area over the period, each with its children, for the area's exploitation lead."""
    if not policy.may_see_exploitation_patterns(actor, council.pk):
        raise NotAllowed("Only the area's exploitation lead sees patterns across children")
    since = timezone.now() - dt.timedelta(days=days)
    seen = SeenWith.objects.filter(council=council, episode__last_seen_at__gte=since).select_related("child")
    grouped: dict[tuple[str, str], dict[uuid.UUID, Person]] = defaultdict(dict)
    names: dict[tuple[str, str], str] = {}
    for item in seen:
        grouped[(item.kind, item.key)][item.child_id] = item.child
        names.setdefault((item.kind, item.key), item.name)
    patterns = [
        Pattern(
            kind, names[(kind, key)], sorted(children.values(), key=lambda p: (p.family_name, p.given_name))
        )
        for (kind, key), children in grouped.items()
        if len(children) >= 2
    ]
    patterns.sort(key=lambda p: (-len(p.children), p.kind, p.name))
    if patterns:
        with transaction.atomic():
            audit_record(
                actor=actor,
                action=AuditAction.VIEW,
                object_type="exploitation-patterns",
                object_id=council.code,
                reason="read places and associates across children",
                detail={"people": sorted({str(p.pk) for pattern in patterns for p in pattern.children})},
            )
    return patterns
