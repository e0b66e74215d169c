"""Events: what an agency knows and records once. Recording one produces its shares (openmash.sharing)."""

from django.db import models

from openmash.accounts.models import User
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation
from openmash.people.models import Person


class EventKind(models.TextChoices):
    DOMESTIC_ABUSE = "domestic-abuse", "Domestic abuse incident"
    MISSING = "missing", "Missing child report"
    FOUND = "found", "Found report"
    POLICE_PROTECTION = "police-protection", "Police protection notice"
    REFERRAL = "referral", "Referral"
    INFORMATION_SHARE = "information-share", "Information share"
    # Multi-agency work: each is recorded by its own app's service, which validates it and names the agencies
    # involved; the event and its shares then travel the same path as every other event.
    STRATEGY_DISCUSSION = "strategy-discussion", "Strategy discussion"
    CONFERENCE = "conference", "Child protection conference"
    CORE_GROUP = "core-group", "Core group meeting"
    JOINT_VISIT = "joint-visit", "Joint visit"
    EVIDENTIAL_INTERVIEW = "evidential-interview", "Evidential (joint) interview"
    INVESTIGATION_CLOSURE = "investigation-closure", "Proposed closure of a police investigation"
    DISAGREEMENT = "disagreement", "Professional disagreement"
    POLICE_PROTECTION_ENDED = "police-protection-ended", "End of police protection"
    # A looked-after child's Philomena profile, released to the police by a missing report (openmash.philomena).
    PHILOMENA_PROFILE = "philomena-profile", "Philomena profile released"
    # The findings of a return home interview, shared with the police and the child's social worker.
    RETURN_INTERVIEW = "return-interview", "Return home interview findings"
    # Raised by OpenMASH, not recorded by an agency: two or more agencies' concerns about one child (or one adult
    # across different children) close together in time, for the child's council front door (openmash.casework).
    CONCERNS_TOGETHER = "concerns-together", "Concerns from two or more agencies"
    # A person's details corrected (UK GDPR Art 16, rectification; Art 19: told to every recipient of the old
    # details): shared with each agency that received them (sharing.routing.received_the_details).
    DETAILS_CORRECTED = "details-corrected", "Correction of a person's details"


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Source(models.TextChoices):
    WEB = "web", "Recorded in OpenMASH"
    API = "api", "Sent through the API"
    IMPORT = "import", "Imported from another system"
    # Written by an import whose file is not all in yet: seen by no one, delivered to no one (docs/import.md).
    HELD = "held", "Imported, held until the rest of its file is in"


class EventQuerySet(models.QuerySet["Event"]):
    def settled(self) -> "EventQuerySet":
        """Leave out the rows of an import whose file is not all in yet (``Source.HELD``)."""
        return self.exclude(source=Source.HELD)


class Event(models.Model):
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    # The recording agency's own reference (a police incident number, a case number).
    reference = models.CharField(max_length=60, blank=True)
    # No index of its own: event_recorder_idx and event_reference_idx start with it.
    recorded_by = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="events_recorded", db_index=False
    )
    recorded_by_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=300)
    occurred_at = models.DateTimeField()
    reported_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    # The council whose area the event happened in (from the postcode, or named explicitly).
    council = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    summary = models.TextField(blank=True)
    # What only this kind of event has (MARAC referral, designated officer, alternatives discussed, ...).
    details = models.JSONField(default=dict, blank=True)
    related_event = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.WEB)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["recorded_by", "recorded_at"], name="event_recorder_idx"),
            models.Index(fields=["recorded_by", "reference"], name="event_reference_idx"),
            # Police protection uses by when they began (insight.measures.protection_rows): partial, so that
            # recording any other kind of event writes nothing more (docs/performance.md, issue 16).
            models.Index(
                fields=["occurred_at"],
                name="event_protection_idx",
                condition=models.Q(kind=EventKind.POLICE_PROTECTION),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}".strip()

    @property
    def is_held(self) -> bool:
        """Written by an import whose file is not all in yet."""
        return self.source == Source.HELD


class SubjectRole(models.TextChoices):
    CHILD = "child", "Child"
    ADULT = "adult", "Adult"


class EventSubject(models.Model):
    """A person an event is about, with what the event says of them (present, what they saw, their words)."""

    # No index of its own: event_subject_unique starts with it.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="subjects", db_index=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="event_subjects")
    role = models.CharField(max_length=10, choices=SubjectRole.choices)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="event_subject_unique")]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})"

    @property
    def name_as_recorded(self) -> str:
        """The person's name as the event's recorder gave it. For a record the recorder may not see (linked by
        an identifier or by likeness, decisions 0012 and 0014) that is what it typed, kept with the event
        (``named_as``): showing the record's own spelling would tell the recorder something the record holds."""
        named = self.details.get("named_as") if isinstance(self.details, dict) else None
        if named:
            return f"{named.get('given_name', '')} {named.get('family_name', '')}".strip()
        return self.person.full_name


class ImportBatch(models.Model):
    """A file being imported: its rows checked and staged, then its incidents written held, then all released
    in one short transaction (docs/import.md). Finished batches stay as the record of what was imported."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField(max_length=300)
    digest = models.CharField(max_length=64)  # SHA-256 of the file: a re-run of the same file carries on
    rows = models.PositiveIntegerField(default=0)
    incidents = models.PositiveIntegerField(default=0)
    checked = models.BooleanField(default=False)  # every row checked and staged
    recorded = models.PositiveIntegerField(default=0)  # incidents written (held) so far, in staged order
    # "history" or "live" (sharing.models.ImportedAs): whether the file's shares are work to do now.
    imported_as = models.CharField(max_length=10, default="history")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=models.Q(finished_at__isnull=True),
                name="import_batch_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.organisation})"


class ImportRow(models.Model):
    """A checked row of an import's file, waiting to be written with the rest of its incident."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="staged", db_index=False)
    incident = (
        models.PositiveIntegerField()
    )  # the incident's number in the file, in order of first appearance
    line = models.PositiveIntegerField()
    values = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["batch", "incident"], name="import_row_incident_idx")]

    def __str__(self) -> str:
        return f"line {self.line}"
