"""Reads of clocks: what is overdue or due soon for a person, their team and their organisation."""

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.accounts.models import Role, User
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks import engine
from openmash.clocks.models import Allocation, Clock, WorkType
from openmash.events.models import EventKind, EventSubject
from openmash.lib.errors import NotFound
from openmash.organisations.models import Organisation
from openmash.people import selectors as people_selectors
from openmash.people.models import Person, PersonKind
from openmash.sharing.models import Escalation, Share

LIST_LIMIT = 200


class Scope:
    MINE = "mine"
    TEAM = "team"
    ORGANISATION = "organisation"
    LABELS = {MINE: "Mine", TEAM: "My team", ORGANISATION: "My organisation"}


def open_clocks(
    *, rule: str | None = None, person: Person | None = None, organisation: Organisation | None = None
) -> QuerySet[Clock]:
    """Clocks still running, for the services of other apps (no actor: they check access themselves)."""
    clocks = Clock.objects.filter(stopped_at__isnull=True)
    if rule is not None:
        clocks = clocks.filter(rule=rule)
    if person is not None:
        clocks = clocks.filter(person=person)
    if organisation is not None:
        clocks = clocks.filter(organisation=organisation)
    return clocks


def scopes_for(actor: Actor) -> list[str]:
    """Everyone who works cases sees their own and their organisation's; a team manager also sees the team's."""
    if actor.user is None or not policy.works_cases(actor):
        return []
    scopes = [Scope.MINE]
    if actor.user.team:
        scopes.append(Scope.TEAM)
    scopes.append(Scope.ORGANISATION)
    return scopes


def _in_scope(actor: Actor, scope: str) -> QuerySet[Clock]:
    if scope not in scopes_for(actor):
        raise NotFound("No such list")
    assert actor.user is not None and actor.organisation is not None
    clocks = Clock.objects.filter(organisation=actor.organisation, stopped_at__isnull=True)
    if policy.vetting_only(actor):
        clocks = clocks.filter(event__kind__in=policy.VETTING_EVENT_KINDS)
    if scope == Scope.MINE:
        return clocks.filter(owner=actor.user)
    if scope == Scope.TEAM:
        return clocks.filter(owner__team=actor.user.team, owner__organisation=actor.organisation)
    return clocks


def _open_shares(actor: Actor) -> QuerySet[Share]:
    """Notifications the organisation has received and not yet acknowledged, that have a deadline."""
    shares = Share.objects.filter(
        recipient=actor.organisation,
        delivered_at__isnull=False,
        acknowledged_at__isnull=True,
        due_at__isnull=False,
    )
    if policy.vetting_only(actor):
        shares = shares.filter(event__kind__in=policy.VETTING_EVENT_KINDS)
    return shares


def _share_allocations(organisation: Organisation) -> dict[uuid.UUID, Allocation]:
    """The organisation's current allocations of notifications, by share id. Allocation keeps the work's id as
    text (it allocates several kinds of work), so the ids are matched here rather than joined."""
    allocations = Allocation.objects.filter(
        organisation=organisation, work_type=WorkType.SHARE, ended_at__isnull=True
    ).select_related("worker")
    return {uuid.UUID(allocation.work_id): allocation for allocation in allocations}


def _shares_in_scope(actor: Actor, scope: str, allocations: dict[uuid.UUID, Allocation]) -> QuerySet[Share]:
    shares = _open_shares(actor)
    assert actor.user is not None
    if scope == Scope.MINE:
        return shares.filter(pk__in=[pk for pk, a in allocations.items() if a.worker_id == actor.user.pk])
    if scope == Scope.TEAM:
        team = actor.user.team
        return shares.filter(pk__in=[pk for pk, a in allocations.items() if a.worker.team == team])
    return shares


class Group:
    """When open work falls due, as the deadlines page groups it."""

    OVERDUE = "overdue"
    TODAY = "today"
    WEEK = "week"
    LATER = "later"
    LABELS = {OVERDUE: "Overdue", TODAY: "Due today", WEEK: "Due in the next 7 days", LATER: "Due later"}


