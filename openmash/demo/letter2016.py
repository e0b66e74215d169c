"""``openmash generate --scenario letter-2016``: a year (1 April 2015 to 31 March 2016) of made-up operational
data for the areas of the chief inspector's October 2016 letter, each with its failure as reported (domain.md
section 1), and three areas that do well, recorded through the real services.

How each kind of record is made, and why that way:

- Domestic-abuse notifications and missing episodes (the volume) go through the history imports
  (``recording.importing.import_domestic_abuse``, ``missing.importing.import_missing``), one file per force, as
  the imports of another system's records do: real times kept (reported, shared, council told, found,
  interviews), counted in every measure, no live work created now.
- Everything else (strategy discussions and conferences, police protection, joint visits, investigation
  closures, vetting checks) goes through the services a practitioner's page calls, each step run as of the
  moment it happened (``time_machine``, a fixed clock): the services take their ``now`` from the clock, so every
  recorded time, clock and audit row is the historic one, and what they would refuse (a late meeting without a
  reason, a closure that needs the council closed unheard) is refused here too.

Deterministic for a seed: one ``random.Random(seed)`` and Faker seeded from it decide everything, and the clock
is fixed for each step. Volumes are each area's share of England's children times domain.md section 6's
national figures (``volumes.py``), times ``scale`` (with a floor so each finding has enough cases to show).
"""

import csv
import datetime as dt
import math
import random
import tempfile
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import time_machine
from django.db import connection
from faker import Faker

from openmash.accounts.actors import Actor, actor_for_user, import_actor
from openmash.accounts.models import Role, User
from openmash.accounts.services import user_create
from openmash.casework.models import PoliceNeed, ProtectionEnd
from openmash.casework.services import (
    joint_visit_confirm_officer,
    joint_visit_decline,
    joint_visit_record,
    joint_visit_request,
    police_protection_end,
)
from openmash.casework.services.closures import (
    Response,
    investigation_closure_propose,
    investigation_closure_respond,
)
from openmash.demo.services import DEMO_EMAIL_DOMAIN
from openmash.demo.volumes import area_volume
from openmash.events.models import EventKind, EventSubject, ImportBatch, SubjectRole
from openmash.insight.findings import FEW
from openmash.meetings.models import Meeting, MeetingKind, Participation
from openmash.meetings.services import (
    AttendanceInput,
    conference_record_outcome,
    conference_schedule,
    core_group_record,
    evidential_interview_record,
    strategy_discussion_convene,
    strategy_discussion_record_outcome,
)
from openmash.missing.importing import import_missing
from openmash.organisations.models import District, Organisation, OrganisationKind
from openmash.organisations.postcodes import _letter
from openmash.people.models import ChildStatusKind, Person, PersonKind
from openmash.people.services import child_status_record, person_create
from openmash.recording.decisions import share_acknowledge
from openmash.recording.importing import import_domestic_abuse
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing import delivery
from openmash.sharing.models import Decision
from openmash.vetting.models import VettingOutcome, VettingRole, VettingStage
from openmash.vetting.services import VettingRequestInput, vetting_request_submit, vetting_stage_record

LONDON = zoneinfo.ZoneInfo("Europe/London")
YEAR_START = dt.date(2015, 4, 1)
YEAR_END = dt.date(2016, 3, 31)
WORKER = "generate"
# The imported files' names start with this: their import batches say the scenario is loaded.
FILE_PREFIX = "letter-2016-"
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)

# The failures of domain.md section 1, one word each.
BATCHING = "batching"  # Bury: domestic-abuse notifications sent in batches
WEEKS_LATE = "weeks-late"  # Medway, Wirral, Slough: notifications weeks after the incidents
MISSING_LATE = "missing-late"  # Bromley: social workers told late of children missing
POLICE_ABSENT = "police-absent"  # Dorset, Bury, Peterborough, West Sussex: police absent from conferences
WRITTEN_ONLY = "written-only"  # Stockton: officers unavailable for strategy discussions, written information
PRE_BIRTH_ABSENT = "pre-birth-absent"  # Stockton: officers told not to attend conferences for unborn babies
# Doncaster: joint (evidential) interviews not held soon enough. Recorded as the product records them (each
# interview a strategy discussion asks for, its target date and when it was held: meetings.EvidentialInterview),
# measured by insight.measures.evidential_interviews.
INTERVIEWS_LATE = "interviews-late"
LONE_VISITS = "lone-visits"  # Southend: no officers for joint visits
NO_DISCUSSION = "no-discussion"  # Torbay: police protection without discussing alternatives
CLOSURE = "closure"  # Stockton: an investigation closed despite evidence of injury
VETTING_BACKLOG = "vetting-backlog"  # Wandsworth, Dorset: DBS checks late


@dataclass(frozen=True)
class Area:
    council: str
    # ONS mid-2015 estimate of the area's children aged 0-17, in thousands (rounded): its size.
    children_thousands: int
    # First letters of the area's postcodes (where to look in the ONS postcode directory).
    postcode_letters: str
    failures: frozenset[str] = frozenset()

    @property
    def good(self) -> bool:
        return not self.failures


