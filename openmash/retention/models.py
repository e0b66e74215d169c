"""An area's own retention figures, legal holds, and the record of what retention removed.

The rules themselves, with their sources, are data in ``rules.toml`` (docs/data-protection.md, "Retention")."""

from django.db import models

from openmash.events.models import Event
from openmash.organisations.models import Organisation
from openmash.people.models import Person


class RetentionSetting(models.Model):
    """A council's (or force's) own figure for one rule, in place of the default in rules.toml."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    rule = models.CharField(max_length=40)
    # Empty: the rule's default. A rule that has no birthday (or no years-after) ignores that part.
    birthday = models.PositiveSmallIntegerField(null=True, blank=True)
    years_after = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300)
    changed_at = models.DateTimeField()
    changed_by_label = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "rule"], name="retention_setting_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} for {self.organisation_id}"


class LegalHold(models.Model):
    """Keep a person's records, or one event, past their date: litigation, an inquiry, a review, a complaint.
    Lifted, never deleted, so the hold itself stays on record."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    placed_at = models.DateTimeField()
    placed_by_label = models.CharField(max_length=300)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by_label = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, event__isnull=True)
                | models.Q(person__isnull=True, event__isnull=False),
                name="legal_hold_on_a_person_or_an_event",
            ),
        ]

    def __str__(self) -> str:
        return f"Legal hold: {self.reason}"


class Removal(models.Model):
    """What a retention run removed: a person's details, or one event's content. The rows themselves stay
    (other records and the audit trail point at them), emptied of what identifies anyone."""

    person = models.OneToOneField(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    event = models.OneToOneField(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule = models.CharField(max_length=40)
    due_on = models.DateField()
    removed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, event__isnull=True)
                | models.Q(person__isnull=True, event__isnull=False),
                name="retention_removal_of_a_person_or_an_event",
            ),
        ]

    def __str__(self) -> str:
        return f"Removed under {self.rule} (due {self.due_on})"