def _group_bounds(now: dt.datetime) -> dict[str, tuple[dt.datetime | None, dt.datetime | None]]:
    """Each group's [from, to) in UK time: "today" ends at midnight, "the next 7 days" a week after that."""
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_today = midnight + dt.timedelta(days=1)
    end_of_week = end_of_today + dt.timedelta(days=7)
    return {
        Group.OVERDUE: (None, now),
        Group.TODAY: (now, end_of_today),
        Group.WEEK: (end_of_today, end_of_week),
        Group.LATER: (end_of_week, None),
    }


def _due_between(low: dt.datetime | None, high: dt.datetime | None) -> Q:
    condition = Q()
    if low is not None:
        condition &= Q(due_at__gte=low)
    if high is not None:
        condition &= Q(due_at__lt=high)
    return condition


NOTIFICATIONS = "notifications"


@dataclass(frozen=True)
class WorkItem:
    """One piece of open work with a deadline: a clock, or a notification waiting for a decision."""

    work_type: str
    work_id: str
    title: str
    children: str
    started_at: dt.datetime
    due_at: dt.datetime
    worker: User | None
    url: str

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.due_at < now


def names_as_seen(actor: Actor, clocks: list[Clock]) -> dict[uuid.UUID, tuple[str, bool]]:
    """Each clock's child as the organisation may name them, and whether it may open their record: the
    record's name where it may see the child (nearly always: its own work started the clock), otherwise the
    name its own event gave (a recorder linked by an identifier or by likeness to a record it may not see,
    decisions 0012 and 0014: the record's own spelling would tell it something the record holds)."""
    people = {clock.person_id for clock in clocks if clock.person_id is not None}
    if not people:
        return {}
    seen = set(
        people_selectors.visible_among(actor, Person.objects.filter(pk__in=people)).values_list(
            "pk", flat=True
        )
    )
    unseen = [clock for clock in clocks if clock.person_id is not None and clock.person_id not in seen]
    recorded: dict[tuple[uuid.UUID, uuid.UUID], str] = {
        (subject.event_id, subject.person_id): subject.name_as_recorded
        for subject in EventSubject.objects.filter(
            event_id__in={clock.event_id for clock in unseen},
            person_id__in={clock.person_id for clock in unseen},
        ).select_related("person")
    }
    names: dict[uuid.UUID, tuple[str, bool]] = {}
    for clock in clocks:
        if clock.person is None or clock.person_id is None:
            continue
        if clock.person_id in seen:
            names[clock.pk] = (clock.person.full_name, True)
        else:
            recorded_name = recorded.get((clock.event_id, clock.person_id)) if clock.event_id else None
            names[clock.pk] = (recorded_name or "the child", False)
    return names


def _clock_item(clock: Clock, titles: dict[str, str], names: dict[uuid.UUID, tuple[str, bool]]) -> WorkItem:
    return WorkItem(
        work_type=WorkType.CLOCK,
        work_id=str(clock.pk),
        title=titles.get(clock.rule, "Deadline"),
        children=names[clock.pk][0] if clock.pk in names else "",
        started_at=clock.started_at,
        due_at=clock.due_at,
        worker=clock.owner,
        url=reverse("clocks:clock", args=[clock.pk]),
    )


def _share_item(share: Share, allocations: dict[uuid.UUID, Allocation]) -> WorkItem:
    assert share.due_at is not None
    allocation = allocations.get(share.pk)
    children = [p.full_name for p in share.people.all() if p.kind in (PersonKind.CHILD, PersonKind.UNBORN)]
    return WorkItem(
        work_type=WorkType.SHARE,
        work_id=str(share.pk),
        title=f"Decide on: {EventKind(share.event.kind).label}",
        children=", ".join(children),
        started_at=share.shared_at,
        due_at=share.due_at,
        worker=allocation.worker if allocation is not None else None,
        url=reverse("sharing:share", args=[share.pk]),
    )


@dataclass(frozen=True)
class Deadlines:
    scope: str
    what: str
    unallocated_only: bool
    # Group -> the first LIST_LIMIT items, earliest first; and how many there are in all.
    groups: dict[str, list[WorkItem]]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def overdue(self) -> list[WorkItem]:
        return self.groups[Group.OVERDUE]

    @property
    def overdue_count(self) -> int:
        return self.counts[Group.OVERDUE]