AREAS: tuple[Area, ...] = (
    Area("Bury", 43, "BM", frozenset({BATCHING, POLICE_ABSENT})),
    Area("Medway", 64, "M", frozenset({WEEKS_LATE})),
    Area("Wirral", 67, "C", frozenset({WEEKS_LATE})),
    Area("Slough", 39, "S", frozenset({WEEKS_LATE})),
    Area("Bromley", 75, "BST", frozenset({MISSING_LATE})),
    Area("Dorset", 72, "BD", frozenset({POLICE_ABSENT, VETTING_BACKLOG})),
    Area("Peterborough", 47, "P", frozenset({POLICE_ABSENT})),
    Area("Doncaster", 64, "D", frozenset({INTERVIEWS_LATE})),
    Area("West Sussex", 171, "BGPR", frozenset({POLICE_ABSENT})),
    Area("Southend-on-Sea", 40, "S", frozenset({LONE_VISITS})),
    Area("Torbay", 26, "T", frozenset({NO_DISCUSSION})),
    Area("Wandsworth", 62, "S", frozenset({VETTING_BACKLOG})),
    Area("Stockton-on-Tees", 46, "T", frozenset({WRITTEN_ONLY, PRE_BIRTH_ABSENT, CLOSURE})),
    # Three areas that do well: the same volumes, no failure.
    Area("Trafford", 55, "MW"),
    Area("Kingston upon Thames", 38, "KS"),
    Area("North Tyneside", 43, "N"),
)

# At least this many of each in every area, whatever the scale, so each finding (or its absence) shows.
FLOORS = {
    "domestic_abuse_notifications": 12,
    "missing_episodes": 6,
    "strategy_discussions": 4,
    "initial_conferences": 3,
    # Areas whose police were absent from them have at least insight.findings.FEW (the fewest cases a finding is
    # drawn from), so that their finding shows.
    "pre_birth_conferences": 2,
    "police_protection": 2,
    "joint_visits": 2,
    "vetting_requests": 3,
    "investigation_closures": 1,
}
# An area whose failure a figure shows has at least insight.findings.FEW of its cases (the fewest a finding is
# drawn from), so that its finding shows at any scale: at the demo's, most areas' volumes of these fall to the
# floors above.
FAILURE_FLOORS = {
    # Doncaster: each s47 enquiry asks for a joint interview and leads to a conference.
    (INTERVIEWS_LATE, "strategy_discussions"): FEW,
    (INTERVIEWS_LATE, "initial_conferences"): FEW,
    (LONE_VISITS, "joint_visits"): FEW,
    (NO_DISCUSSION, "police_protection"): FEW,
    # Wandsworth, Dorset: three in four checks still wait at the year's end, so at least FEW of these wait.
    (VETTING_BACKLOG, "vetting_requests"): math.ceil(FEW * 4 / 3),
}
# The default scale: 1/500 of each area's real yearly volumes (with the floors above, which most small volumes
# fall to), so that `make demo` makes it in about 14 s of CPU (docs/performance.md).
DEFAULT_SCALE = 0.002
# The generator's plan for a joint (evidential) interview: asked for by this many working days after the strategy
# discussion (no national figure: the sooner the better for the child's account; Doncaster 2016's were "not held
# soon enough").
INTERVIEW_WORKING_DAYS = 3


def floor(area: Area, name: str) -> int:
    """The fewest of ``name`` the area has in a year: its failure's floor, else everyone's."""
    return max(
        [FLOORS[name]]
        + [n for (failure, kind), n in FAILURE_FLOORS.items() if kind == name and failure in area.failures]
    )


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=LONDON)


def iso(instant: dt.datetime) -> str:
    return instant.astimezone(dt.UTC).isoformat()


def working_days_after(day: dt.date, days: int) -> dt.date:
    """Weekdays only (the generator's plan, not the clock: the clock's own rule judges the result)."""
    while days > 0:
        day += D
        if day.weekday() < 5:
            days -= 1
    return day


@dataclass
class Generated:
    """What was made, by kind and by area, for the summary and the tests."""

    counts: dict[str, int] = field(default_factory=dict)
    areas: list[str] = field(default_factory=list)

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n


