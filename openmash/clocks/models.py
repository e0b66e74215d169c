"""Stored clocks: every statutory deadline a case runs against, as a row that is met, breached, or still open.

The engine (``engine.py``) says when a clock falls due; these rows say which clocks are running for whom. A
share's own deadline lives on the share (``Share.due_at`` and ``acknowledged_at``), so an inbox needs no join;
every other clock (an assessment, a strategy discussion, a conference, police protection's 72 hours, an
escalation stage) is a ``Clock``.
"""

from django.db import models
from django.db.models import Q

from openmash.accounts.models import User
from openmash.events.models import Event
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation
from openmash.people.models import Person


class AreaClockSetting(models.Model):
    """An area's own figure for a clock the national text leaves to local agreement ("24 hours to 3 days").

    Shown wherever the clock is shown, with the reason the area gave, so nobody mistakes it for the default.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="clock_settings")
    rule = models.CharField(max_length=40)
    unit = models.CharField(max_length=20)
    amount = models.PositiveIntegerField()
    reason = models.CharField(max_length=300, help_text="Where the area set this, e.g. its local procedures")
    set_by_label = models.CharField(max_length=300)
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation__name", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "rule"], name="area_clock_setting_once_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code} {self.rule}: {self.amount} {self.unit}"


class SchoolCalendar(models.Model):
    """When a school (or, for its schools without their own, a council) starts its day: Operation Encompass
    notices are due before the start of the next school day."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="school_calendar"
    )
    school_day_start = models.TimeField()
    set_by_label = models.CharField(max_length=300)
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.organisation.code} school day starts {self.school_day_start:%H:%M}"


class TermBreak(models.Model):
    """Days a school (or a council's schools) is closed beyond weekends and bank holidays: holidays, training
    days. Operation Encompass counts school days only."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="term_breaks")
    name = models.CharField(max_length=100)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        ordering = ["first_day"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=models.F("first_day")), name="term_break_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.first_day} to {self.last_day}"


class Clock(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    rule = models.CharField(max_length=40)
    nation = models.CharField(max_length=20)
    # The figure the due time was counted from, in words, and the area setting when one applied.
    figure = models.CharField(max_length=100)
    area_setting = models.CharField(max_length=400, blank=True)
    # Who must act before the clock runs out: an organisation, and within it a named person where known.
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="clocks")
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="clocks")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="clocks")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="clocks")
    # What the clock is about, in the words of the app that started it ("share", "strategy-discussion", ...).
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by_label = models.CharField(max_length=300, blank=True)
    # Set when the due time passes with the clock still open (by the worker), or when it is stopped late.
    breached_at = models.DateTimeField(null=True, blank=True)
    breach_reason = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            # One clock of a rule per subject (and per child, where the subject is about several).
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id", "person"],
                condition=Q(person__isnull=False),
                name="clock_once_per_rule_subject_person",
            ),
            models.UniqueConstraint(
                fields=["rule", "subject_type", "subject_id"],
                condition=Q(person__isnull=True),
                name="clock_once_per_rule_subject",
            ),
            models.CheckConstraint(
                condition=Q(breached_at__isnull=True) | Q(breached_at__gte=models.F("due_at")),
                name="clock_breached_after_due",
            ),
        ]
        indexes = [
            # Overdue and due-soon lists read only open clocks, by organisation or owner, in due order.
            models.Index(
                fields=["organisation", "due_at"],
                condition=Q(stopped_at__isnull=True),
                name="clock_open_org_idx",
            ),
            models.Index(
                fields=["owner", "due_at"], condition=Q(stopped_at__isnull=True), name="clock_open_owner_idx"
            ),
            # A team manager's list of breached clocks escalated to them.
            models.Index(
                fields=["organisation", "due_at"],
                condition=Q(stopped_at__isnull=True, escalated_at__isnull=False),
                name="clock_escalated_org_idx",
            ),
            models.Index(fields=["person", "rule"], name="clock_person_rule_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} for {self.subject_type} {self.subject_id}"

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None

    @property
    def met(self) -> bool:
        return self.stopped_at is not None and self.stopped_at <= self.due_at


class WorkType(models.TextChoices):
    """What a team manager allocates: a notification to decide on, a piece of work on a clock (an assessment, a
    strategy discussion to hold), or a multi-agency meeting (a strategy discussion, a conference)."""

    SHARE = "share", "Notification"
    CLOCK = "clock", "Deadline"
    MEETING = "meeting", "Meeting"


class Allocation(models.Model):
    """Who in an organisation is doing a piece of its work. A reallocation ends the current row and adds a new
    one, so the history stays; the clocks of the work follow the worker (``Clock.owner``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="allocations")
    work_type = models.CharField(max_length=20, choices=WorkType.choices)
    work_id = models.CharField(max_length=64)
    worker = models.ForeignKey(User, on_delete=models.PROTECT, related_name="allocations")
    allocated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    allocated_by_label = models.CharField(max_length=300)
    allocated_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-allocated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["work_type", "work_id"],
                condition=Q(ended_at__isnull=True),
                name="allocation_one_current_per_work",
            )
        ]
        indexes = [
            models.Index(fields=["worker"], condition=Q(ended_at__isnull=True), name="allocation_current_idx")
        ]

    def __str__(self) -> str:
        return f"{self.work_type} {self.work_id} to {self.worker}"