def deadlines(
    *,
    actor: Actor,
    scope: str,
    what: str = "",
    unallocated_only: bool = False,
    now: dt.datetime | None = None,
    with_lists: bool = True,
) -> Deadlines:
    """Everything open with a deadline, for me, my team or my organisation: its clocks and the notifications
    waiting for a decision, grouped overdue, due today, in the next 7 days and later, earliest first. ``what``
    narrows to one rule's clocks or to notifications; the lists are capped, the counts are not.

    Clocks carry only the child's id and the rule; the child's name is shown because the organisation is the one
    that must act for the child, which is itself its reason to see them (the clock was started by its own work),
    as ``names_as_seen`` gives it.
    """
    now = now or timezone.now()
    clocks = _in_scope(actor, scope)
    assert actor.organisation is not None
    allocations = _share_allocations(actor.organisation)
    shares = _shares_in_scope(actor, scope, allocations)
    if what == NOTIFICATIONS:
        clocks = clocks.none()
    elif what:
        clocks, shares = clocks.filter(rule=what), shares.none()
    if unallocated_only:
        clocks = clocks.filter(owner__isnull=True)
        shares = shares.exclude(pk__in=list(allocations))
    bounds = _group_bounds(now)
    aggregates = {name: Count("pk", filter=_due_between(*bounds[name])) for name in Group.LABELS}
    clock_counts, share_counts = clocks.aggregate(**aggregates), shares.aggregate(**aggregates)
    titles = rule_titles(actor)
    groups: dict[str, list[WorkItem]] = {name: [] for name in Group.LABELS}
    for name in Group.LABELS if with_lists else ():
        condition = _due_between(*bounds[name])
        listed = list(
            clocks.filter(condition).select_related("person", "owner").order_by("due_at")[:LIST_LIMIT]
        )
        names = names_as_seen(actor, listed)
        items = [_clock_item(clock, titles, names) for clock in listed]
        if share_counts[name]:
            items += [
                _share_item(share, allocations)
                for share in shares.filter(condition)
                .select_related("event")
                .prefetch_related("people")
                .order_by("due_at")[:LIST_LIMIT]
            ]
        groups[name] = sorted(items, key=lambda item: item.due_at)[:LIST_LIMIT]
    return Deadlines(
        scope=scope,
        what=what,
        unallocated_only=unallocated_only,
        groups=groups,
        counts={name: clock_counts[name] + share_counts[name] for name in Group.LABELS},
    )


def what_choices(actor: Actor) -> list[tuple[str, str]]:
    """The deadlines page's "what" filter: notifications, then each clock rule the organisation runs."""
    assert actor.organisation is not None
    titles = rule_titles(actor)
    running = (
        Clock.objects.filter(organisation=actor.organisation, stopped_at__isnull=True)
        .values_list("rule", flat=True)
        .distinct()
    )
    rules = sorted(((rule, titles.get(rule, rule)) for rule in running), key=lambda pair: pair[1])
    return [(NOTIFICATIONS, "Notifications waiting for a decision"), *rules]


@dataclass(frozen=True)
class WorkerLoad:
    """A worker's open work (None: the team's unallocated work) and how much of it is overdue."""

    worker: User | None
    items: list[WorkItem]
    overdue: int


def caseload(*, actor: Actor, now: dt.datetime | None = None) -> list[WorkerLoad]:
    """A team manager's view of their team: each worker's open work, earliest due first, and what is overdue;
    then the work nobody has been allocated. A manager without a team sees the organisation's case workers."""
    if not policy.may_see_caseload(actor):
        raise NotFound("Not available to this role")
    assert actor.user is not None and actor.organisation is not None
    now = now or timezone.now()
    team = actor.user.team
    scope = Scope.TEAM if team else Scope.ORGANISATION
    board = deadlines(actor=actor, scope=scope, now=now)
    items = [item for name in Group.LABELS for item in board.groups[name]]
    workers = User.objects.filter(
        organisation=actor.organisation, is_active=True, role_assignments__role__in=policy.CASE_ROLES
    ).distinct()
    if team:
        workers = workers.filter(team=team)
    loads = []
    for worker in workers.order_by("last_name", "first_name"):
        own = [item for item in items if item.worker is not None and item.worker.pk == worker.pk]
        loads.append(WorkerLoad(worker, own, sum(item.is_overdue(now) for item in own)))
    if not team:
        unallocated = [item for item in items if item.worker is None]
    else:
        # In a team's view, the organisation's notifications and clocks nobody has yet.
        unallocated = [
            item
            for name in Group.LABELS
            for item in deadlines(
                actor=actor, scope=Scope.ORGANISATION, unallocated_only=True, now=now
            ).groups[name]
        ]
    loads.append(WorkerLoad(None, unallocated, sum(item.is_overdue(now) for item in unallocated)))
    return loads


