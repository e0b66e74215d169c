"""Deciding whether two records are one child, and merging them so that it can be undone.

A merge moves every row that names the merged record (events, shares, clocks, meetings, identifiers, access
reasons...) onto the record kept, and writes down each row it moved, so an unmerge puts each back exactly."""

from django.db import models
from django.utils import timezone

from openmash.accounts.models import User
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation
from openmash.people.models import Person


class ReviewStatus(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    LINKED = "linked", "Linked as one child"
    KEPT_APART = "kept-apart", "Kept separate"


class ReviewSource(models.TextChoices):
    INTAKE = "intake", "Recording an event"
    DEDUPE = "dedupe", "A search for duplicate records"


class MatchReview(models.Model):
    """Two records that may be one child, for a person at ``organisation`` (an agency that may see both) to
    decide. Raised when the matcher is unsure (its score in the grey band)."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    arriving = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    # Each comparison in words: [["Given name", "Nickname of each other"], ...]
    comparisons = models.JSONField(default=list)
    source = models.CharField(max_length=10, choices=ReviewSource.choices)
    raised_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "status", "raised_at"], name="review_queue_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "arriving", "candidate"],
                condition=models.Q(status="open"),
                name="review_open_once",
            )
        ]


class KeptApart(models.Model):
    """Two records a person decided are different children: never asked again, never linked automatically."""

    first = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="kept_apart_once")]


class Merge(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    kept = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    merged_by = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    review = models.ForeignKey(MatchReview, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unmerge_reason = models.TextField(blank=True)


class MergeMove(models.Model):
    """One row the merge moved: which table, which row, which column named the merged record."""

    merge = models.ForeignKey(Merge, on_delete=models.CASCADE, related_name="moves")
    model = models.CharField(max_length=100)  # "app_label.ModelName"
    row = models.CharField(max_length=64)
    field = models.CharField(max_length=60)
