"""Who must be told of an event: the one home of the routing rules.

Each kind of event has a list of rules (``RULES``). A rule looks at the event and the people it is about and
names recipients: an organisation, why (the route), what it sees (full notification or the Operation Encompass
notice) and the statutory clock its deadline runs on. Recipients named by several rules are merged into one
share per organisation: full content wins over the Encompass notice, and the earliest deadline wins.

Work between named agencies (a meeting, a joint visit, a proposed closure, a professional disagreement) is
addressed by its own app to its parties (``EventInput.added_recipients``): who they are is that work's own
record (the agencies invited, the force asked for an officer, the other side of the disagreement), chosen by
the people doing it, not a rule. Whoever else must be told of such work is a rule here like any other: the
partnership when a disagreement reaches its stage, everyone told of a police protection when it ends.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from openmash.events.models import Event, EventKind, RiskLevel, Source, SubjectRole
from openmash.lib.clock_rules import ClockRule
from openmash.lib.instants import LONDON
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import ChildStatusKind, Person
from openmash.sharing.models import Content, Route, Share

# Notifications about a child that a council's front door triages and decides on. Everything else a council
# receives (a meeting invitation, an officer named for a joint visit, a proposed closure) is worked on its own
# page and acknowledged as read.
FRONT_DOOR_KINDS = frozenset(
    {
        EventKind.DOMESTIC_ABUSE,
        EventKind.MISSING,
        EventKind.FOUND,
        EventKind.POLICE_PROTECTION,
        EventKind.REFERRAL,
        EventKind.INFORMATION_SHARE,
        # Two or more agencies' concerns about a child close together (openmash.casework): the front door
        # decides next steps on the picture they make together, as on a referral.
        EventKind.CONCERNS_TOGETHER,
    }
)

# Operation Encompass covers children of compulsory school age and the year before: 4 to 17.
ENCOMPASS_AGES = range(4, 18)


@dataclass(frozen=True, slots=True)
class Status:
    """A child's status with a council (looked after, on a plan, ...), as the rules read it."""

    status: str
    council: Organisation
    end_date: dt.date | None
    social_worker_id: int | None = None


@dataclass(frozen=True, slots=True)
class Subject:
    """A person an event is about, as the rules see them: their role in the event and what it says of them
    (present, home educated, school named), and what is on record about where they stand, each entry with its
    end date: the councils of their addresses, their statuses with councils, their schools. Plain values,
    read once for a whole batch of events (``standing_of``) or known without reading (a person recorded
    with the event has no address or status yet, only the school it names)."""

    person_id: uuid.UUID
    role: str
    details: Mapping[str, Any]
    date_of_birth: dt.date | None = None
    homes: tuple[tuple[Organisation, dt.date | None], ...] = ()  # newest address first
    statuses: tuple[Status, ...] = ()
    schools: tuple[tuple[Organisation, dt.date | None], ...] = ()


@dataclass
class Recipient:
    organisation: Organisation
    route: str
    content: str
    clock_rule: str
    people: set[uuid.UUID] = field(default_factory=set)  # the people its share names
    named_recipient_id: int | None = None


Rule = Callable[[Event, list[Subject]], Iterable[Recipient]]


def _today(event: Event) -> dt.date:
    return timezone.localtime(event.occurred_at, LONDON).date()


def age_on(subject: Subject, day: dt.date) -> int | None:
    if subject.date_of_birth is None:
        return None
    born = subject.date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def home_council(subject: Subject, event: Event) -> Organisation | None:
    """The council where the person lives now; failing that, the council of the event's place."""
    today = _today(event)
    for council, end_date in subject.homes:
        if end_date is None or end_date >= today:
            return council
    return event.council


def open_statuses(subject: Subject, event: Event, status: str) -> list[Status]:
    today = _today(event)
    return [
        item
        for item in subject.statuses
        if item.status == status and (item.end_date is None or item.end_date >= today)
    ]


def _children(subjects: list[Subject]) -> list[Subject]:
    return [subject for subject in subjects if subject.role == SubjectRole.CHILD]


# A step of joint work that waits for the other agency's answer (casework): the share to that agency runs on
# this clock like every share, is acknowledged when the answer is recorded on the step's own page, and is
# escalated to the agency's team managers, then the partnership, when it is not answered in time
# (sharing.services.escalate_overdue). Keyed by the event's kind and its ``details["step"]``.
ANSWER_CLOCKS: dict[tuple[str, str], str] = {
    # domain.md section 1 (Southend): a visit that needs an officer is confirmed only when the force names one.
    (EventKind.JOINT_VISIT, "requested"): ClockRule.JOINT_VISIT_ANSWER,
    # domain.md section 3: a closure about a child on a plan, under s47 or injured waits for the council.
    (EventKind.INVESTIGATION_CLOSURE, "proposed"): ClockRule.CLOSURE_ANSWER,
    # domain.md section 3: professional disagreement escalation, each stage 5 working days by default.
    (EventKind.DISAGREEMENT, "stage-opened"): ClockRule.ESCALATION_STAGE,
}
# Shares answered by a step of their own (naming an officer, agreeing a closure, a stage's outcome), never by
# "read and noted" in the inbox: noting a request is not answering it.
ANSWERED_BY_A_STEP = frozenset(ANSWER_CLOCKS.values())


