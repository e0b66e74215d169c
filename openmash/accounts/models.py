"""People who sign in, the roles they hold, and the API clients organisations use."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property

from openmash.organisations.models import Organisation, OrganisationKind


class Role(models.TextChoices):
    POLICE_OFFICER = "police-officer", "Police officer"
    POLICE_PUBLIC_PROTECTION = "police-public-protection", "Police public-protection officer"
    POLICE_DESIGNATED_OFFICER = "police-designated-officer", "Police designated officer"
    MASH_PRACTITIONER = "mash-practitioner", "MASH practitioner"
    SOCIAL_WORKER = "social-worker", "Social worker"
    TEAM_MANAGER = "team-manager", "Team manager"
    SCHOOL_DSL = "school-dsl", "School designated safeguarding lead"
    HEALTH_SAFEGUARDING = "health-safeguarding", "Health safeguarding practitioner"
    RETURN_INTERVIEWER = "return-interviewer", "Return-interview practitioner"
    # A foster carer or children's home worker: reports a child in their care missing and found.
    CARER = "carer", "Carer (foster carer or residential care worker)"
    VETTING_OFFICER = "vetting-officer", "Vetting officer"
    PARTNERSHIP_LEAD = "partnership-lead", "Partnership lead"
    INSPECTOR = "inspector", "Inspector"
    # Answers subject access requests for the council (UK GDPR Art 15, Art 37-39): exports everything held about
    # a person for review and redaction before release. Sees no case work otherwise (openmash.subjectaccess).
    DATA_PROTECTION_OFFICER = "data-protection-officer", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator"


# The roles an organisation of each kind can give its people: a council has no police officers or inspectors, a
# school no team managers. Every kind has administrators. Checked when an account is made or its roles change.
ROLES_BY_KIND: dict[str, frozenset[str]] = {
    # A council's own foster carers and children's homes' staff are its carers.
    OrganisationKind.COUNCIL: frozenset(
        {
            Role.MASH_PRACTITIONER,
            Role.SOCIAL_WORKER,
            Role.TEAM_MANAGER,
            Role.RETURN_INTERVIEWER,
            Role.CARER,
            Role.DATA_PROTECTION_OFFICER,
        }
    ),
    OrganisationKind.POLICE: frozenset(
        {
            Role.POLICE_OFFICER,
            Role.POLICE_PUBLIC_PROTECTION,
            Role.POLICE_DESIGNATED_OFFICER,
            Role.VETTING_OFFICER,
            Role.MASH_PRACTITIONER,
            Role.TEAM_MANAGER,
        }
    ),
    OrganisationKind.NHS_REGION: frozenset({Role.HEALTH_SAFEGUARDING, Role.TEAM_MANAGER}),
    OrganisationKind.INTEGRATED_CARE_BOARD: frozenset({Role.HEALTH_SAFEGUARDING, Role.TEAM_MANAGER}),
    OrganisationKind.HEALTH_TRUST: frozenset(
        {Role.HEALTH_SAFEGUARDING, Role.MASH_PRACTITIONER, Role.TEAM_MANAGER}
    ),
    OrganisationKind.SCHOOL: frozenset({Role.SCHOOL_DSL}),
    OrganisationKind.RETURN_INTERVIEW_SERVICE: frozenset({Role.RETURN_INTERVIEWER, Role.TEAM_MANAGER}),
    OrganisationKind.INSPECTORATE: frozenset({Role.INSPECTOR}),
    OrganisationKind.PARTNERSHIP: frozenset({Role.PARTNERSHIP_LEAD}),
    # Independent fostering agencies and children's homes among them: their carers report children missing.
    OrganisationKind.OTHER: frozenset({Role.MASH_PRACTITIONER, Role.TEAM_MANAGER, Role.CARER}),
}


def roles_for_kind(kind: str) -> list[tuple[str, str]]:
    """The roles (value, label) an organisation of this kind can give, in the order of ``Role``."""
    allowed = ROLES_BY_KIND.get(kind, frozenset()) | {Role.ADMINISTRATOR}
    return [(value, label) for value, label in Role.choices if value in allowed]


class User(AbstractUser):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="users")
    job_title = models.CharField(max_length=200, blank=True)
    # The team within the organisation (a front door, an assessment team): a team manager's deadlines page
    # lists the clocks of everyone in the team.
    team = models.CharField(max_length=100, blank=True)

    REQUIRED_FIELDS = ["email", "organisation"]

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        return frozenset(self.role_assignments.values_list("role", flat=True))

    def is_verified(self) -> bool:
        """Whether this sign-in passed the second factor. django-otp's middleware replaces this per request;
        outside a request nobody is verified."""
        return False

    def has_role(self, *roles: str) -> bool:
        return any(role in self.role_codes for role in roles)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()}"


class ApiClient(models.Model):
    """A system of an organisation (a police records system, a school MIS) calling the API.

    Only a SHA-256 digest of the token is kept: tokens are 256 random bits, so a slow password hash adds
    nothing, and the prefix lets a lookup find the row without scanning.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(max_length=200)
    token_prefix = models.CharField(max_length=16, unique=True)
    token_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="api_client_unique_name_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.code})"
