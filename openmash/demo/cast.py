"""The demo cast: made-up organisations, one sign-in per role, and a few families, all built through the real
services. ``openmash demo`` loads it for people trying the service; the tests use the same cast as their
personas (owning council, partner police force, unrelated council, inspector, administrator).

Everyone here is fictional. The councils and police force are real reference organisations so that routing
and codes behave as they will in use; the schools, trusts and services are invented and say so in their names.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from openmash.access.models import ReasonKind
from openmash.access.services import access_reason_record, inspection_access_grant, inspection_sample_add
from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.models import Role, User
from openmash.accounts.services import user_create
from openmash.demo.services import DEMO_EMAIL_DOMAIN, DemoRefused, demo_database_marked
from openmash.lib.identifiers import nhs_number_check_digit, upn_check_letter
from openmash.missing.models import LegalStatus, PlacementType, ProviderSector
from openmash.missing.services import placement_record
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.organisations.selectors import organisation_resolve
from openmash.organisations.services import organisation_create
from openmash.people.models import (
    ChildStatusKind,
    IdentifierScheme,
    Person,
    PersonKind,
    RelationshipKind,
    Restriction,
    Sex,
)
from openmash.people.services import (
    AddressInput,
    IdentifierInput,
    child_status_record,
    person_create,
    relationship_record,
)

DEMO_PASSWORD = "OpenMASH-demo-2026"

# The council's front door and assessment team: the team manager sees its members' deadlines.
FRONT_DOOR_TEAM = "Front door and assessment"
TEAMS = {
    "mash.practitioner": FRONT_DOOR_TEAM,
    "social.worker": FRONT_DOOR_TEAM,
    "team.manager": FRONT_DOOR_TEAM,
}

# (username, organisation key, role, first name, last name)
SIGN_INS = [
    ("police.officer", "police", Role.POLICE_OFFICER, "Priya", "Shah"),
    ("police.ppu", "police", Role.POLICE_PUBLIC_PROTECTION, "Tom", "Reed"),
    ("police.designated", "police", Role.POLICE_DESIGNATED_OFFICER, "Grace", "Oduya"),
    ("vetting.officer", "police", Role.VETTING_OFFICER, "Ian", "Moss"),
    ("mash.practitioner", "council", Role.MASH_PRACTITIONER, "Hannah", "Cole"),
    ("social.worker", "council", Role.SOCIAL_WORKER, "Dev", "Patel"),
    ("team.manager", "council", Role.TEAM_MANAGER, "Ruth", "Okafor"),
    ("council.admin", "council", Role.ADMINISTRATOR, "Alan", "Price"),
    ("school.dsl", "school", Role.SCHOOL_DSL, "Maria", "Lopez"),
    ("health.practitioner", "health", Role.HEALTH_SAFEGUARDING, "Sam", "Berry"),
    ("return.interviewer", "return-service", Role.RETURN_INTERVIEWER, "Jo", "Wells"),
    ("partnership.lead", "partnership", Role.PARTNERSHIP_LEAD, "Chris", "Hale"),
    ("inspector", "inspectorate", Role.INSPECTOR, "Olu", "Adeyemi"),
    ("bury.social.worker", "unrelated-council", Role.SOCIAL_WORKER, "Kim", "Ashworth"),
    ("home.carer", "childrens-home", Role.CARER, "Bea", "Lund"),
    ("durham.officer", "unrelated-force", Role.POLICE_OFFICER, "Rob", "Kerr"),
]


@dataclass
class DemoCast:
    organisations: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)


def demo_nhs_number(serial: int) -> str:
    """A valid NHS number from the 999 range, which is never issued to real patients."""
    for candidate in range(serial, serial + 100):
        first_nine = f"999{candidate:06d}"
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise ValueError("no valid NHS number near that serial")


def demo_upn(la_number: str, serial: int) -> str:
    body = f"{la_number}9999{26:02d}{serial:03d}"[:12]
    return upn_check_letter(body) + body


def _local_organisations() -> dict[str, Organisation]:
    council = organisation_resolve("Stockton-on-Tees")
    orgs = {
        "council": council,
        "police": organisation_resolve("Cleveland Police"),
        "unrelated-council": organisation_resolve("Bury"),
        "unrelated-force": organisation_resolve("Durham Constabulary"),
    }
    made_up = [
        ("school", "URN-900001", "Riverside Primary School (demo)", OrganisationKind.SCHOOL, council),
        (
            "health",
            "ODS-ZZ901",
            "Tees Community Health NHS Trust (demo)",
            OrganisationKind.HEALTH_TRUST,
            None,
        ),
        (
            "return-service",
            "ORG-TEES-RHI",
            "Tees Return Interviews (demo)",
            OrganisationKind.RETURN_INTERVIEW_SERVICE,
            council,  # commissioned by the council: it receives the council's returned children
        ),
        (
            "childrens-home",
            "ORG-OAK-HOUSE",
            "Oak House Residential Care (demo)",
            OrganisationKind.OTHER,
            None,
        ),
        (
            "partnership",
            "ORG-STOCKTON-SCP",
            "Stockton-on-Tees Safeguarding Partnership (demo)",
            OrganisationKind.PARTNERSHIP,
            council,
        ),
        ("inspectorate", "ORG-OFSTED", "Ofsted", OrganisationKind.INSPECTORATE, None),
    ]
    for key, code, name, kind, parent in made_up:
        existing = Organisation.objects.filter(code=code).first()
        orgs[key] = existing or organisation_create(code=code, name=name, kind=kind, parent=parent)
    # The demo is signed into without a phone. Only in a demo database (demo_load checks): in any other, these
    # are real organisations and keep the second factor their administrators chose.
    for organisation in orgs.values():
        if organisation.requires_two_factor:
            organisation.requires_two_factor = False
            organisation.save(update_fields=["requires_two_factor"])
    return orgs


@transaction.atomic
def demo_load() -> DemoCast:
    """Load the demo cast, or return it if it is already there. Needs the reference data, in a database
    marked as a demo (``demo_database_mark``)."""
    if not demo_database_marked():
        raise DemoRefused("This database is not marked as a demo: the demo cast is not loaded into it.")
    cast = DemoCast(organisations=_local_organisations())
    for username, org_key, role, first, last in SIGN_INS:
        existing = User.objects.filter(username=username).first()
        cast.users[username] = existing or user_create(
            actor=system_actor(cast.organisations[org_key]),
            organisation=cast.organisations[org_key],
            username=username,
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            first_name=first,
            last_name=last,
            roles=[role],
            password=DEMO_PASSWORD,
            team=TEAMS.get(username, ""),
        )
    if Person.objects.filter(recorded_by=cast.organisations["council"], family_name="Hart").exists():
        for person in Person.objects.filter(family_name__in=["Hart", "Marsh", "Reyes"]):
            # The unborn Hart baby has no given name yet: the same key as when the cast was first loaded.
            key = (
                "unborn" if person.kind == PersonKind.UNBORN else f"{person.given_name} {person.family_name}"
            )
            cast.people[key.strip()] = person
        return cast
    _load_families(cast)
    return cast


def _load_families(cast: DemoCast) -> None:
    council = cast.organisations["council"]
    worker = actor_for_user(cast.users["social.worker"])
    home = AddressInput(
        line_1="12 Rowan Street",
        town="Stockton-on-Tees",
        postcode="TS18 1AA",
        council=council,
        start_date=dt.date(2019, 4, 1),
    )
    amelia = person_create(
        actor=worker,
        given_name="Amelia",
        family_name="Hart",
        date_of_birth=dt.date(2016, 5, 14),
        sex=Sex.FEMALE,
        ethnicity="WBRI",
        aliases=[("Millie", "Hart")],
        identifiers_given=[
            IdentifierInput(scheme=IdentifierScheme.NHS_NUMBER, value=demo_nhs_number(1)),
            IdentifierInput(scheme=IdentifierScheme.UPN, value=demo_upn(council.la_number or "808", 1)),
            IdentifierInput(scheme=IdentifierScheme.COUNCIL_CHILD_ID, value="STC-100234"),
        ],
        address=home,
        school=cast.organisations["school"],
    )
    noah = person_create(
        actor=worker,
        given_name="Noah",
        family_name="Hart",
        date_of_birth=dt.date(2020, 2, 2),
        sex=Sex.MALE,
        ethnicity="WBRI",
        identifiers_given=[IdentifierInput(scheme=IdentifierScheme.NHS_NUMBER, value=demo_nhs_number(200))],
        address=home,
    )
    sarah = person_create(
        actor=worker,
        kind=PersonKind.ADULT,
        given_name="Sarah",
        family_name="Hart",
        date_of_birth=dt.date(1992, 9, 30),
        sex=Sex.FEMALE,
        ethnicity="WBRI",
        address=home,
    )
    unborn = person_create(
        actor=worker,
        kind=PersonKind.UNBORN,
        given_name="",
        family_name="Hart",
        expected_date_of_birth=timezone.localdate() + dt.timedelta(days=120),
    )
    leo = person_create(
        actor=worker,
        given_name="Leo",
        family_name="Marsh",
        date_of_birth=dt.date(2011, 11, 3),
        sex=Sex.MALE,
        ethnicity="MWBC",
        identifiers_given=[IdentifierInput(scheme=IdentifierScheme.NHS_NUMBER, value=demo_nhs_number(300))],
        address=AddressInput(
            line_1="Oak House, 4 Mill Lane", town="Thornaby", postcode="TS17 6AA", council=council
        ),
    )
    restricted = person_create(
        actor=worker,
        given_name="Ellis",
        family_name="Reyes",
        date_of_birth=dt.date(2022, 1, 20),
        sex=Sex.UNKNOWN,
        restriction=Restriction.ADOPTION,
        address=AddressInput(
            line_1="1 Quiet Close", town="Stockton-on-Tees", postcode="TS19 0AA", council=council
        ),
    )
    for child in (amelia, noah):
        relationship_record(actor=worker, person=sarah, relative=child, kind=RelationshipKind.PARENT)
    relationship_record(actor=worker, person=amelia, relative=noah, kind=RelationshipKind.SIBLING)
    relationship_record(actor=worker, person=sarah, relative=unborn, kind=RelationshipKind.PARENT)
    child_status_record(
        actor=worker,
        person=amelia,
        council=council,
        status=ChildStatusKind.CHILD_IN_NEED,
        start_date=dt.date(2026, 3, 2),
    )
    child_status_record(
        actor=worker,
        person=leo,
        council=council,
        status=ChildStatusKind.LOOKED_AFTER,
        start_date=dt.date(2024, 6, 10),
    )
    # Leo lives at Oak House, a children's home: its carers report him missing and found.
    placement_record(
        actor=worker,
        child=leo,
        provider=cast.organisations["childrens-home"],
        started_on=dt.date(2024, 6, 10),
        placement_type=PlacementType.CHILDRENS_HOME,
        legal_status=LegalStatus.CARE_ORDER,
        provider_sector=ProviderSector.PRIVATE,
    )
    # The police force has recorded an incident about Amelia and her mother: its reason to see them.
    for person in (amelia, sarah):
        access_reason_record(
            actor=actor_for_user(cast.users["police.officer"]),
            organisation=cast.organisations["police"],
            person=person,
            kind=ReasonKind.RECORDED_EVENT,
            detail="Domestic abuse incident CLE-26-0001 (demo)",
        )
    # The council's administrator has opened the area to Ofsted's inspector for four weeks from now.
    now = timezone.now()
    inspection = inspection_access_grant(
        actor=actor_for_user(cast.users["council.admin"]),
        council=council,
        inspectorate=cast.organisations["inspectorate"],
        team=[cast.users["inspector"]],
        reference=f"ILACS-DEMO-{timezone.localdate():%Y%m%d}",
        starts_at=now,
        ends_at=now + dt.timedelta(days=28),
        reason="Inspection of local authority children's services (demo)",
    )
    inspection_sample_add(
        actor=system_actor(cast.organisations["inspectorate"]), inspection=inspection, person=leo
    )
    cast.people.update(
        {
            "Amelia Hart": amelia,
            "Noah Hart": noah,
            "Sarah Hart": sarah,
            "unborn": unborn,
            "Leo Marsh": leo,
            "Ellis Reyes": restricted,
        }
    )