def allocatable_workers(actor: Actor) -> list[User]:
    """Whom this team manager may allocate work to (policy.may_be_allocated), by name."""
    if actor.organisation is None or not policy.may_allocate(actor, actor.organisation.pk):
        return []
    candidates = (
        User.objects.filter(organisation=actor.organisation, is_active=True)
        .prefetch_related("role_assignments")
        .order_by("last_name", "first_name")
    )
    return [worker for worker in candidates if policy.may_be_allocated(actor, worker)]


def current_allocation(work_type: str, work_id: object) -> Allocation | None:
    return (
        Allocation.objects.filter(work_type=work_type, work_id=str(work_id), ended_at__isnull=True)
        .select_related("worker")
        .first()
    )


# Escalations: a missed deadline raised to someone. A share still unacknowledged past its deadline goes to the
# recipient's team managers, then to the area's safeguarding partnership (sharing.services.escalate_overdue); a
# breached clock to its organisation's team managers (services.clocks_sweep_breaches). Each lands in the list
# of the people it was raised to, and stays there until the work is done.


@dataclass(frozen=True)
class EscalationItem:
    what: str
    # The organisation that missed the deadline (the partnership's view is across its area's agencies).
    organisation: str
    # Children's names only for the organisation's own work: a partnership lead is told what was missed and
    # by whom, not about whom.
    children: str
    due_at: dt.datetime
    escalated_at: dt.datetime
    worker: User | None
    url: str


def _team_manager_escalations(actor: Actor) -> tuple[QuerySet[Escalation], QuerySet[Clock]]:
    assert actor.organisation is not None and actor.user is not None
    shares = Escalation.objects.filter(
        level=1,
        to_organisation=actor.organisation,
        to_role=Role.TEAM_MANAGER,
        share__acknowledged_at__isnull=True,
    )
    clocks = Clock.objects.filter(
        organisation=actor.organisation, stopped_at__isnull=True, escalated_at__isnull=False
    )
    team = actor.user.team
    if team:
        # A manager with a team is raised their team's missed work and the work nobody has been allocated.
        clocks = clocks.filter(Q(owner__isnull=True) | Q(owner__team=team))
        escalated = [str(pk) for pk in shares.values_list("share_id", flat=True)]
        elsewhere = (
            Allocation.objects.filter(work_type=WorkType.SHARE, work_id__in=escalated, ended_at__isnull=True)
            .exclude(worker__team=team)
            .values_list("work_id", flat=True)
        )
        shares = shares.exclude(share_id__in=[uuid.UUID(pk) for pk in elsewhere])
    return shares, clocks


def _partnership_escalations(actor: Actor) -> QuerySet[Escalation]:
    return Escalation.objects.filter(
        level=2,
        to_organisation=actor.organisation,
        to_role=Role.PARTNERSHIP_LEAD,
        share__acknowledged_at__isnull=True,
    )


def escalation_count(actor: Actor) -> int:
    """How many escalations are waiting for this person (the navigation's and home page's count)."""
    if not policy.receives_escalations(actor):
        return 0
    count = 0
    if actor.has_role(Role.TEAM_MANAGER):
        shares, clocks = _team_manager_escalations(actor)
        count += shares.count() + clocks.count()
    if actor.has_role(Role.PARTNERSHIP_LEAD):
        count += _partnership_escalations(actor).count()
    return count


