"""Missing children as episodes: one disappearance from the report to the return home interview.

A missing report and a found report are events (openmash.events), shared like every event. An episode ties
them together with what happens between and after: the police risk grading and its changes, the category of
the looked-after children return (missing or away), updates, the police safe-and-well check and the return
home interview (domain.md sections 1, 2 and 5; DfE statutory guidance on children who run away or go missing
from home or care, 2014).
"""

from django.db import models
from django.db.models import Q

from openmash.accounts.models import User
from openmash.events.models import Event
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation
from openmash.people.models import Person


class Category(models.TextChoices):
    """The MIS_START coding of the looked-after children return (SSDA903): M missing, A away without
    authorisation."""

    MISSING = "M", "Missing"
    AWAY = "A", "Away without authorisation"


class Risk(models.TextChoices):
    """The police risk grading of a missing person (College of Policing APP on missing persons)."""

    NO_APPARENT_RISK = "no-apparent-risk", "No apparent risk"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class PlacementType(models.TextChoices):
    """What kind of placement it is, as the looked-after children return (SSDA903) codes it in PLACE (DfE
    SSDA903 guidance; the validator's code list: csc-validator-be-903 rule 146). Blank: not recorded."""

    ADOPTION_CONSENT_CURRENT_CARER = "A3", "Placed for adoption with consent, with current foster carer"
    ADOPTION_CONSENT_NEW_CARER = "A4", "Placed for adoption with consent, not with current foster carer"
    ADOPTION_ORDER_CURRENT_CARER = (
        "A5",
        "Placed for adoption under a placement order, with current foster carer",
    )
    ADOPTION_ORDER_NEW_CARER = (
        "A6",
        "Placed for adoption under a placement order, not with current foster carer",
    )
    SECURE_CHILDRENS_HOME = "K1", "Secure children's home"
    CHILDRENS_HOME = "K2", "Children's home"
    WITH_PARENTS = "P1", "With parents or others with parental responsibility"
    INDEPENDENT_LIVING = "P3", "Independent living or supported accommodation"
    RESIDENTIAL_CARE_HOME = "R1", "Residential care home"
    HEALTH_SETTING = "R2", "NHS or health establishment"
    FAMILY_CENTRE = "R3", "Family centre or mother and baby unit"
    YOUNG_OFFENDER_INSTITUTION = "R5", "Young offender institution or prison"
    RESIDENTIAL_SCHOOL = "S1", "Residential school"
    KINSHIP_FOSTER_LONG_TERM = "U1", "Foster care with a relative or friend: long term"
    KINSHIP_FOSTER_FOR_ADOPTION = "U2", "Foster care with a relative or friend who is an approved adopter"
    KINSHIP_FOSTER = "U3", "Foster care with a relative or friend: not long term"
    FOSTER_LONG_TERM = "U4", "Foster care with another carer: long term"
    FOSTER_FOR_ADOPTION = "U5", "Foster care with another carer who is an approved adopter"
    FOSTER = "U6", "Foster care with another carer: not long term"


class LegalStatus(models.TextChoices):
    """Why the child is looked after, as SSDA903 codes it in LS (the validator's code list: rule 144). Blank:
    not recorded."""

    INTERIM_CARE_ORDER = "C1", "Interim care order"
    CARE_ORDER = "C2", "Full care order"
    FREEING_ORDER = "D1", "Freeing order"
    PLACEMENT_ORDER = "E1", "Placement order"
    SECTION_20 = "V2", "Accommodated under section 20 (single period)"
    SHORT_BREAKS_EPISODES = "V3", "Short breaks under section 20 (each episode recorded)"
    SHORT_BREAKS_AGREEMENT = "V4", "Short breaks under section 20 (agreement recorded)"
    REMANDED = "J1", "Remanded to local authority or youth detention accommodation"
    PACE_TRANSFER = "J2", "In local authority accommodation under PACE"
    YOUTH_REHABILITATION_ORDER = "J3", "Youth rehabilitation order with a residence or fostering requirement"
    POLICE_PROTECTION = "L1", "Police protection, in local authority accommodation"
    EMERGENCY_PROTECTION_ORDER = "L2", "Emergency protection order"
    CHILD_ASSESSMENT_ORDER = "L3", "Child assessment order, in local authority accommodation"


class ProviderSector(models.TextChoices):
    """Who runs a provider that is neither a council nor the NHS (SSDA903 PLACE_PROVIDER PR4 and PR5)."""

    PRIVATE = "private", "Private"
    VOLUNTARY = "voluntary", "Voluntary or third sector"


class Placement(models.Model):
    """Where a looked-after child lives and who cares for them: a children's home, a fostering household or
    agency (``provider``), placed by the responsible council. Its carers may report the child missing and found;
    its staff are not independent of the child for a return interview."""

    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="placements")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="placements")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    # What the council records of the placement for the looked-after children return (SSDA903 PLACE, LS and,
    # for a provider other than a council or the NHS, PLACE_PROVIDER). Blank: not recorded.
    placement_type = models.CharField(max_length=3, choices=PlacementType.choices, blank=True)
    legal_status = models.CharField(max_length=2, choices=LegalStatus.choices, blank=True)
    provider_sector = models.CharField(max_length=10, choices=ProviderSector.choices, blank=True)
    recorded_by_label = models.CharField(max_length=300)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="placement_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child} with {self.provider.name}"


