"""The organisations that use OpenMASH: councils, police forces, NHS bodies, schools and the rest.

Codes follow public schemes where one exists (docs/decisions/0003-organisation-codes.md):
councils by ONS GSS code, police forces by the GSS code of their police force area, NHS regions and
integrated care boards by GSS code, schools as ``URN-<DfE unique reference number>``, NHS trusts as
``ODS-<ODS code>``, anything else as ``ORG-<short name>``.
"""

from django.db import models


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council (children's services)"
    POLICE = "police", "Police force"
    NHS_REGION = "nhs-region", "NHS region"
    INTEGRATED_CARE_BOARD = "icb", "Integrated care board"
    HEALTH_TRUST = "health-trust", "NHS trust"
    SCHOOL = "school", "School or college"
    RETURN_INTERVIEW_SERVICE = "return-interview-service", "Return interview service"
    INSPECTORATE = "inspectorate", "Inspectorate"
    PARTNERSHIP = "partnership", "Safeguarding partnership"
    OTHER = "other", "Other agency"


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern-ireland", "Northern Ireland"


class Organisation(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    nation = models.CharField(max_length=20, choices=Nation.choices, default=Nation.ENGLAND)
    # DfE three-digit LA number for English councils (Welsh Government's code for Welsh ones).
    la_number = models.CharField(max_length=3, blank=True)
    council_kind = models.CharField(max_length=30, blank=True)
    # An ICB's NHS region; a school's council; a partnership's lead council.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Police forces cover councils; the reverse side is ``police_forces``.
    covers = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="police_forces")
    requires_two_factor = models.BooleanField(
        default=True, help_text="Everyone in this organisation must sign in with a second factor."
    )
    is_reference = models.BooleanField(default=False, help_text="Loaded from the shipped reference data.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="organisation_unique_name_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class District(models.Model):
    """A lower-tier (district) council, routed to the county council that runs its children's services."""

    gss_code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=200)
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="districts")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.gss_code})"
