"""Reads of clocks: what is overdue or due soon for a person, their team and their organisation."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.accounts.models import Role
from openmash.clocks import engine
from openmash.clocks.models import Clock
from openmash.lib.errors import NotFound
from openmash.organisations.models import Organisation
from openmash.people.models import Person

DUE_SOON = dt.timedelta(days=2)
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
    if scope == Scope.MINE:
        return clocks.filter(owner=actor.user)
    if scope == Scope.TEAM:
        return clocks.filter(owner__team=actor.user.team, owner__organisation=actor.organisation)
    return clocks


def _escalated(actor: Actor) -> QuerySet[Clock]:
    """Breached clocks of the actor's organisation, still open, escalated to its team managers."""
    return Clock.objects.filter(
        organisation=actor.organisation, stopped_at__isnull=True, escalated_at__isnull=False
    )


@dataclass(frozen=True)
class Deadlines:
    scope: str
    overdue: list[Clock]
    overdue_count: int
    due_soon: list[Clock]
    due_soon_count: int
    escalated_to_me: list[Clock]


def deadlines(*, actor: Actor, scope: str, now: dt.datetime | None = None) -> Deadlines:
    """Open clocks past due and due within two days, earliest first; the lists are capped, the counts are not.

    Clocks carry only the child's id and the rule; the child's name is shown because the organisation is the one
    that must act for the child, which is itself its reason to see them (the clock was started by its own work).
    """
    now = now or timezone.now()
    clocks = _in_scope(actor, scope).select_related("person", "owner")
    overdue = clocks.filter(due_at__lt=now).order_by("due_at")
    due_soon = clocks.filter(due_at__gte=now, due_at__lt=now + DUE_SOON).order_by("due_at")
    escalated: list[Clock] = []
    if actor.has_role(Role.TEAM_MANAGER):
        escalated = list(_escalated(actor).select_related("person", "owner").order_by("due_at")[:LIST_LIMIT])
    return Deadlines(
        scope=scope,
        overdue=list(overdue[:LIST_LIMIT]),
        overdue_count=overdue.count(),
        due_soon=list(due_soon[:LIST_LIMIT]),
        due_soon_count=due_soon.count(),
        escalated_to_me=escalated,
    )


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
    from openmash.audit.models import AuditAction
    from openmash.audit.services import audit_record

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
    mine_overdue: int
    mine_due_soon: int
    escalated: int


def deadline_summary(*, actor: Actor, now: dt.datetime | None = None) -> DeadlineSummary | None:
    """The counts a case worker sees on their home page: their own clocks overdue and due soon, and for a team
    manager the breaches escalated to them. None for those who work no cases."""
    if Scope.MINE not in scopes_for(actor):
        return None
    now = now or timezone.now()
    mine = _in_scope(actor, Scope.MINE)
    escalated = _escalated(actor).count() if actor.has_role(Role.TEAM_MANAGER) else 0
    return DeadlineSummary(
        mine_overdue=mine.filter(due_at__lt=now).count(),
        mine_due_soon=mine.filter(due_at__gte=now, due_at__lt=now + DUE_SOON).count(),
        escalated=escalated,
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
    *, organisation: Organisation, now: dt.datetime | None = None, subject_type: str = ""
) -> list[RuleMeasure]:
    """Counts only, never names: for each rule an organisation's clocks ran on, how many were met in time,
    met late, are open past their due time, and are still running (only those about ``subject_type`` when
    given). Callers check who may see them."""
    now = now or timezone.now()
    clocks = Clock.objects.filter(organisation=organisation)
    if subject_type:
        clocks = clocks.filter(subject_type=subject_type)
    rows = clocks.values("rule").annotate(
        in_time=Count("pk", filter=Q(stopped_at__isnull=False, breached_at__isnull=True)),
        late=Count("pk", filter=Q(stopped_at__isnull=False, breached_at__isnull=False)),
        overdue=Count("pk", filter=Q(stopped_at__isnull=True, due_at__lt=now)),
        running=Count("pk", filter=Q(stopped_at__isnull=True, due_at__gte=now)),
    )
    rules = engine.load_rules(organisation.nation or engine.Nation.ENGLAND)
    order = list(rules)
    return sorted(
        (
            RuleMeasure(
                rule=row["rule"],
                title=rules[row["rule"]].title if row["rule"] in rules else row["rule"],
                met=row["in_time"],
                late=row["late"],
                overdue=row["overdue"],
                running=row["running"],
            )
            for row in rows
        ),
        key=lambda measure: order.index(measure.rule) if measure.rule in order else len(order),
    )


# The rules of a sender's clock: how soon an agency must tell another (sharing.deadlines), recorded as met or
# missed the moment the share is sent (clocks.starts.notifications_record).
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