class Generator:
    def __init__(
        self,
        *,
        seed: int,
        scale: float,
        progress: Callable[[str], None] | None = None,
        areas: tuple[Area, ...] = AREAS,
    ) -> None:
        self.areas = areas
        self.random = random.Random(seed)  # noqa: S311 (made-up data, repeatable for a seed: not a secret)
        self.faker = Faker("en_GB")
        self.faker.seed_instance(seed)
        self.scale = scale
        self.progress = progress or (lambda _message: None)
        self.generated = Generated()
        self.serial = 0
        # Looked up once, not at every step: each council's postcodes and each generated practitioner.
        self.council_postcodes: dict[int, list[str]] = {}
        self.accounts: dict[tuple[int, str], Actor] = {}

    # People, places and accounts ----------------------------------------------------------------------------

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def child(self, at: dt.date) -> tuple[str, str, dt.date]:
        age_days = self.random.randint(4 * 365, 16 * 365)
        return self.faker.first_name(), self.faker.last_name(), at - dt.timedelta(days=age_days)

    def postcodes(self, council: Organisation, letters: str) -> list[str]:
        found = self.council_postcodes.get(council.pk)
        if found is None:
            codes = {council.code} | set(
                District.objects.filter(council=council).values_list("gss_code", flat=True)
            )
            found = sorted(
                postcode
                for letter in letters
                for code in codes
                for postcode in postcodes_by_authority(letter).get(code, ())
            )
            assert found, f"no postcode for {council.name}"
            self.council_postcodes[council.pk] = found
        return self.random.sample(found, min(50, len(found)))

    def account(self, organisation: Organisation, role: str) -> Actor:
        """One generated practitioner of the role at the organisation, made once; it cannot sign in (no
        password) and its address is under the demo's domain."""
        key = (organisation.pk, role)
        if key in self.accounts:
            return self.accounts[key]
        username = f"gen.{organisation.code.lower()}.{role}"
        user = User.objects.filter(username=username).first() or user_create(
            actor=import_actor(organisation),
            organisation=organisation,
            username=username,
            email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            first_name=self.faker.first_name(),
            last_name=self.faker.last_name(),
            roles=[role],
        )
        self.accounts[key] = actor_for_user(user)
        return self.accounts[key]

    def deliver(self) -> None:
        """Deliver what is waiting, as the worker does, at the current (travelled) time."""
        while delivery.run_once(WORKER):
            pass

    def days(self) -> Iterator[dt.date]:
        day = YEAR_START
        while day <= YEAR_END:
            yield day
            day += D

    def instant_in_year(self, *, last_day: dt.date = YEAR_END) -> dt.datetime:
        span = (last_day - YEAR_START).days
        day = YEAR_START + dt.timedelta(days=self.random.randint(0, span))
        return local(day, self.random.randint(0, 23), self.random.randint(0, 59))

    # The imports: domestic abuse and missing --------------------------------------------------------------

    def domestic_abuse_rows(self, area: Area, council: Organisation) -> list[dict[str, str]]:
        n = area_volume(
            "domestic_abuse_notifications",
            area.children_thousands,
            self.scale,
            FLOORS["domestic_abuse_notifications"],
        )
        postcodes = self.postcodes(council, area.postcode_letters)
        reported = sorted(self.instant_in_year(last_day=YEAR_END - dt.timedelta(days=30)) for _ in range(n))
        risks = [self.random.choices(["standard", "medium", "high"], [6, 3, 1])[0] for _ in reported]
        shared: list[dt.datetime] = []
        if BATCHING in area.failures:
            # Held back and sent in runs (domain.md section 1, Bury): once five to eight have piled up, they go
            # together the next Monday at 10am, a minute or two apart.
            pile: list[dt.datetime] = []
            size = self.random.randint(5, 8)
            for index, at in enumerate(reported):
                pile.append(at)
                if len(pile) >= size or index == len(reported) - 1:
                    monday = (at.astimezone(LONDON) + 7 * D).date()
                    monday -= dt.timedelta(days=monday.weekday())
                    shared += [local(monday, 10)] * len(pile)
                    pile, size = [], self.random.randint(5, 8)
            shared = self.spread_runs(shared)
        elif WEEKS_LATE in area.failures:
            # Weeks after the incidents (Medway, Wirral: up to four weeks; Slough: slow).
            shared = [at + dt.timedelta(days=self.random.uniform(7, 28)) for at in reported]
        else:
            # Within the default targets (domain.md section 3): a high-risk incident within the hour, any other
            # within the day.
            shared = [
                at
                + (
                    dt.timedelta(minutes=self.random.uniform(10, 50))
                    if risk == "high"
                    else dt.timedelta(hours=self.random.uniform(0.5, 16))
                )
                for at, risk in zip(reported, risks, strict=True)
            ]
        rows = []
        for at, sent, risk in zip(reported, shared, risks, strict=True):
            given, family, born = self.child(at.date())
            reference = f"DA{self.next_serial():06d}"
            rows.append(
                {
                    "police_reference": reference,
                    "occurred_at": iso(at - dt.timedelta(minutes=self.random.randint(5, 90))),
                    "reported_at": iso(at),
                    "shared_at": iso(sent),
                    "risk_level": risk,
                    "postcode": self.random.choice(postcodes),
                    "council": council.code,
                    "child_given_name": given,
                    "child_family_name": family,
                    "child_date_of_birth": born.isoformat(),
                    "child_present": self.random.choice(["yes", "no"]),
                    "summary": "Verbal argument between the adults at home; the child was in the house.",
                }
            )
        return rows

    def spread_runs(self, shared: list[dt.datetime]) -> list[dt.datetime]:
        """Shares due at one instant go a minute or two apart, in order."""
        out: list[dt.datetime] = []
        last: dict[dt.datetime, dt.datetime] = {}
        for at in shared:
            previous = last.get(at)
            sent = previous + dt.timedelta(seconds=self.random.randint(40, 180)) if previous else at
            last[at] = sent
            out.append(sent)
        return out

    def missing_rows(self, area: Area, council: Organisation) -> list[dict[str, str]]:
        n = area_volume("missing_episodes", area.children_thousands, self.scale, FLOORS["missing_episodes"])
        rows = []
        # A few children go missing more than once.
        children = [self.child(YEAR_START) for _ in range(max(1, n * 2 // 3))]
        # Seven children in ten have their interview (a child may decline one), dealt from a deck so that an
        # area's handful of episodes shows that proportion rather than a run of refusals by chance.
        interviews = self.deck({"held": 7, "declined": 3})
        for _ in range(n):
            last_seen = self.instant_in_year(last_day=YEAR_END - dt.timedelta(days=10))
            reported = last_seen + dt.timedelta(minutes=self.random.randint(30, 240))
            if MISSING_LATE in area.failures:
                # Social workers told hours, sometimes a day, after the report (domain.md section 1, Bromley).
                told = reported + dt.timedelta(hours=self.random.uniform(0.5, 30))
            else:
                told = reported + dt.timedelta(minutes=self.random.randint(5, 50))
            found = reported + dt.timedelta(hours=self.random.uniform(3, 60))
            # Offered within the 72 hours of the guidance (domain.md section 3) in every area: no area of the letter
            # was reported for it.
            offered = found + dt.timedelta(hours=self.random.uniform(6, 66))
            held = offered + dt.timedelta(days=self.random.uniform(1, 5))
            given, family, born = self.random.choice(children)
            row = {
                "reference": f"MIS{self.next_serial():06d}",
                "child_given_name": given,
                "child_family_name": family,
                "child_date_of_birth": born.isoformat(),
                "council": council.code,
                "looked_after": "yes",
                "category": self.random.choices(["missing", "away"], [3, 1])[0],
                "risk_level": self.random.choice(["low", "medium", "high"]),
                "last_seen_at": iso(last_seen),
                "reported_at": iso(reported),
                "council_told_at": iso(told),
                "found_at": iso(found),
                "return_interview_offered_at": iso(offered),
                "return_interview_held_at": "",
                "return_interview_independent": "",
            }
            if next(interviews) == "held":
                row["return_interview_held_at"] = iso(held)
                row["return_interview_independent"] = "yes" if self.random.random() < 0.85 else "no"
            rows.append(row)
        return rows

    def import_files(self, councils: dict[str, Organisation]) -> None:
        forces: dict[Organisation, tuple[list[dict[str, str]], list[dict[str, str]]]] = {}
        for area in self.areas:
            council = councils[area.council]
            force = council.police_forces.order_by("name").first()
            assert force is not None, council
            da, missing = forces.setdefault(force, ([], []))
            da += self.domestic_abuse_rows(area, council)
            missing += self.missing_rows(area, council)
        with tempfile.TemporaryDirectory(prefix="openmash-generate-") as folder:
            for force, (da, missing) in sorted(forces.items(), key=lambda item: item[0].code):
                self.progress(
                    f"Importing {len(da)} incidents and {len(missing)} missing episodes: {force.name}"
                )
                da_file = write_csv(Path(folder) / f"{FILE_PREFIX}{force.code}-domestic-abuse.csv", da)
                import_domestic_abuse(actor=import_actor(force), path=da_file)
                missing_file = write_csv(Path(folder) / f"{FILE_PREFIX}{force.code}-missing.csv", missing)
                import_missing(actor=import_actor(force), path=missing_file)
                self.generated.add("domestic_abuse_notifications", len(da))
                self.generated.add("missing_episodes", len(missing))

    # Through the services, as of the moment ------------------------------------------------------------------

    def children_of(self, council: Organisation) -> list[tuple[Person, dt.datetime]]:
        """Children of the area's imported incidents (which gave the council its reason to see them), with the
        time each incident was reported."""
        rows = (
            EventSubject.objects.filter(
                role=SubjectRole.CHILD,
                event__kind=EventKind.DOMESTIC_ABUSE,
                event__shares__recipient=council,
            )
            .select_related("person", "event")
            .order_by("event__reported_at", "person__given_name", "person__family_name")
        )
        seen: set[object] = set()
        children = []
        for row in rows:
            if row.person_id not in seen:
                seen.add(row.person_id)
                assert row.event.reported_at is not None
                children.append((row.person, row.event.reported_at))
        return children

    def attendance(self, meeting: Meeting, police: str, reason: str) -> list[AttendanceInput]:
        return [
            AttendanceInput(
                organisation_id=invitation.organisation_id,
                participation=police
                if invitation.organisation.kind == OrganisationKind.POLICE
                else Participation.ATTENDED,
                reason=reason
                if invitation.organisation.kind == OrganisationKind.POLICE
                and police != Participation.ATTENDED
                else "",
            )
            for invitation in meeting.invitations.select_related("organisation")
        ]

    def deck(self, cards: dict[str, int]) -> Iterator[str]:
        """Cards (how the police took part, whether an interview was held) dealt from a shuffled deck of these
        proportions, reshuffled when used up: an area's proportion shows even in a handful of cases (at least
        one absence in any three of a deck with two attendances in five)."""
        while True:
            dealt = [card for card, n in cards.items() for _ in range(n)]
            self.random.shuffle(dealt)
            yield from dealt

    def reason(self) -> str:
        return self.random.choice(
            ["No officer available on the day", "Officer on other duties", "Not told in time"]
        )

    def child_protection(self, area: Area, council: Organisation, children: list[tuple[Person, dt.datetime]]):
        """Strategy discussions (some starting s47 enquiries) and the initial conferences that follow, each
        with its core group, police invited to every one and taking part as the area's police did."""
        social = self.account(council, Role.SOCIAL_WORKER)
        discussions = area_volume(
            "strategy_discussions", area.children_thousands, self.scale, floor(area, "strategy_discussions")
        )
        conferences = area_volume(
            "initial_conferences", area.children_thousands, self.scale, floor(area, "initial_conferences")
        )
        attended, written, absent = (
            Participation.ATTENDED,
            Participation.WRITTEN_ONLY,
            Participation.DID_NOT_TAKE_PART,
        )
        # Stockton 2016: officers often unavailable for strategy discussions, written information only.
        sd_deck = self.deck(
            {attended: 2, written: 3} if WRITTEN_ONLY in area.failures else {attended: 19, written: 1}
        )
        # Dorset 2016: police absent from over a third of conferences (Bury, Peterborough, West Sussex too).
        ic_deck = self.deck(
            {attended: 2, written: 1, absent: 2} if POLICE_ABSENT in area.failures else {attended: 1}
        )
        cases = [c for c in children if c[1].date() < YEAR_END - dt.timedelta(days=45)][:discussions]
        for n, (child, reported) in enumerate(cases):
            day = working_days_after(reported.astimezone(LONDON).date(), 1)
            with time_machine.travel(local(day, 9), tick=False):
                meeting = strategy_discussion_convene(
                    actor=social,
                    child=child,
                    scheduled_for=local(day, 14),
                    purpose="Concerns after an incident",
                )
                self.deliver()
            held = local(day, 14, 30)
            # Enquiries that lead to a conference, a plan and its first review within the year.
            s47 = n < conferences and reported.date() < YEAR_END - dt.timedelta(days=130)
            # Enquiries ask for a joint (evidential) interview of the child, within a few working days.
            interview_by = working_days_after(day, INTERVIEW_WORKING_DAYS) if s47 else None
            police = next(sd_deck)
            with time_machine.travel(held, tick=False):
                strategy_discussion_record_outcome(
                    actor=social,
                    meeting=meeting,
                    held_at=local(day, 14),
                    attendance=self.attendance(meeting, police, self.reason()),
                    s47_decision=s47,
                    decision_reasons="Reasonable cause to suspect significant harm"
                    if s47
                    else "Support as a child in need",
                    s47_started_on=day if s47 else None,
                    evidential_interview_requested=s47,
                    evidential_interview_target=interview_by,
                )
                self.deliver()
            self.generated.add("strategy_discussions")
            if interview_by is not None:
                self.evidential_interview(area, social, meeting, day, interview_by)
            if s47:
                self.initial_conference(social, child, meeting, day, ic_deck)

    def evidential_interview(
        self, area: Area, social: Actor, discussion: Meeting, s47_day: dt.date, target: dt.date
    ) -> None:
        """The joint interview the discussion asked for, held by its target date; in Doncaster weeks after it
        (domain.md section 1: joint interviews not held soon enough)."""
        if INTERVIEWS_LATE in area.failures:
            day = working_days_after(target, self.random.randint(10, 25))
        else:
            day = working_days_after(s47_day, self.random.randint(1, INTERVIEW_WORKING_DAYS))
        held = local(day, self.random.randint(10, 15))
        with time_machine.travel(held + 2 * H, tick=False):
            evidential_interview_record(actor=social, interview=discussion.evidential_interview, held_at=held)
            self.deliver()
        self.generated.add("evidential_interviews")

    def pre_birth_conferences(self, area: Area, council: Organisation) -> None:
        """Conferences about unborn babies, police invited to each: in Stockton-on-Tees officers were told not
        to attend them (domain.md section 1); where police were absent from conferences, from these too."""
        social = self.account(council, Role.SOCIAL_WORKER)
        absent = area.failures & {PRE_BIRTH_ABSENT, POLICE_ABSENT}
        n = area_volume(
            "pre_birth_conferences",
            area.children_thousands,
            self.scale,
            FEW if absent else FLOORS["pre_birth_conferences"],
        )
        if PRE_BIRTH_ABSENT in area.failures:
            deck = self.deck({Participation.DID_NOT_TAKE_PART: 1})
        elif POLICE_ABSENT in area.failures:
            deck = self.deck(
                {Participation.ATTENDED: 2, Participation.WRITTEN_ONLY: 1, Participation.DID_NOT_TAKE_PART: 2}
            )
        else:
            deck = self.deck({Participation.ATTENDED: 1})
        for _ in range(n):
            concern = self.instant_in_year(last_day=YEAR_END - dt.timedelta(days=30))
            day = working_days_after(concern.astimezone(LONDON).date(), self.random.randint(8, 14))
            with time_machine.travel(concern, tick=False):
                unborn = person_create(
                    actor=social,
                    kind=PersonKind.UNBORN,
                    family_name=self.faker.last_name(),
                    expected_date_of_birth=concern.date() + dt.timedelta(days=self.random.randint(60, 150)),
                )
                conference = conference_schedule(
                    actor=social,
                    kind=MeetingKind.PRE_BIRTH_CONFERENCE,
                    child=unborn,
                    scheduled_for=local(day, 10),
                    purpose="Concern about an unborn baby",
                )
                self.deliver()
            police = next(deck)
            reason = (
                "Officers told not to attend pre-birth conferences"
                if PRE_BIRTH_ABSENT in area.failures
                else self.reason()
            )
            with time_machine.travel(local(day, 13), tick=False):
                # No plan before birth: support as a child in need (a plan would start its first review's clock,
                # due after the year).
                conference_record_outcome(
                    actor=social,
                    meeting=conference,
                    held_at=local(day, 10),
                    attendance=self.attendance(conference, police, reason),
                    plan=False,
                )
                self.deliver()
            self.generated.add("pre_birth_conferences")

    def initial_conference(self, social, child, discussion, s47_day, ic_deck: Iterator[str]) -> None:
        # About one in five later than 15 working days (domain.md section 6).
        late = self.random.random() < 0.19
        day = working_days_after(s47_day, self.random.randint(16, 22) if late else self.random.randint(8, 14))
        with time_machine.travel(local(s47_day, 16), tick=False):
            conference = conference_schedule(
                actor=social,
                kind=MeetingKind.INITIAL_CONFERENCE,
                child=child,
                scheduled_for=local(day, 10),
                strategy_discussion=discussion,
            )
            self.deliver()
        police = next(ic_deck)
        with time_machine.travel(local(day, 13), tick=False):
            conference_record_outcome(
                actor=social,
                meeting=conference,
                held_at=local(day, 10),
                attendance=self.attendance(conference, police, self.reason()),
                plan=True,
                categories=[self.random.choice(["neglect", "emotional", "physical"])],
                delay_reason="Waiting for agency reports" if late else "",
            )
            self.deliver()
        core_day = working_days_after(day, self.random.randint(5, 9))
        with time_machine.travel(local(core_day, 15), tick=False):
            core_group_record(
                actor=social,
                conference=conference,
                held_at=local(core_day, 11),
                attendance=self.attendance(conference, Participation.ATTENDED, ""),
                actions="Plan agreed",
            )
            self.deliver()
        # The first review, within 3 months: the plan ends (so no later review is due after the year).
        review_day = working_days_after(day, self.random.randint(50, 58))
        with time_machine.travel(local(day, 16), tick=False):
            review = conference_schedule(
                actor=social,
                kind=MeetingKind.REVIEW_CONFERENCE,
                child=child,
                scheduled_for=local(review_day, 10),
                previous=conference,
            )
            self.deliver()
        police = next(ic_deck)
        with time_machine.travel(local(review_day, 13), tick=False):
            conference_record_outcome(
                actor=social,
                meeting=review,
                held_at=local(review_day, 10),
                attendance=self.attendance(review, police, self.reason()),
                plan=False,
            )
            self.deliver()
        self.generated.add("initial_conferences")

    def police_protection(self, area: Area, council: Organisation, force: Organisation) -> None:
        officer = self.account(force, Role.POLICE_OFFICER)
        mash = self.account(council, Role.MASH_PRACTITIONER)
        social = self.account(council, Role.SOCIAL_WORKER)
        postcodes = self.postcodes(council, area.postcode_letters)
        uses = area_volume(
            "police_protection", area.children_thousands, self.scale, floor(area, "police_protection")
        )
        for _ in range(uses):
            began = self.instant_in_year(last_day=YEAR_END - dt.timedelta(days=10))
            given, family, born = self.child(began.date())
            discussed = NO_DISCUSSION not in area.failures
            told = began + dt.timedelta(minutes=self.random.randint(20, 55))
            with time_machine.travel(told, tick=False):
                recorded = event_record(
                    actor=officer,
                    data=EventInput(
                        kind=EventKind.POLICE_PROTECTION,
                        reference=f"PP{self.next_serial():06d}",
                        occurred_at=began,
                        postcode=self.random.choice(postcodes),
                        council=council,
                        summary="Child found in an unsafe home; no relative could be reached.",
                        details={
                            "designated_officer": "Insp " + self.faker.last_name(),
                            "reasons": "Immediate risk of significant harm",
                            "alternatives_discussed": discussed,
                            "alternatives_discussed_with": "Duty team manager" if discussed else "",
                        },
                        people=[
                            PersonInput(
                                role=SubjectRole.CHILD,
                                given_name=given,
                                family_name=family,
                                date_of_birth=born,
                            )
                        ],
                    ),
                )
                self.deliver()
            share = next(s for s in recorded.shares if s.recipient_id == council.pk)
            with time_machine.travel(told + 2 * H, tick=False):
                share_acknowledge(
                    actor=mash,
                    share=share,
                    decision=Decision.STRATEGY_DISCUSSION,
                    reasons="Child in police protection",
                )
                self.deliver()
            child = recorded.event.subjects.get(role=SubjectRole.CHILD).person
            with time_machine.travel(told + 3 * H, tick=False):
                meeting = strategy_discussion_convene(
                    actor=social,
                    child=child,
                    scheduled_for=told + 5 * H,
                    purpose="Child in police protection",
                )
                self.deliver()
            with time_machine.travel(told + 6 * H, tick=False):
                strategy_discussion_record_outcome(
                    actor=social,
                    meeting=meeting,
                    held_at=told + 5 * H,
                    attendance=self.attendance(meeting, Participation.ATTENDED, ""),
                    s47_decision=False,
                    decision_reasons="Child placed with a relative; support as a child in need",
                )
                police_protection_end(
                    actor=officer,
                    event=recorded.event,
                    ended_at=told + 6 * H,
                    how=ProtectionEnd.PLACED_BY_COUNCIL,
                )
                self.deliver()
            self.generated.add("police_protection")

    def joint_visits(self, area: Area, council: Organisation, force: Organisation, children) -> None:
        social = self.account(council, Role.SOCIAL_WORKER)
        officer = self.account(force, Role.POLICE_PUBLIC_PROTECTION)
        n = area_volume("joint_visits", area.children_thousands, self.scale, floor(area, "joint_visits"))
        for child, reported in children[-n:]:
            asked = reported + 2 * D
            with time_machine.travel(asked, tick=False):
                visit = joint_visit_request(
                    actor=social,
                    person=child,
                    planned_for=asked + D,
                    police_needed_because=[PoliceNeed.REMOVAL, PoliceNeed.RISK],
                    purpose="Visit after a domestic abuse incident",
                )
                self.deliver()
            lone = LONE_VISITS in area.failures
            with time_machine.travel(asked + 3 * H, tick=False):
                if lone:
                    joint_visit_decline(actor=officer, visit=visit, reason="No specialist officer available")
                else:
                    joint_visit_confirm_officer(
                        actor=officer,
                        visit=visit,
                        officer_name="DC " + self.faker.last_name(),
                        officer_attends_at=asked + D,
                    )
                self.deliver()
            visit.refresh_from_db()
            with time_machine.travel(asked + D + 3 * H, tick=False):
                joint_visit_record(
                    actor=social,
                    visit=visit,
                    visited_at=asked + D,
                    officer_present=not lone,
                    outcome="Child seen; safety plan agreed"
                    if not lone
                    else "Child seen alone with the parent; the child could not be removed",
                )
                self.deliver()
            self.generated.add("joint_visits")

    def closures(self, area: Area, council: Organisation, force: Organisation, children) -> None:
        officer = self.account(force, Role.POLICE_PUBLIC_PROTECTION)
        social = self.account(council, Role.SOCIAL_WORKER)
        n = area_volume(
            "investigation_closures", area.children_thousands, self.scale, FLOORS["investigation_closures"]
        )
        picked = children[
            len(children) // 2 : len(children) // 2 + n + (1 if CLOSURE in area.failures else 0)
        ]
        for index, (child, reported) in enumerate(picked):
            at = reported + 20 * D
            unheard = CLOSURE in area.failures and index == 0
            with time_machine.travel(at - D, tick=False):
                # The council knows the child (a child in need): the closure is shared with it.
                child_status_record(
                    actor=social,
                    person=child,
                    council=council,
                    status=ChildStatusKind.CHILD_IN_NEED,
                    start_date=(at - D).astimezone(LONDON).date(),
                )
            with time_machine.travel(at, tick=False):
                closure = investigation_closure_propose(
                    actor=officer,
                    person=child,
                    police_reference=f"INV{self.next_serial():06d}",
                    reasons="No further action: insufficient evidence",
                    under_s47_enquiry=not unheard,
                    # Stockton 2016: the injuries were not recorded as such, so the force closed it at once.
                    injuries_recorded=False,
                    share_anyway=True,
                )
                self.deliver()
            if not unheard:
                dispute = CLOSURE in area.failures
                with time_machine.travel(at + D, tick=False):
                    investigation_closure_respond(
                        actor=social,
                        closure=closure,
                        response=Response.DISPUTE if dispute else Response.AGREE,
                        reasons="Clear evidence of non-accidental injury"
                        if dispute
                        else "Agreed: the child is safe with the plan in place",
                    )
                    self.deliver()
            self.generated.add("investigation_closures")

    def vetting(self, area: Area, council: Organisation, force: Organisation) -> None:
        social = self.account(council, Role.SOCIAL_WORKER)
        vetting_officer = self.account(force, Role.VETTING_OFFICER)
        n = area_volume(
            "vetting_requests", area.children_thousands, self.scale, floor(area, "vetting_requests")
        )
        backlog = VETTING_BACKLOG in area.failures
        for index in range(n):
            submitted = self.instant_in_year(last_day=YEAR_END - dt.timedelta(days=30))
            born = submitted.date() - dt.timedelta(days=self.random.randint(25 * 365, 60 * 365))
            with time_machine.travel(submitted, tick=False):
                request = vetting_request_submit(
                    actor=social,
                    data=VettingRequestInput(
                        given_name=self.faker.first_name(),
                        family_name=self.faker.last_name(),
                        date_of_birth=born,
                        role=self.random.choice([VettingRole.FOSTER_CARER, VettingRole.ADOPTER]),
                        reference=f"FA{self.next_serial():05d}",
                        placements_blocked="A sibling group waiting for a placement" if backlog else "",
                    ),
                )
                self.deliver()
            # A backlog: three in four still waiting for the force's local checks at the year's end.
            if backlog and index % 4 != 3:
                self.generated.add("vetting_requests")
                continue
            days = self.random.uniform(3, 12)
            started = submitted + D
            with time_machine.travel(started, tick=False):
                request = vetting_stage_record(
                    actor=vetting_officer, request=request, stage=VettingStage.LOCAL_CHECK_STARTED, at=started
                )
            done = submitted + dt.timedelta(days=days)
            with time_machine.travel(done, tick=False):
                request = vetting_stage_record(
                    actor=vetting_officer, request=request, stage=VettingStage.LOCAL_CHECK_COMPLETED, at=done
                )
                vetting_stage_record(
                    actor=vetting_officer,
                    request=request,
                    stage=VettingStage.CERTIFICATE_ISSUED,
                    at=done,
                    outcome=VettingOutcome.CLEAR,
                )
                self.deliver()
            self.generated.add("vetting_requests")

    # The whole scenario --------------------------------------------------------------------------------------

    def run(self) -> Generated:
        councils = {
            area.council: Organisation.objects.get(kind=OrganisationKind.COUNCIL, name=area.council)
            for area in self.areas
        }
        self.import_files(councils)
        fast_writes()
        for area in self.areas:
            council = councils[area.council]
            force = council.police_forces.order_by("name").first()
            assert force is not None
            self.progress(f"Recording casework: {council.name}")
            # Each step commits as a practitioner's page does. (An area in one transaction was tried: on
            # PostgreSQL the worker's lease query, planned on statistics that cannot see the transaction's own
            # new deliveries, took most of a second a step, and the scenario ran for tens of minutes.)
            children = self.children_of(council)
            self.child_protection(area, council, children)
            self.pre_birth_conferences(area, council)
            self.police_protection(area, council, force)
            self.joint_visits(area, council, force, children)
            self.closures(area, council, force, children)
            self.vetting(area, council, force)
            self.generated.areas.append(council.name)
        return self.generated


@cache
def postcodes_by_authority(letter: str) -> dict[str, list[str]]:
    """The ONS postcode directory's postcodes of a first letter, by the authority each is in: read once for all
    the areas of that letter."""
    by_authority: dict[str, list[str]] = {}
    for postcode, authority in _letter(letter).items():
        by_authority.setdefault(authority, []).append(postcode)
    return by_authority


def fast_writes() -> None:
    """Made-up data in a demo database can be made again, so the casework is written without waiting for the
    disk at each commit (SQLite ``synchronous=OFF`` on this connection, until a durable import's step sets it
    back): about a quarter of the time otherwise. PostgreSQL keeps its own setting, and so does a caller's open
    transaction (SQLite cannot change it inside one)."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def letter_2016_loaded() -> bool:
    return ImportBatch.objects.filter(file_name__startswith=FILE_PREFIX).exists()


def generate_letter_2016(
    *,
    seed: int = 2016,
    scale: float = DEFAULT_SCALE,
    progress: Callable[[str], None] | None = None,
    areas: tuple[Area, ...] = AREAS,
) -> Generated:
    """Generate the scenario (or some of its areas) into a database marked as a demo (the caller checks), with
    the reference data loaded."""
    return Generator(seed=seed, scale=scale, progress=progress, areas=areas).run()