def escalations(*, actor: Actor) -> list[EscalationItem]:
    """The escalations raised to this person and still open, most overdue first."""
    if not policy.receives_escalations(actor):
        raise NotFound("Not available to this role")
    assert actor.organisation is not None
    items: list[EscalationItem] = []
    if actor.has_role(Role.TEAM_MANAGER):
        shares, clocks = _team_manager_escalations(actor)
        allocations = _share_allocations(actor.organisation)
        for escalation in shares.select_related("share__event", "share__recipient").prefetch_related(
            "share__people"
        ):
            item = _share_item(escalation.share, allocations)
            items.append(
                EscalationItem(
                    item.title,
                    actor.organisation.name,
                    item.children,
                    item.due_at,
                    escalation.at,
                    item.worker,
                    item.url,
                )
            )
        titles = rule_titles(actor)
        escalated = list(clocks.select_related("person", "owner"))
        names = names_as_seen(actor, escalated)
        for clock in escalated:
            assert clock.escalated_at is not None
            item = _clock_item(clock, titles, names)
            items.append(
                EscalationItem(
                    item.title,
                    actor.organisation.name,
                    item.children,
                    item.due_at,
                    clock.escalated_at,
                    item.worker,
                    item.url,
                )
            )
    if actor.has_role(Role.PARTNERSHIP_LEAD):
        for escalation in _partnership_escalations(actor).select_related("share__event", "share__recipient"):
            share = escalation.share
            assert share.due_at is not None
            items.append(
                EscalationItem(
                    f"Decide on: {EventKind(share.event.kind).label}",
                    share.recipient.name,
                    "",
                    share.due_at,
                    escalation.at,
                    None,
                    "",
                )
            )
    return sorted(items, key=lambda item: item.due_at)


def rule_titles(actor: Actor) -> dict[str, str]:
    """Each rule's title in the actor's nation, for lists of clocks."""
    nation = actor.organisation.nation if actor.organisation is not None else engine.Nation.ENGLAND
    return {rule.id: rule.title for rule in engine.load_rules(nation).values()}


def clocks_for_person(*, actor: Actor, person: Person) -> list[Clock]:
    """Every clock about a child that the actor's organisation runs (for the child's record page)."""
    if actor.organisation is None or not policy.works_cases(actor):
        return []
    return list(Clock.objects.filter(person=person, organisation=actor.organisation).order_by("-started_at"))


def clock_open(*, actor: Actor, clock_id: str) -> Clock:
    """One clock, for a case worker of the organisation that runs it; NotFound otherwise (as for a missing one).
    Opening it reads the child's record, so the read is audited."""
    if actor.organisation is None or not policy.works_cases(actor):
        raise NotFound("No such clock")
    try:
        clock = Clock.objects.select_related("person", "owner", "organisation", "event").get(
            pk=clock_id, organisation=actor.organisation
        )
    except (Clock.DoesNotExist, ValueError, ValidationError):
        raise NotFound("No such clock") from None
    if clock.person_id is not None:
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="clock",
            object_id=clock.pk,
            person_id=clock.person_id,
            reason="viewed a deadline",
        )
    return clock


@dataclass(frozen=True)
class DeadlineSummary:
    """What a case worker's home page counts: their own open work in each group, and the escalations waiting
    for them. The same selectors as the lists they link to, so the numbers agree."""

    mine: dict[str, int]
    escalated: int

    @property
    def mine_overdue(self) -> int:
        return self.mine[Group.OVERDUE]


def deadline_summary(*, actor: Actor, now: dt.datetime | None = None) -> DeadlineSummary | None:
    """None for those who work no cases."""
    if Scope.MINE not in scopes_for(actor):
        return None
    return DeadlineSummary(
        mine=deadlines(actor=actor, scope=Scope.MINE, now=now, with_lists=False).counts,
        escalated=escalation_count(actor),
    )


@dataclass(frozen=True)
class RuleMeasure:
    rule: str
    title: str
    met: int
    late: int
    overdue: int
    running: int

    @property
    def on_time_share(self) -> int | None:
        """Of the clocks stopped, the percentage stopped in time (None when none has stopped)."""
        stopped = self.met + self.late
        return round(100 * self.met / stopped) if stopped else None


