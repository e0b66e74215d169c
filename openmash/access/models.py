"""Recorded reasons for an organisation to see a person, and inspections with their sampled cases.

Reasons that follow from where a child lives, goes to school or is looked after are read live from those
rows (see policy.py); the rows here record reasons that come from something happening: an event recorded
or received, a record created, an explicit grant.
"""

from django.db import models

from openmash.organisations.models import Organisation


class Restriction(models.TextChoices):
    """A person's record restricted by law (adoption) or for safety (protected identity): seen only through a
    reason that covers restricted records. Defined here, with the reasons, because it is an access rule;
    ``people.models.Person.restriction`` stores it."""

    NONE = "", "Not restricted"
    ADOPTION = "adoption", "Adoption (restricted)"
    PROTECTED = "protected", "Protected identity (restricted)"


class ReasonKind(models.TextChoices):
    RECORDED_PERSON = "recorded-person", "Recorded this person"
    RECORDED_EVENT = "recorded-event", "Recorded an event about this person"
    RECEIVED_SHARE = "received-share", "Received information about this person"
    GRANTED = "granted", "Access granted"


class AccessReason(models.Model):
    # No index of its own: access_reason_org_person_idx starts with it (one index fewer to write per reason).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="access_reasons", db_index=False
    )
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="access_reasons")
    kind = models.CharField(max_length=20, choices=ReasonKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    # A restricted record (adoption, protected identity) is visible only through a reason that says so.
    covers_restricted = models.BooleanField(default=False)
    granted_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    granted_by = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "person"], name="access_reason_org_person_idx")]

    def __str__(self) -> str:
        return f"{self.organisation.code}: {self.get_kind_display()}"


class Inspection(models.Model):
    inspectorate = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="inspections")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="inspections_received")
    reference = models.CharField(max_length=60, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="inspection_dates"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.council.name}"


class InspectionSample(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="samples")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="inspection_samples")
    sampled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "person"], name="inspection_sample_unique")
        ]

    def __str__(self) -> str:
        return f"{self.inspection.reference}: {self.person_id}"
