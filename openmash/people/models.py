"""People: children, the adults around them, and unborn children, with what identifies and locates them."""

from django.conf import settings
from django.db import models

from openmash.access.models import Restriction
from openmash.lib.ids import new_id
from openmash.organisations.models import Organisation


class PersonKind(models.TextChoices):
    CHILD = "child", "Child"
    ADULT = "adult", "Adult"
    UNBORN = "unborn", "Unborn child"


class Sex(models.TextChoices):
    # CIN census / SSDA903 codes: M, F, and U where not known or not stated.
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


class Ethnicity(models.TextChoices):
    """DfE ethnicity codes (children in need census and SSDA903)."""

    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy/Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Caribbean"
    BAFR = "BAFR", "African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


class Person(models.Model):
    # Opaque identifiers in addresses: the existence of a child's record is itself sensitive.
    id = models.UUIDField(primary_key=True, default=new_id, editable=False)
    kind = models.CharField(max_length=10, choices=PersonKind.choices, default=PersonKind.CHILD)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    restriction = models.CharField(
        max_length=20, choices=Restriction.choices, default=Restriction.NONE, blank=True
    )
    # Denormalised from the primary name, for search and lists.
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Set when this record was merged into another (openmash.merging): everything it named moved there, and
    # it is no longer shown or matched. Cleared by an unmerge.
    # Indexed for merged records only (the Meta's partial index): with every record in the index, SQLite took
    # "merged_into IS NULL" for a selective lookup and read every person instead of the few asked for by id
    # (an import's chunk read 100,000 people this way to link 50).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(fields=["family_name", "given_name"], name="person_name_idx"),
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
            # Search by date of birth also finds the unborn by the date they are expected: without this, that
            # "or" read every person. Only the unborn have one, so the index is small.
            models.Index(
                fields=["expected_date_of_birth"],
                condition=models.Q(expected_date_of_birth__isnull=False),
                name="person_expected_dob_idx",
            ),
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="person_merged_into_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=PersonKind.UNBORN) | models.Q(expected_date_of_birth__isnull=False),
                name="person_unborn_has_expected_date",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or "Unnamed person"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class NameKind(models.TextChoices):
    LEGAL = "legal", "Legal name"
    ALIAS = "alias", "Also known as"
    PREVIOUS = "previous", "Previous name"


class PersonName(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    kind = models.CharField(max_length=10, choices=NameKind.choices, default=NameKind.LEGAL)
    # The name as search matches it (lib.names.search_key: case, accents, hyphens and apostrophes ignored),
    # written with the name on every path. Indexed by trigram for search by any part of a name, by a migration
    # (0005) since the index differs between the databases: pg_trgm's GIN index on PostgreSQL, an FTS5 table
    # with the trigram tokenizer (kept current by triggers) on SQLite.
    search_key = models.CharField(max_length=210)

    class Meta:
        ordering = ["kind", "family_name", "given_name"]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class IdentifierScheme(models.TextChoices):
    NHS_NUMBER = "nhs", "NHS number"
    UPN = "upn", "Unique pupil number"
    COUNCIL_CHILD_ID = "council-child-id", "Council child ID"
    POLICE_PERSON_ID = "police-person-id", "Police person ID"


class PersonIdentifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=20, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=40)
    # The council or force that issued a local identifier. Empty for a national scheme (NHS number, UPN) that
    # belongs to this person; for a national identifier, the organisation that gave it when the record holding
    # it could not be confirmed as the same person (docs/decisions/0012): kept as given, unconfirmed.
    issuer = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "value"],
                condition=models.Q(issuer__isnull=True),
                name="identifier_unique_national",
            ),
            models.UniqueConstraint(fields=["scheme", "value", "issuer"], name="identifier_unique_local"),
        ]
        indexes = [models.Index(fields=["value"], name="identifier_value_idx")]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class Address(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8)
    # The council with children's services for this address (the upper tier, not the district).
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        indexes = [models.Index(fields=["council", "end_date"], name="address_council_idx")]

    def __str__(self) -> str:
        return ", ".join(part for part in [self.line_1, self.line_2, self.town, self.postcode] if part)

    @property
    def is_current(self) -> bool:
        return self.end_date is None


class RelationshipKind(models.TextChoices):
    PARENT = "parent", "Parent"
    PARENT_PARTNER = "parent-partner", "Parent's partner"
    CARER = "carer", "Carer"
    RELATIVE = "relative", "Other relative"
    SIBLING = "sibling", "Sibling"
    HOUSEHOLD_MEMBER = "household-member", "Household member"


class Relationship(models.Model):
    """``person`` is the ``kind`` of ``relative``: (mother, parent, child)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    relative = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships_to")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "relative", "kind"], name="relationship_unique"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("relative")), name="relationship_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} is {self.get_kind_display().lower()} of {self.relative}"


class ChildStatusKind(models.TextChoices):
    KNOWN = "known", "Known to children's social care"
    CHILD_IN_NEED = "child-in-need", "Child in need"
    PROTECTION_PLAN = "protection-plan", "Child protection plan"
    LOOKED_AFTER = "looked-after", "Looked after"


class ChildStatus(models.Model):
    """A child's status with one council, over a period. An open period has no end date."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="statuses")
    council = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=ChildStatusKind.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    # The allocated social worker, told by name when the child goes missing.
    social_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-start_date"]
        verbose_name_plural = "child statuses"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="child_status_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.council.name})"


class SchoolEnrolment(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    school = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return f"{self.person} at {self.school.name}"


class CorrectedDetail(models.TextChoices):
    GIVEN_NAME = "given_name", "First name"
    FAMILY_NAME = "family_name", "Last name"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    ADDRESS = "address", "Address"
    NHS_NUMBER = "nhs", "NHS number"
    UPN = "upn", "Unique pupil number"


class PersonCorrection(models.Model):
    """The record's history: one detail of a person corrected (UK GDPR Art 16, rectification), with the value it
    had, kept so what was shared before can be understood and the correction shown to whoever received it.
    Append-only: written by ``people.services.person_details_correct`` and never changed."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="corrections")
    detail = models.CharField(max_length=20, choices=CorrectedDetail.choices)
    # As words a reader understands ("12 March 2015", "1 High Street, Bury, BL9 0AA"): the stored value may
    # be a date or several columns.
    old_value = models.CharField(max_length=400, blank=True)
    new_value = models.CharField(max_length=400, blank=True)
    why = models.CharField(max_length=500)
    corrected_at = models.DateTimeField()
    corrected_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    corrected_by_label = models.CharField(max_length=300)
    # The "details corrected" event that told the agencies which had received the old details (no foreign key:
    # events sit above people in the layers).
    event_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-corrected_at", "-id"]
        indexes = [models.Index(fields=["person", "corrected_at"], name="person_correction_idx")]

    def __str__(self) -> str:
        return f"{self.get_detail_display()} corrected"