def answer_clock(event: Event) -> str:
    """The clock of a step that waits for an answer, or "" for any other event."""
    return ANSWER_CLOCKS.get((event.kind, str(event.details.get("step", ""))), "")


def _notification_rule(event: Event) -> str:
    """The sender's clock: how soon the recording agency must tell a recipient (clocks.deadlines). A referral
    has none: its clock is the council's decision, from receipt."""
    if event.kind == EventKind.DOMESTIC_ABUSE:
        return (
            ClockRule.DA_NOTIFICATION_HIGH_RISK
            if event.risk_level == RiskLevel.HIGH
            else ClockRule.DA_NOTIFICATION
        )
    rules: dict[str, str] = {
        EventKind.MISSING: ClockRule.MISSING_NOTIFICATION,
        # Released on a missing report: the force must have it as soon as the report itself.
        EventKind.PHILOMENA_PROFILE: ClockRule.MISSING_NOTIFICATION,
        EventKind.FOUND: ClockRule.MISSING_NOTIFICATION,
        EventKind.POLICE_PROTECTION: ClockRule.POLICE_PROTECTION_INFORM,
    }
    return rules.get(event.kind, "")


def children_to_home_council(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """Each child's home council: the police protection notice (PPN), missing reports, referrals."""
    for subject in _children(subjects):
        council = home_council(subject, event)
        if council is not None:
            yield Recipient(
                council, Route.HOME_COUNCIL, Content.FULL, _notification_rule(event), {subject.person_id}
            )


def encompass(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """Operation Encompass: the school of each child aged 4-17, or the council for a home-educated child."""
    for subject in _children(subjects):
        age = age_on(subject, _today(event))
        if age is None or age not in ENCOMPASS_AGES:
            continue
        if subject.details.get("home_educated"):
            council = home_council(subject, event)
            if council is not None:
                yield Recipient(
                    council, Route.HOME_EDUCATED, Content.FULL, ClockRule.ENCOMPASS, {subject.person_id}
                )
            continue
        schools = [school for school, end_date in subject.schools if end_date is None]
        if schools:
            for school in schools:
                yield Recipient(
                    school, Route.SCHOOL, Content.ENCOMPASS, ClockRule.ENCOMPASS, {subject.person_id}
                )
        elif subject.details.get("school_urn"):
            # The school is not on OpenMASH yet: the council passes the notice on, and the gap is visible.
            council = home_council(subject, event)
            if council is not None:
                yield Recipient(
                    council,
                    Route.SCHOOL_NOT_ON_SERVICE,
                    Content.FULL,
                    ClockRule.ENCOMPASS,
                    {subject.person_id},
                )


def looked_after_councils(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """For a looked-after child: the responsible (placing) council, with the allocated social worker named,
    and the council where the child is placed."""
    for subject in _children(subjects):
        for status in open_statuses(subject, event, ChildStatusKind.LOOKED_AFTER):
            yield Recipient(
                status.council,
                Route.RESPONSIBLE_COUNCIL,
                Content.FULL,
                _notification_rule(event),
                {subject.person_id},
                named_recipient_id=status.social_worker_id,
            )
            host = home_council(subject, event)
            if host is not None and host != status.council:
                yield Recipient(
                    host, Route.HOST_COUNCIL, Content.FULL, _notification_rule(event), {subject.person_id}
                )


def covering_police(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """A missing report made by a carer or council goes at once to the police force covering the child's home."""
    if event.recorded_by.kind == OrganisationKind.POLICE:
        return
    for subject in _children(subjects):
        council = home_council(subject, event)
        if council is None:
            continue
        for force in council.police_forces.all():
            yield Recipient(
                force, Route.COVERING_POLICE, Content.FULL, _notification_rule(event), {subject.person_id}
            )


def placement_police(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """A Philomena profile goes to the police force covering the looked-after child's placement (the council
    where the child lives now), whoever recorded the missing report (domain.md section 3, Philomena protocol).
    Only the child is named: the profile is about no one else."""
    for subject in _children(subjects):
        council = home_council(subject, event)
        if council is None:
            continue
        for force in council.police_forces.all():
            yield Recipient(
                force, Route.COVERING_POLICE, Content.FULL, _notification_rule(event), {subject.person_id}
            )


def council_arranging_return_interview(subject: Subject, event: Event) -> list[Organisation]:
    """The council that arranges a returned child's interview: the responsible council of a looked-after child,
    otherwise the council where the child lives (DfE guidance on children who run away or go missing from home
    or care, 2014; domain.md section 3)."""
    responsible = [status.council for status in open_statuses(subject, event, ChildStatusKind.LOOKED_AFTER)]
    home = home_council(subject, event)
    return responsible or ([home] if home is not None else [])


def return_interview_service(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """A found child: the return-interview service the arranging council commissions (the service's parent
    organisation) gets the found report, to offer the interview within 72 hours."""
    for subject in _children(subjects):
        for council in council_arranging_return_interview(subject, event):
            for service in Organisation.objects.filter(
                kind=OrganisationKind.RETURN_INTERVIEW_SERVICE, parent=council
            ):
                # The found report reaches the service as fast as the council (the sender's clock); the 72-hour
                # return-interview clock itself is the arranging council's (clocks.starts), met by the offer.
                yield Recipient(
                    service, Route.INVOLVED, Content.FULL, _notification_rule(event), {subject.person_id}
                )


def front_door_of_each_child(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """Concerns from two or more agencies: the front door of the council where each child lives (failing an
    address, the council the concerns were raised for: ``event.council``). The council raised it for itself
    (``RAISED_FOR_THE_RECORDER``); no agency whose concern it lists is told of it."""
    for subject in _children(subjects):
        council = home_council(subject, event)
        if council is not None:
            yield Recipient(council, Route.CONCERNS_TOGETHER, Content.FULL, "", {subject.person_id})


def council_where_found(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """Police protection: the council for the place the child was found (event.council)."""
    if event.council is not None:
        people = {subject.person_id for subject in _children(subjects)}
        yield Recipient(event.council, Route.FOUND_COUNCIL, Content.FULL, _notification_rule(event), people)


def chosen_council(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """A referral goes to the council front door it names (event.council), about every person in it."""
    if event.council is not None:
        people = {subject.person_id for subject in subjects}
        yield Recipient(event.council, Route.CHOSEN_COUNCIL, Content.FULL, _notification_rule(event), people)


# The stage of a professional disagreement at which the area's safeguarding partnership takes it up (domain.md
# section 3: the partnerships' escalation procedures; casework.models.DisagreementStageLevel.PARTNERSHIP).
PARTNERSHIP_STAGE = 4


def partnership_at_its_stage(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """A disagreement opened at the partnership's stage goes to the safeguarding partnership of the council
    that is a party to it (the event's council)."""
    details = event.details or {}
    if details.get("step") != "stage-opened" or details.get("stage") != PARTNERSHIP_STAGE:
        return
    if event.council is None:
        return
    people = {subject.person_id for subject in subjects}
    for partnership in Organisation.objects.filter(kind=OrganisationKind.PARTNERSHIP, parent=event.council):
        yield Recipient(partnership, Route.INVOLVED, Content.FULL, _notification_rule(event), people)


def told_of_the_protection(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """The end of a police protection goes at once to everyone who was told of it (and the force that took it,
    when someone else records the end): nobody is left thinking a child is still protected."""
    protection_id = (event.details or {}).get("police_protection")
    if not protection_id:
        return
    protection = Event.objects.select_related("recorded_by").filter(pk=protection_id).first()
    if protection is None:
        return
    people = {subject.person_id for subject in subjects}
    told = [protection.recorded_by] + [
        share.recipient for share in Share.objects.select_related("recipient").filter(event=protection)
    ]
    for organisation in told:
        yield Recipient(organisation, Route.INVOLVED, Content.FULL, _notification_rule(event), people)


def received_the_details(event: Event, subjects: list[Subject]) -> Iterator[Recipient]:
    """A person's details corrected go to every agency that received a share naming them (UK GDPR Art 19: a
    controller tells each recipient of the personal data of its rectification) and to every agency that
    recorded an event about them (its own system holds the details it sent), and to no one else: an agency
    that could see the record but was never sent it is not told. Held imports reached no one; history
    imported from elsewhere did, and its recipients are told too. The corrector is never sent its own."""
    people = {subject.person_id for subject in subjects}
    received = (
        Share.objects.filter(people__in=people)
        .exclude(event__source=Source.HELD)
        .exclude(event_id=event.pk)
        .values("recipient_id")
    )
    recorded = (
        Event.objects.filter(subjects__person__in=people)
        .exclude(source=Source.HELD)
        .exclude(pk=event.pk)
        .values("recorded_by_id")
    )
    for organisation in Organisation.objects.filter(Q(pk__in=received) | Q(pk__in=recorded)).order_by("pk"):
        yield Recipient(organisation, Route.RECEIVED_THE_DETAILS, Content.FULL, "", set(people))


RULES: dict[str, list[Rule]] = {
    EventKind.DOMESTIC_ABUSE: [children_to_home_council, encompass],
    EventKind.MISSING: [children_to_home_council, looked_after_councils, covering_police],
    EventKind.FOUND: [
        children_to_home_council,
        looked_after_councils,
        covering_police,
        return_interview_service,
    ],
    EventKind.POLICE_PROTECTION: [council_where_found, children_to_home_council],
    EventKind.REFERRAL: [chosen_council],
    EventKind.INFORMATION_SHARE: [],
    # Multi-agency work goes to the agencies its own app names (invited, involved): see VALIDATED_BY_THEIR_APP.
    EventKind.STRATEGY_DISCUSSION: [],
    EventKind.CONFERENCE: [],
    EventKind.CORE_GROUP: [],
    EventKind.JOINT_VISIT: [],
    EventKind.EVIDENTIAL_INTERVIEW: [],
    EventKind.INVESTIGATION_CLOSURE: [],
    EventKind.DISAGREEMENT: [partnership_at_its_stage],
    EventKind.POLICE_PROTECTION_ENDED: [told_of_the_protection],
    EventKind.PHILOMENA_PROFILE: [placement_police],
    # A return interview's findings go to the child's social worker (the responsible council, naming them, or
    # the home council) and the police force covering the child's home (issue 15).
    EventKind.RETURN_INTERVIEW: [children_to_home_council, looked_after_councils, covering_police],
    EventKind.CONCERNS_TOGETHER: [front_door_of_each_child],
    EventKind.DETAILS_CORRECTED: [received_the_details],
}

# Routes on which the recorder is a recipient of its own event: what the service raises for a council's own front
# door (concerns from two or more agencies) is recorded for that council, which must still receive it to act.
RAISED_FOR_THE_RECORDER = frozenset({Route.CONCERNS_TOGETHER})


def _merge(
    into: Recipient, other: Recipient, deadlines: Callable[[str, Organisation], dt.datetime | None]
) -> None:
    into.people |= other.people
    if other.content == Content.FULL and into.content != Content.FULL:
        into.content, into.route = Content.FULL, other.route
    mine, theirs = (
        deadlines(into.clock_rule, into.organisation),
        deadlines(other.clock_rule, other.organisation),
    )
    if theirs is not None and (mine is None or theirs < mine):
        into.clock_rule = other.clock_rule
    into.named_recipient_id = into.named_recipient_id or other.named_recipient_id


def recipients_for(
    event: Event,
    subjects: list[Subject],
    deadlines: Callable[[str, Organisation], dt.datetime | None],
    added: Iterable[Organisation] = (),
    added_route: str = Route.ADDED,
) -> list[Recipient]:
    """Every organisation that must be told, one entry each; the recorder is never sent its own event."""
    merged: dict[int, Recipient] = {}
    named = [recipient for rule in RULES[event.kind] for recipient in rule(event, subjects)]
    everyone = {subject.person_id for subject in subjects}
    named += [
        Recipient(org, added_route, Content.FULL, _notification_rule(event), set(everyone)) for org in added
    ]
    for recipient in named:
        if (
            recipient.organisation.pk == event.recorded_by_id
            and recipient.route not in RAISED_FOR_THE_RECORDER
        ):
            continue
        existing = merged.get(recipient.organisation.pk)
        if existing is None:
            merged[recipient.organisation.pk] = recipient
        else:
            _merge(existing, recipient, deadlines)
    # A full notification names the adults involved too; an Encompass notice never does.
    adults = {subject.person_id for subject in subjects if subject.role == SubjectRole.ADULT}
    for recipient in merged.values():
        if recipient.content == Content.FULL:
            recipient.people |= adults
    return list(merged.values())


def standing_of(people: Iterable[Person]) -> dict[uuid.UUID, Subject]:
    """What the rules read of people already on record (addresses, statuses, schools, the forces covering
    their councils), in a few queries for all of them; keyed by person, with no role or details yet."""
    from django.db.models import prefetch_related_objects

    people = list(people)
    prefetch_related_objects(
        people, "addresses__council__police_forces", "statuses__council", "enrolments__school"
    )
    return {
        person.pk: Subject(
            person_id=person.pk,
            role="",
            details={},
            date_of_birth=person.date_of_birth,
            homes=tuple((item.council, item.end_date) for item in person.addresses.all()),
            statuses=tuple(
                Status(item.status, item.council, item.end_date, item.social_worker_id)
                for item in person.statuses.all()
            ),
            schools=tuple((item.school, item.end_date) for item in person.enrolments.all()),
        )
        for person in people
    }
