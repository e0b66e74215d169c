"""Reads of meetings: one meeting for the council or an invited agency, their lists, who may be invited, and
the count of agencies that did not attend. NotFound both for a meeting that does not exist and one the actor's
organisation may not see."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openmash.access import policy
from openmash.access.models import AccessReason
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction
from openmash.audit.services import audit_record
from openmash.clocks.models import Clock
from openmash.lib.clock_rules import ClockRule
from openmash.lib.errors import NotFound
from openmash.meetings.models import (
    CONFERENCE_KINDS,
    Meeting,
    MeetingInvitation,
    MeetingKind,
    Participation,
)
from openmash.meetings.services import covering_police, referrers, stops
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Person
from openmash.people.selectors import visible_people

RECENT = dt.timedelta(days=30)
# The clocks a meeting page shows: those its meetings stop or start.
MEETING_RULES = (
    ClockRule.STRATEGY_DISCUSSION,
    ClockRule.INITIAL_CONFERENCE,
    ClockRule.CORE_GROUP,
    ClockRule.FIRST_REVIEW_CONFERENCE,
    ClockRule.PRE_BIRTH_FIRST_REVIEW,
    ClockRule.REVIEW_CONFERENCE,
)


def visible_meetings(actor: Actor) -> QuerySet[Meeting]:
    """The meetings the actor may see (``policy.visible_meetings``, which decides), as one query."""
    return policy.visible_meetings(actor, Meeting.objects.all(), visible_people(actor))


@dataclass(frozen=True)
class OpenedMeeting:
    meeting: Meeting
    is_council: bool
    invitation: MeetingInvitation | None
    clocks: list[Clock]


def meeting_open(*, actor: Actor, meeting_id: uuid.UUID | str) -> OpenedMeeting:
    """A meeting for the council that convened it or an agency invited to it; the read is audited."""
    try:
        pk = uuid.UUID(str(meeting_id))
    except ValueError as error:
        raise NotFound("No such meeting") from error
    meeting = (
        visible_meetings(actor)
        .select_related("child", "council", "strategy_discussion", "previous", "event")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=MeetingInvitation.objects.select_related("organisation", "report", "share"),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if meeting is None or actor.organisation is None:
        raise NotFound("No such meeting")
    is_council = meeting.council_id == actor.organisation.pk
    invitation = next(
        (item for item in meeting.invitations.all() if item.organisation_id == actor.organisation.pk), None
    )
    clocks: list[Clock] = []
    if is_council:
        clocks = list(
            Clock.objects.filter(person=meeting.child, organisation=meeting.council, rule__in=MEETING_RULES)
            .filter(Q(stopped_at__isnull=True) | Q(subject_id=str(meeting.pk)))
            .order_by("due_at")
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type="meeting",
            object_id=meeting.pk,
            person_id=meeting.child_id,
            reason="convened this meeting" if is_council else "invited to this meeting",
        )
    return OpenedMeeting(meeting=meeting, is_council=is_council, invitation=invitation, clocks=clocks)


@dataclass(frozen=True)
class MeetingDeadline:
    """The statutory deadline a meeting answers, and whether the meeting is now set for after it."""

    clock: Clock
    scheduled_late: bool

    @property
    def due_at(self) -> dt.datetime:
        return self.clock.due_at


def meeting_deadline(meeting: Meeting) -> MeetingDeadline | None:
    """The soonest open clock this meeting would meet when held (for its child, at the council), or None.
    Moving the meeting never moves it (the deadline counts from what started the clock); a cancelled meeting
    leaves it open, still due, until a meeting of its kind is held."""
    if meeting.held_at is not None:
        return None
    clock = (
        Clock.objects.filter(
            person_id=meeting.child_id,
            organisation_id=meeting.council_id,
            rule__in=stops(meeting.kind),
            stopped_at__isnull=True,
        )
        .order_by("due_at")
        .first()
    )
    if clock is None:
        return None
    return MeetingDeadline(clock=clock, scheduled_late=meeting.scheduled_for > clock.due_at)


def meetings_list(*, actor: Actor) -> tuple[list[Meeting], list[Meeting]]:
    """The meetings the actor's organisation convened or is invited to: upcoming (not yet held), and those held
    in the last 30 days."""
    meetings = visible_meetings(actor).select_related("child", "council")
    upcoming = list(meetings.filter(held_at__isnull=True).order_by("scheduled_for")[:200])
    recent = list(meetings.filter(held_at__gte=timezone.now() - RECENT).order_by("-held_at")[:200])
    return upcoming, recent


def meetings_for_child(*, actor: Actor, child: Person) -> list[Meeting]:
    """The council's meetings about a child (to choose the strategy discussion or previous conference)."""
    return list(
        visible_meetings(actor).filter(child=child, council=actor.organisation).order_by("-scheduled_for")
    )


