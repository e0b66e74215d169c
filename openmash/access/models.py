"""Recorded reasons for an organisation to see a person, and inspections (an area's grant of access to a named
inspection team) with their sampled cases.

Reasons that follow from where a child lives, goes to school or is looked after are read live from those
rows (see policy.py); the rows here record reasons that come from something happening: an event recorded
or received, a record created, an explicit grant.
"""

import datetime as dt

from django.db import models
from django.utils import timezone

from openmash.accounts.models import User
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


# How long an area may open itself to one inspection team at a time. Ofsted's standard inspection of local
# authority children's services (ILACS) is about three weeks from the notification call to the last day on
# site; six weeks leaves room for a short delay without leaving an area open to a team for months. A longer need
# is a new grant, decided afresh by the area.
INSPECTION_ACCESS_MAX = dt.timedelta(days=42)

# How many children the product draws for an inspection's random sample of cases (domain.md section 5: the
# inspectors then read those children's records). A draw takes this many children, or every child when the
# area has fewer.
INSPECTION_SAMPLE_SIZE = 10


class Inspection(models.Model):
    """An inspection of a council area, and the area's grant of access to it: the carrier of the grant.

    One row is one inspection team's access to one area: the inspectorate, its named members
    (``InspectionTeamMember``), from ``starts_at`` to ``ends_at`` (at most ``INSPECTION_ACCESS_MAX``), for the
    reason and reference the area's administrator gave. The inspection and the grant are one row because they
    have one life: the team reads the area only while the grant runs, so a second row for "the inspection"
    would carry nothing of its own. Access ends by itself: ``policy.inspection_access_state`` compares the time
    with ``ends_at`` on every request (no job needs to run), and ``revoked_at`` ends it earlier. The cases
    the product draws for the team are ``InspectionSample`` rows of it.
    """

    inspectorate = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="inspections")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="inspections_received")
    reference = models.CharField(max_length=60, unique=True)
    # Access from starts_at (included) to ends_at (excluded).
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_by_label = models.CharField(max_length=300, blank=True)
    granted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_label = models.CharField(max_length=300, blank=True)
    revoked_reason = models.TextField(blank=True)
    team = models.ManyToManyField(User, through="InspectionTeamMember", related_name="inspections_in")

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="inspection_access_times"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.council.name}"

    @property
    def starts_on(self) -> dt.date:
        """The day (London time) access starts."""
        return timezone.localdate(self.starts_at)

    @property
    def ends_on(self) -> dt.date:
        """The last day (London time) with access: ``ends_at`` itself is the first moment without."""
        return timezone.localdate(self.ends_at - dt.timedelta(microseconds=1))


class InspectionTeamMember(models.Model):
    """A named inspector of the inspectorate in an inspection's team: only they read the area under the grant."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "user"], name="inspection_team_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.inspection.reference}: {self.user.username}"


class InspectionSample(models.Model):
    """A child sampled for an inspection: drawn at random by the product (with the draw's seed and who asked for
    it), or named by the area (no seed)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="samples")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="inspection_samples")
    sampled_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    drawn_by_label = models.CharField(max_length=300, blank=True)
    # The draw's seed: the same seed over the same children (ordered by id) draws the same sample again.
    seed = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspection", "person"], name="inspection_sample_unique")
        ]

    def __str__(self) -> str:
        return f"{self.inspection.reference}: {self.person_id}"
