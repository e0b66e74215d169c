"""Multi-agency meetings about a child: strategy discussions, child protection conferences (initial, review,
pre-birth) and core group meetings; who was invited, what each agency sent, who took part; and the evidential
(joint) interviews a strategy discussion asks for.

One ``Meeting`` model with a ``kind`` rather than three models: every class of meeting has the same life
(convened by the council, agencies invited, reports sent before it, attendance recorded per agency, an
outcome), so invitations, reports, attendance, the non-attendance count and the meeting page are written once.
What only one class has (the s47 decision of a strategy discussion, the plan and categories of a conference)
are nullable fields that database constraints keep to their class.
"""

from django.db import models
from django.db.models import Q

from openmash.accounts.models import User
from openmash.events.models import Event
from openmash.lib.ids import new_id
from openmash.lib.meeting_kinds import MeetingKind as MeetingKind  # in lib: clocks.starts names them too
from openmash.organisations.models import Organisation
from openmash.people.models import Person
from openmash.sharing.models import Share

CONFERENCE_KINDS = frozenset(
    {MeetingKind.INITIAL_CONFERENCE, MeetingKind.REVIEW_CONFERENCE, MeetingKind.PRE_BIRTH_CONFERENCE}
)
# Short prefixes for the reference a social worker quotes ("ICPC-3F2A91BC").
REFERENCE_PREFIX = {
    MeetingKind.STRATEGY_DISCUSSION: "SD",
    MeetingKind.INITIAL_CONFERENCE: "ICPC",
    MeetingKind.REVIEW_CONFERENCE: "RCPC",
    MeetingKind.PRE_BIRTH_CONFERENCE: "PBCPC",
    MeetingKind.CORE_GROUP: "CG",
}


class AbuseCategory(models.TextChoices):
    """Category of abuse for a child protection plan (CIN census)."""

    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical abuse"
    SEXUAL = "sexual", "Sexual abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    MULTIPLE = "multiple", "Multiple"


class Meeting(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    kind = models.CharField(max_length=30, choices=MeetingKind.choices)
    reference = models.CharField(max_length=20, unique=True)
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="meetings")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="meetings_convened")
    convened_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    convened_by_label = models.CharField(max_length=300)
    convened_at = models.DateTimeField()
    scheduled_for = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    purpose = models.TextField(blank=True)
    # The invitation event: one share to each invited agency, delivered like every other event.
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="meeting")
    # The initial (or pre-birth) conference's strategy discussion; a review's previous conference; a core
    # group's conference.
    strategy_discussion = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="conferences"
    )
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next")

    # Outcome, once held.
    held_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by_label = models.CharField(max_length=300, blank=True)
    outcome_event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_outcome"
    )
    actions = models.TextField(blank=True)
    # Strategy discussion: whether section 47 enquiries start, why, and from when (the census measures from it).
    s47_decision = models.BooleanField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    s47_started_on = models.DateField(null=True, blank=True)
    # Conference: whether the child is to be the subject of a child protection plan, and under which categories.
    plan = models.BooleanField(null=True, blank=True)
    categories = models.JSONField(default=list, blank=True)

    # Cancelled before it was held, and why. Cancelling stops no clock: the statutory deadline the meeting
    # answered stays open until another meeting of its kind is held.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by_label = models.CharField(max_length=300, blank=True)
    cancellation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["scheduled_for"]
        indexes = [
            models.Index(fields=["council", "scheduled_for"], name="meeting_council_idx"),
            models.Index(fields=["child", "kind"], name="meeting_child_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=MeetingKind.STRATEGY_DISCUSSION)
                | (Q(s47_decision__isnull=True) & Q(s47_started_on__isnull=True)),
                name="meeting_s47_only_for_strategy_discussion",
            ),
            models.CheckConstraint(
                condition=Q(s47_decision=True) | Q(s47_started_on__isnull=True),
                name="meeting_s47_start_only_when_started",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=sorted(CONFERENCE_KINDS)) | Q(plan__isnull=True),
                name="meeting_plan_only_for_conferences",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MeetingKind.INITIAL_CONFERENCE) | Q(strategy_discussion__isnull=False),
                name="meeting_initial_conference_has_strategy_discussion",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=[MeetingKind.REVIEW_CONFERENCE, MeetingKind.CORE_GROUP])
                | Q(previous__isnull=False),
                name="meeting_review_and_core_group_have_previous",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True)
                | (Q(held_at__isnull=True) & ~Q(cancellation_reason="")),
                name="meeting_cancelled_has_reason_and_was_not_held",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def is_conference(self) -> bool:
        return self.kind in CONFERENCE_KINDS

    @property
    def category_labels(self) -> list[str]:
        return [AbuseCategory(value).label for value in self.categories]

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_open(self) -> bool:
        """Neither held nor cancelled: it can still be moved, cancelled or have agencies added."""
        return self.held_at is None and self.cancelled_at is None