class MissingEpisode(models.Model):
    """One disappearance of one child, from the missing report to the return home interview."""

    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="missing_episodes")
    # The child's responsible council (looked after) or the council where they live: whose list it is on.
    council = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    looked_after = models.BooleanField(default=False)
    category = models.CharField(max_length=1, choices=Category.choices, default=Category.MISSING)
    risk = models.CharField(max_length=20, choices=Risk.choices, default=Risk.MEDIUM)
    reference = models.CharField(max_length=60, blank=True)
    reported_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    missing_report = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="missing_episode")
    last_seen_at = models.DateTimeField()
    last_seen_where = models.CharField(max_length=300, blank=True)
    # When the police were told (the report), and when the child's council was (its share, or a file's time).
    reported_at = models.DateTimeField()
    council_told_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    found_report = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="found_episode"
    )
    found_at = models.DateTimeField(null=True, blank=True)
    found_where = models.CharField(max_length=300, blank=True)
    found_by = models.CharField(max_length=300, blank=True)
    safe_and_well_at = models.DateTimeField(null=True, blank=True)
    safe_and_well_by = models.CharField(max_length=300, blank=True)
    safe_and_well_notes = models.TextField(blank=True)
    # How many episodes the child had in the area's window when this one was reported, where that reached the
    # area's repeat figure (a flag on the front door's inbox prompting a strategy discussion).
    repeat_count = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]
        indexes = [
            models.Index(fields=["council", "last_seen_at"], name="episode_council_idx"),
            models.Index(fields=["child", "last_seen_at"], name="episode_child_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(found_at__isnull=True) | Q(found_at__gte=models.F("last_seen_at")),
                name="episode_found_after_last_seen",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} episode of {self.child}"

    @property
    def is_open(self) -> bool:
        return self.found_at is None


class RiskGrading(models.Model):
    """The police risk grading of an episode, each change kept with who made it and why."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.CASCADE, related_name="gradings")
    risk = models.CharField(max_length=20, choices=Risk.choices)
    graded_at = models.DateTimeField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    graded_by_label = models.CharField(max_length=300)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["graded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_risk_display()} at {self.graded_at:%Y-%m-%d %H:%M}"


class EpisodeUpdate(models.Model):
    """What an agency learned while the child was missing (a sighting, a call, a line of enquiry)."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField()
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    by_label = models.CharField(max_length=300)
    text = models.TextField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class InterviewResponse(models.TextChoices):
    WAITING = "waiting", "Waiting for the child's answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Exploitation(models.TextChoices):
    CRIMINAL = "criminal", "Criminal exploitation"
    SEXUAL = "sexual", "Sexual exploitation"
    COUNTY_LINES = "county-lines", "County lines"


class ReturnInterview(models.Model):
    """The return home interview offered after an episode: offer, answer, interview and what was learned."""

    episode = models.OneToOneField(MissingEpisode, on_delete=models.CASCADE, related_name="return_interview")
    service = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    offered_at = models.DateTimeField()
    offered_to = models.CharField(max_length=300)
    offered_by_label = models.CharField(max_length=300)
    response = models.CharField(
        max_length=10, choices=InterviewResponse.choices, default=InterviewResponse.WAITING
    )
    declined_reason = models.TextField(blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    held_where = models.CharField(max_length=300, blank=True)
    interviewer = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    interviewer_label = models.CharField(max_length=300, blank=True)
    # Independence is checked, not assumed: False with an exception reason when the interviewer belongs to the
    # child's placement or social work team (issue 15; domain.md section 1: not independent in half of
    # inspections). None until held; an imported interview keeps what its file said.
    independent = models.BooleanField(null=True, blank=True)
    independence_conflict = models.CharField(max_length=300, blank=True)
    independence_exception = models.TextField(blank=True)
    why_went = models.TextField(blank=True)
    where_went = models.TextField(blank=True)
    with_whom = models.TextField(blank=True)
    exploitation = models.JSONField(default=list, blank=True)
    child_wishes = models.TextField(blank=True)
    # {agency name: what it is asked to do}
    actions = models.JSONField(default=dict, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    findings = models.OneToOneField(
        Event, null=True, blank=True, on_delete=models.PROTECT, related_name="return_interview"
    )

    def __str__(self) -> str:
        return f"Return interview for {self.episode}"


class SeenKind(models.TextChoices):
    PLACE = "place", "Place"
    ASSOCIATE = "associate", "Associate"


class SeenWith(models.Model):
    """A place a child went or a person they were with, from an episode or its return interview. The same
    place or person across different children is a pattern for the area's exploitation lead."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.CASCADE, related_name="seen_with")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    council = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=SeenKind.choices)
    name = models.CharField(max_length=200)
    # The name as agencies type it: lower case, single spaces, no punctuation (lib.names.name_key style).
    key = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["council", "kind", "key"], name="seen_with_key_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class RepeatMissingSetting(models.Model):
    """An area's own repeat-missing figure: this many episodes within this many days raises the flag (issue
    15: 3 in 90 days unless the area sets otherwise)."""

    council = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    episodes = models.PositiveIntegerField()
    days = models.PositiveIntegerField()
    set_by_label = models.CharField(max_length=300)
    set_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.episodes} episodes in {self.days} days ({self.council})"