def clock_measures(
    *,
    organisation: Organisation,
    now: dt.datetime | None = None,
    subject_type: str = "",
    started_between: tuple[dt.datetime, dt.datetime] | None = None,
) -> list[RuleMeasure]:
    """Counts only, never names: for each rule an organisation's clocks ran on, how many were met in time,
    met late, are open past their due time, and are still running (only those about ``subject_type`` when
    given, and only those started in [from, to) when ``started_between`` is). Callers check who may see them."""
    return clock_measures_by_organisation(
        organisations=[organisation], now=now, subject_type=subject_type, started_between=started_between
    )[organisation.pk]


def clock_measures_by_organisation(
    *,
    organisations: Collection[Organisation],
    now: dt.datetime | None = None,
    subject_type: str = "",
    started_between: tuple[dt.datetime, dt.datetime] | None = None,
) -> dict[Any, list[RuleMeasure]]:
    """``clock_measures`` of each of the organisations, by id, counted in one query (every area's measures at
    once: ``insight.measures.areas_measures``); an organisation with no clocks has an empty list."""
    now = now or timezone.now()
    clocks = Clock.objects.filter(organisation_id__in=[organisation.pk for organisation in organisations])
    if subject_type:
        clocks = clocks.filter(subject_type=subject_type)
    if started_between is not None:
        clocks = clocks.filter(started_at__gte=started_between[0], started_at__lt=started_between[1])
    rows = clocks.values("organisation_id", "rule").annotate(
        in_time=Count("pk", filter=Q(stopped_at__isnull=False, breached_at__isnull=True)),
        late=Count("pk", filter=Q(stopped_at__isnull=False, breached_at__isnull=False)),
        overdue=Count("pk", filter=Q(stopped_at__isnull=True, due_at__lt=now)),
        running=Count("pk", filter=Q(stopped_at__isnull=True, due_at__gte=now)),
    )
    by_organisation: dict[Any, list[dict[str, Any]]] = {organisation.pk: [] for organisation in organisations}
    for row in rows:
        by_organisation[row["organisation_id"]].append(dict(row))
    measures: dict[Any, list[RuleMeasure]] = {}
    for organisation in organisations:
        rules = engine.load_rules(organisation.nation or engine.Nation.ENGLAND)
        order = list(rules)
        measures[organisation.pk] = sorted(
            (
                RuleMeasure(
                    rule=row["rule"],
                    title=rules[row["rule"]].title if row["rule"] in rules else row["rule"],
                    met=row["in_time"],
                    late=row["late"],
                    overdue=row["overdue"],
                    running=row["running"],
                )
                for row in by_organisation[organisation.pk]
            ),
            key=lambda measure: order.index(measure.rule) if measure.rule in order else len(order),
        )
    return measures


# The rules of a sender's clock: how soon an agency must tell another (clocks.deadlines), recorded as met or
# missed the moment the share is sent (clocks.starts.start_for_events).
NOTIFICATION_SUBJECT = "share"


@dataclass(frozen=True)
class NotificationsSent:
    measures: list[RuleMeasure]
    late: list[Clock]
    late_count: int


def notifications_sent(
    *, actor: Actor, days: int = 90, now: dt.datetime | None = None
) -> NotificationsSent | None:
    """For the sender's managers: how many of its notifications to other agencies went in time, by rule, and
    the late ones of the last ``days`` days, latest first. None for anyone else."""
    if actor.organisation is None or not policy.may_see_notification_timeliness(actor):
        return None
    now = now or timezone.now()
    sent = Clock.objects.filter(organisation=actor.organisation, subject_type=NOTIFICATION_SUBJECT)
    late = sent.filter(
        breached_at__isnull=False, stopped_at__gte=now - dt.timedelta(days=days)
    ).select_related("event")
    measures = [
        measure
        for measure in clock_measures(
            organisation=actor.organisation, now=now, subject_type=NOTIFICATION_SUBJECT
        )
    ]
    return NotificationsSent(
        measures=measures, late=list(late.order_by("-stopped_at")[:LIST_LIMIT]), late_count=late.count()
    )
