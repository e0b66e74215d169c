"""Vetting (enhanced DBS) checks for prospective foster carers, adopters and their household members.

domain.md section 3 ("Enhanced DBS check"): the service standard is 80% within 14 days of the application, and
foster-carer and other home-based roles always go to police local checks. The 2016 findings (section 1:
Wandsworth, Dorset) were approved carers and adopters left waiting on those checks; a request here carries every
stage's time, so the wait is measured, and the placements it holds up are named.
"""

from django.db import models
from django.db.models import Q

from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation


class VettingRole(models.TextChoices):
    FOSTER_CARER = "foster-carer", "Prospective foster carer"
    ADOPTER = "adopter", "Prospective adopter"
    HOUSEHOLD_MEMBER = "household-member", "Household member"


# Those whose approval, not only their household's, waits on the check: counted as "carers and adopters waiting".
APPLICANT_ROLES = (VettingRole.FOSTER_CARER, VettingRole.ADOPTER)


class VettingOutcome(models.TextChoices):
    CLEAR = "clear", "No information disclosed"
    DISCLOSED = "disclosed", "Information disclosed"
    WITHDRAWN = "withdrawn", "Withdrawn by the council"


class VettingStage(models.TextChoices):
    """The steps a request moves through, in order; each recorded with its time."""

    SUBMITTED = "submitted", "Submitted, waiting for police local checks"
    LOCAL_CHECK_STARTED = "local-check-started", "Police local checks started"
    LOCAL_CHECK_COMPLETED = "local-check-completed", "Police local checks completed"
    CERTIFICATE_ISSUED = "certificate-issued", "Certificate issued"
    WITHDRAWN = "withdrawn", "Withdrawn"


class VettingRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    # The council's own reference for the application (its fostering or adoption case number).
    reference = models.CharField(max_length=60, blank=True)
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="vetting_requests")
    # The force doing the police local checks (domain.md: home-based roles always go to them).
    force = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="vetting_checks")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    role = models.CharField(max_length=20, choices=VettingRole.choices)
    # The fostering household or adoption application the person belongs to.
    household = models.CharField(max_length=200, blank=True)
    # Which placements wait on this check (children matched, a sibling group, a respite arrangement).
    placements_blocked = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    # The dbs-enhanced rule's figures for this request: the 14-day standard and the area's escalation point.
    due_at = models.DateTimeField()
    escalation_at = models.DateTimeField()
    local_check_started_at = models.DateTimeField(null=True, blank=True)
    local_check_completed_at = models.DateTimeField(null=True, blank=True)
    certificate_issued_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=VettingOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    delay_reason = models.TextField(blank=True)
    requested_by_label = models.CharField(max_length=300)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_at"]
        indexes = [
            # The queues and backlogs read open requests, oldest first, by force or by council.
            models.Index(
                fields=["force", "submitted_at"], condition=Q(outcome=""), name="vetting_open_force_idx"
            ),
            models.Index(
                fields=["council", "submitted_at"], condition=Q(outcome=""), name="vetting_open_council_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome_at__isnull=False), name="vetting_outcome_has_time"
            ),
            models.CheckConstraint(
                condition=Q(local_check_completed_at__isnull=True) | Q(local_check_started_at__isnull=False),
                name="vetting_check_started_before_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name} ({self.get_role_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_open(self) -> bool:
        return not self.outcome

    @property
    def stage(self) -> str:
        if self.outcome == VettingOutcome.WITHDRAWN:
            return VettingStage.WITHDRAWN
        if self.certificate_issued_at is not None:
            return VettingStage.CERTIFICATE_ISSUED
        if self.local_check_completed_at is not None:
            return VettingStage.LOCAL_CHECK_COMPLETED
        if self.local_check_started_at is not None:
            return VettingStage.LOCAL_CHECK_STARTED
        return VettingStage.SUBMITTED

    @property
    def stage_label(self) -> str:
        return VettingStage(self.stage).label