class ChangeKind(models.TextChoices):
    RESCHEDULED = "rescheduled", "Moved"
    CANCELLED = "cancelled", "Cancelled"
    INVITED = "invited", "Agencies added"


class MeetingChange(models.Model):
    """A change to a meeting after it was convened: moved, cancelled, or more agencies invited. Each is an
    event shared with every agency invited (the ones just added included), so nobody arrives at a meeting that
    moved or no longer happens."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="meeting_change")
    recorded_at = models.DateTimeField()
    recorded_by_label = models.CharField(max_length=300)
    # Moved: from when to when. Cancelled or moved: why (required to cancel). Agencies added: their codes.
    previous_scheduled_for = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    added = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.meeting.reference}"

    @property
    def added_names(self) -> list[str]:
        """The agencies this change invited, by name (for the page: codes are for systems)."""
        return list(Organisation.objects.filter(code__in=self.added).values_list("name", flat=True))


class Participation(models.TextChoices):
    ATTENDED = "attended", "Attended"
    WRITTEN_ONLY = "written-only", "Sent written information only"
    DID_NOT_TAKE_PART = "did-not-take-part", "Did not take part"


class MeetingInvitation(models.Model):
    """One agency invited to a meeting, with the share that carried the invitation and, once the meeting is
    held, whether it took part. Anything but attendance carries its reason, and is counted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    role_expected = models.CharField(max_length=100)
    share = models.OneToOneField(
        Share, null=True, blank=True, on_delete=models.PROTECT, related_name="meeting_invitation"
    )
    participation = models.CharField(max_length=20, choices=Participation.choices, blank=True)
    non_attendance_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "organisation"], name="invitation_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(participation__in=["", Participation.ATTENDED]) | ~Q(non_attendance_reason=""),
                name="invitation_non_attendance_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation.name} to {self.meeting.reference}"


class AgencyReport(models.Model):
    """What an invited agency sends for the meeting. Due before it starts; a later one is flagged."""

    invitation = models.OneToOneField(MeetingInvitation, on_delete=models.CASCADE, related_name="report")
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    submitted_by_label = models.CharField(max_length=300)
    text = models.TextField()
    late = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"report from {self.invitation.organisation.name}"


class EvidentialInterview(models.Model):
    """An evidential (joint police and social work) interview a strategy discussion asked for, by a target
    date, and when it happened or why it did not, so the delay from request to interview is measured."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    strategy_discussion = models.OneToOneField(
        Meeting, on_delete=models.PROTECT, related_name="evidential_interview"
    )
    requested_at = models.DateTimeField()
    target_date = models.DateField()
    held_at = models.DateTimeField(null=True, blank=True)
    not_held_reason = models.TextField(blank=True)
    recorded_by_label = models.CharField(max_length=300, blank=True)
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="evidential_interview"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(held_at__isnull=True) | Q(not_held_reason=""),
                name="evidential_interview_held_or_not",
            )
        ]

    def __str__(self) -> str:
        return f"evidential interview for {self.strategy_discussion.reference}"

    @property
    def is_open(self) -> bool:
        return self.held_at is None and not self.not_held_reason
