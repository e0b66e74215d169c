"""Joint casework between a council and its police force, from the 2016 findings (domain.md section 1):

- joint visits: a visit that needs an officer is confirmed only once the force names one; a visit done
  without one is a lone visit, raised to the council's team manager;
- police protection follow-through: when the child left police protection (the 72-hour maximum stops);
- investigation closures: a police closure about a child on a plan, under s47 enquiry or with recorded
  injuries waits for the council's agreement; a dispute runs the professional-disagreement escalation.

Each step is also an event (events.Event) shared with the other agency, so it travels and is timed like
every other share.
"""

from django.db import models

from openmash.events.models import Event
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation
from openmash.people.models import Person


class PoliceNeed(models.TextChoices):
    RISK = "risk", "Risk to the social worker or the child"
    EVIDENTIAL = "evidential", "Evidence may be needed (possible crime, evidential interview)"
    REMOVAL = "removal", "The child may need to be removed (only police have that power)"


class VisitStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the police to name an officer"
    CONFIRMED = "confirmed", "Confirmed: officer named"
    DECLINED = "declined", "The police cannot send an officer"
    DONE = "done", "Visit done"


class JointVisit(models.Model):
    """A council visit to a child that needs a police officer there."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="joint_visits")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    police_force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    police_needed_because = models.JSONField(default=list)
    planned_for = models.DateTimeField()
    address = models.CharField(max_length=300, blank=True)
    purpose = models.TextField()
    status = models.CharField(max_length=10, choices=VisitStatus.choices, default=VisitStatus.REQUESTED)
    requested_at = models.DateTimeField()
    requested_by_label = models.CharField(max_length=300)
    # When the force's answer is due (the request's share runs on the joint-visit-answer clock).
    answer_due_at = models.DateTimeField(null=True, blank=True)
    # Named by the police: who will go, and when they will be there.
    officer_name = models.CharField(max_length=200, blank=True)
    officer_attends_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by_label = models.CharField(max_length=300, blank=True)
    # Or the police say they cannot send an officer, and why (the council then decides whether to go alone).
    declined_at = models.DateTimeField(null=True, blank=True)
    declined_by_label = models.CharField(max_length=300, blank=True)
    decline_reason = models.TextField(blank=True)
    # Recorded by the council once the visit has happened.
    visited_at = models.DateTimeField(null=True, blank=True)
    officer_present = models.BooleanField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by_label = models.CharField(max_length=300, blank=True)
    # A lone visit (police were needed, none came) is raised to the council's team managers.
    lone_visit = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by_label = models.CharField(max_length=300, blank=True)
    review_notes = models.TextField(blank=True)
    request_event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="joint_visit")

    class Meta:
        ordering = ["-planned_for"]
        indexes = [
            models.Index(fields=["council", "status"], name="joint_visit_council_idx"),
            models.Index(fields=["police_force", "status"], name="joint_visit_force_idx"),
            models.Index(fields=["council", "lone_visit", "reviewed_at"], name="joint_visit_lone_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=VisitStatus.CONFIRMED)
                | (~models.Q(officer_name="") & models.Q(officer_attends_at__isnull=False)),
                name="joint_visit_confirmed_has_officer",
            ),
            models.CheckConstraint(
                condition=~models.Q(lone_visit=True) | models.Q(officer_present=False),
                name="joint_visit_lone_means_no_officer",
            ),
        ]

    def __str__(self) -> str:
        return f"Joint visit to {self.person} on {self.planned_for:%d %b %Y}"

    def police_needs(self) -> list[str]:
        return [PoliceNeed(code).label for code in self.police_needed_because if code in PoliceNeed.values]


class ProtectionEnd(models.TextChoices):
    RELEASED = "released", "Released from police protection"
    RETURNED_HOME = "returned-home", "Returned home"
    EMERGENCY_PROTECTION_ORDER = "epo", "Emergency protection order made"
    PLACED_BY_COUNCIL = "placed-by-council", "Placed by the council"


class PoliceProtectionEnd(models.Model):
    """When and how a child left police protection (Children Act 1989 s46: 72 hours at most)."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="protection_end")
    ended_at = models.DateTimeField()
    how = models.CharField(max_length=20, choices=ProtectionEnd.choices)
    notes = models.TextField(blank=True)
    # Why it ran past 72 hours, when it did.
    delay_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by_label = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.get_how_display()} at {self.ended_at:%d %b %Y %H:%M}"


class ClosureStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed: waiting for the council"
    DISPUTED = "disputed", "Disputed by the council"
    CLOSED = "closed", "Closed"
    WITHDRAWN = "withdrawn", "Closure withdrawn: the investigation continues"