def strategy_discussions_with_s47(*, actor: Actor, child: Person) -> list[Meeting]:
    return [
        meeting
        for meeting in meetings_for_child(actor=actor, child=child)
        if meeting.kind == MeetingKind.STRATEGY_DISCUSSION and meeting.s47_decision
    ]


def conferences_with_plan(*, actor: Actor, child: Person) -> list[Meeting]:
    return [
        meeting
        for meeting in meetings_for_child(actor=actor, child=child)
        if meeting.kind in CONFERENCE_KINDS and meeting.plan
    ]


@dataclass(frozen=True)
class Invitable:
    always: list[Organisation]
    chosen_from: list[Organisation]
    suggested: set[int]


def invitable_organisations(*, actor: Actor, child: Person) -> Invitable:
    """Who a council may invite to a meeting about the child: the covering police force always; to choose
    from, the child's school, the referrer, agencies already involved with the child, and health trusts."""
    council = actor.organisation
    if council is None:
        return Invitable([], [], set())
    always = covering_police(council)
    schools = set(child.enrolments.filter(end_date__isnull=True).values_list("school_id", flat=True))
    involved = set(AccessReason.objects.filter(person=child).values_list("organisation_id", flat=True))
    referred = referrers(child)
    candidates = (
        Organisation.objects.filter(
            Q(pk__in=schools | involved | referred)
            | Q(kind=OrganisationKind.HEALTH_TRUST, users__isnull=False)
        )
        .exclude(pk__in=[council.pk, *(force.pk for force in always)])
        .exclude(kind__in=[OrganisationKind.INSPECTORATE, OrganisationKind.PARTNERSHIP])
        .distinct()
        .order_by("kind", "name")
    )
    chosen_from = list(candidates)
    suggested = {
        organisation.pk
        for organisation in chosen_from
        if organisation.pk in schools | referred or organisation.kind == OrganisationKind.HEALTH_TRUST
    }
    return Invitable(always=always, chosen_from=chosen_from, suggested=suggested)


@dataclass(frozen=True)
class AttendanceRow:
    organisation: Organisation
    kind_label: str
    invited: int
    attended: int
    written_only: int
    did_not_take_part: int

    @property
    def absent(self) -> int:
        return self.written_only + self.did_not_take_part

    @property
    def absent_percent(self) -> int:
        return round(100 * self.absent / self.invited) if self.invited else 0


def attendance_counts(*, actor: Actor) -> list[AttendanceRow]:
    """For each agency and class of meeting held in the council's area: how often it was invited, attended,
    sent written information only, or did not take part. For team managers and the partnership's leads."""
    if not policy.may_see_meeting_attendance(actor):
        raise NotFound("No such page")
    assert actor.organisation is not None
    council = (
        actor.organisation
        if actor.organisation.kind == OrganisationKind.COUNCIL
        else actor.organisation.parent
    )
    rows = (
        MeetingInvitation.objects.filter(meeting__council=council, meeting__held_at__isnull=False)
        .values("organisation", "meeting__kind")
        .annotate(
            invited=Count("id"),
            attended=Count("id", filter=Q(participation=Participation.ATTENDED)),
            written_only=Count("id", filter=Q(participation=Participation.WRITTEN_ONLY)),
            did_not_take_part=Count("id", filter=Q(participation=Participation.DID_NOT_TAKE_PART)),
        )
        .order_by("organisation", "meeting__kind")
    )
    organisations = Organisation.objects.in_bulk({row["organisation"] for row in rows})
    result = [
        AttendanceRow(
            organisation=organisations[row["organisation"]],
            kind_label=MeetingKind(row["meeting__kind"]).label,
            invited=row["invited"],
            attended=row["attended"],
            written_only=row["written_only"],
            did_not_take_part=row["did_not_take_part"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda row: (row.organisation.name, row.kind_label))