class InvestigationClosure(models.Model):
    """A police decision to close an investigation about a child.

    Where the child is on a protection plan, under s47 enquiry, or has recorded injuries, the closure is only
    proposed: it takes effect when the council agrees, or when a disagreement ends with the closure going
    ahead. Silence never closes it: an unanswered proposal stays open, shows as overdue once its answer is due
    (the closure-answer clock, 5 working days by default) and is escalated like every unanswered share.
    """

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="investigation_closures")
    police_force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The council responsible for the child (plan, status, or home); unknown only for a closure not shared.
    council = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    police_reference = models.CharField(max_length=60)
    reasons = models.TextField()
    on_protection_plan = models.BooleanField(default=False)
    under_s47_enquiry = models.BooleanField(default=False)
    injuries_recorded = models.BooleanField(default=False)
    needs_agreement = models.BooleanField()
    status = models.CharField(max_length=10, choices=ClosureStatus.choices)
    proposed_at = models.DateTimeField()
    proposed_by_label = models.CharField(max_length=300)
    response_due_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by_label = models.CharField(max_length=300, blank=True)
    response_reasons = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    event = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="investigation_closure"
    )

    class Meta:
        ordering = ["-proposed_at"]
        indexes = [
            models.Index(fields=["council", "status"], name="closure_council_idx"),
            models.Index(fields=["police_force", "status"], name="closure_force_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=ClosureStatus.CLOSED) | models.Q(closed_at__isnull=False),
                name="closure_closed_has_date",
            ),
            # The rule the 2016 finding asks for: no closure that needs the council takes effect unheard.
            models.CheckConstraint(
                condition=models.Q(needs_agreement=False)
                | ~models.Q(status=ClosureStatus.CLOSED)
                | models.Q(responded_at__isnull=False),
                name="closure_needing_council_not_closed_unheard",
            ),
        ]

    def __str__(self) -> str:
        return f"Closure of {self.police_reference} ({self.get_status_display()})"

    def grounds(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.on_protection_plan, "the child is on a child protection plan"),
                (self.under_s47_enquiry, "the child is subject to section 47 enquiries"),
                (self.injuries_recorded, "injuries are recorded"),
            )
            if flag
        ]


class DisagreementStageLevel(models.IntegerChoices):
    PRACTITIONERS = 1, "Stage 1: practitioners"
    TEAM_MANAGERS = 2, "Stage 2: team managers"
    HEADS_OF_SERVICE = 3, "Stage 3: heads of service"
    PARTNERSHIP = 4, "Stage 4: safeguarding partnership"


class DisagreementStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Resolution(models.TextChoices):
    INVESTIGATION_CONTINUES = "investigation-continues", "The investigation continues (closure withdrawn)"
    CLOSURE_AGREED = "closure-agreed", "The closure goes ahead"


class Disagreement(models.Model):
    """A professional disagreement between agencies, escalated stage by stage until it is resolved."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disagreements")
    raised_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    raised_with = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    closure = models.OneToOneField(
        InvestigationClosure, null=True, blank=True, on_delete=models.PROTECT, related_name="disagreement"
    )
    about = models.TextField()
    raised_at = models.DateTimeField()
    raised_by_label = models.CharField(max_length=300)
    stage = models.PositiveSmallIntegerField(choices=DisagreementStageLevel.choices, default=1)
    status = models.CharField(
        max_length=10, choices=DisagreementStatus.choices, default=DisagreementStatus.OPEN
    )
    resolution = models.CharField(max_length=30, choices=Resolution.choices, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"Disagreement between {self.raised_by.name} and {self.raised_with.name}"


class StageOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved at this stage"
    ESCALATED = "escalated", "Escalated to the next stage"


class DisagreementStage(models.Model):
    disagreement = models.ForeignKey(Disagreement, on_delete=models.CASCADE, related_name="stages")
    level = models.PositiveSmallIntegerField(choices=DisagreementStageLevel.choices)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=StageOutcome.choices, blank=True)
    outcome_notes = models.TextField(blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_by_label = models.CharField(max_length=300, blank=True)
    delay_reason = models.TextField(blank=True)
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="disagreement_stage")

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["disagreement", "level"], name="disagreement_stage_once"),
        ]

    def __str__(self) -> str:
        return self.get_level_display()


class ConcernWindowSetting(models.Model):
    """An area's own window for concerns from two or more agencies: concerns this many days apart or closer are
    raised together to the child's front door (7 days unless the area sets otherwise; issue 14)."""

    council = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    days = models.PositiveIntegerField()
    set_by_label = models.CharField(max_length=300)
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"concerns within {self.days} days ({self.council})"


class ConcernPairRaised(models.Model):
    """Two agencies' concerns raised together to a council's front door, by the share of ``raised_by`` (an event
    of kind ``concerns-together``). Unique, so a pair is raised to a front door once, however it is reached
    (through a child and an adult both in it, both events recorded in one transaction, two processes at once)."""

    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # The earlier id first (ids are time-ordered): one row for the pair, whichever was recorded last.
    first_event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+", db_index=False)
    second_event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["first_event", "second_event", "council"], name="concern_pair_raised_once"
            ),
            models.CheckConstraint(
                condition=models.Q(first_event__lt=models.F("second_event")), name="concern_pair_in_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_event_id} and {self.second_event_id} to {self.council_id}"
