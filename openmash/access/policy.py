"""Who may see what. The one place that decides; web views and the API both ask here.

An organisation sees a person only where it has a reason:
- it recorded the person, recorded or received an event about them, or was granted access (``AccessReason``);
- the child lives in its area (a current address in the council), attends its school (a current enrolment),
  or has an open status with it (known, child in need, on a plan, looked after: the responsible council);
- for an inspector, the person is sampled for an inspection whose named team they are in, while the area's
  grant of access runs (``may_inspect_area``).

Within an organisation, only case-working roles see case content: administrators manage accounts and see
no case content; inspectors see aggregates and their sampled cases only. A restricted record (adoption,
protected identity) is seen only through a recorded reason that says it covers restricted records.
These checks have no side effects; recording the read in the audit trail is the selector's job.

The policy decides but owns only its own tables (recorded reasons, inspections). Where a rule is about
another app's rows (people, events, shares, meetings), the app that owns them hands the policy its tables
(``PeopleRows``, ``EventRows``) or the facts (``access_log_visible``), and the policy states which rows pass.
So the policy sits low in the layers (docs/decisions/0013-app-layers.md) and every app above may ask it.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet, TextChoices
from django.utils import timezone

from openmash.access.models import (
    INSPECTION_ACCESS_MAX,
    AccessReason,
    Inspection,
    InspectionSample,
    InspectionTeamMember,
    Restriction,
)
from openmash.accounts.actors import (
    API_CLIENT_ROLE,
    IMPORT_ROLE,
    OPERATOR_ROLE,
    PROTOCOL_ROLE,
    RULE_ROLE,
    Actor,
)
from openmash.accounts.models import Role, User
from openmash.organisations.models import Organisation, OrganisationKind

if TYPE_CHECKING:
    from openmash.audit.models import AuditEntry
    from openmash.events.models import Event

CASE_ROLES = frozenset(
    {
        Role.POLICE_OFFICER,
        Role.POLICE_PUBLIC_PROTECTION,
        Role.POLICE_DESIGNATED_OFFICER,
        Role.MASH_PRACTITIONER,
        Role.SOCIAL_WORKER,
        Role.TEAM_MANAGER,
        Role.SCHOOL_DSL,
        Role.HEALTH_SAFEGUARDING,
        Role.RETURN_INTERVIEWER,
        Role.VETTING_OFFICER,
        Role.PARTNERSHIP_LEAD,
        Role.CARER,
        API_CLIENT_ROLE,
        IMPORT_ROLE,
        PROTOCOL_ROLE,
        RULE_ROLE,
        OPERATOR_ROLE,
    }
)


def works_cases(actor: Actor) -> bool:
    return actor.organisation is not None and bool(actor.roles & CASE_ROLES)


# A vetting officer answers the council's questions about people the police know of: the information shares a
# force receives (or sends back). That is their work, not the force's other casework (incidents, protection,
# investigations, meetings), which they see only if they also hold another case-working role.
VETTING_EVENT_KINDS = frozenset({"information-share"})


def vetting_only(actor: Actor) -> bool:
    """Whether the actor's case work is vetting and nothing else."""
    return actor.has_role(Role.VETTING_OFFICER) and not (actor.roles & (CASE_ROLES - {Role.VETTING_OFFICER}))


def _vetting_people(actor: Actor, people: QuerySet[Any]) -> Q:
    """The people a vetting officer may see: those named in the vetting work they may see (the events of
    ``VETTING_EVENT_KINDS`` their organisation recorded or received). A condition on
    Person through the events' field paths (``event_subjects``, ``shares``), as ``may_see_event`` reads an
    event's shares: the policy needs no import of the events or sharing apps, which sit above it."""
    organisation = actor.organisation
    if organisation is None or not works_cases(actor):
        return Q(pk__in=[])
    named = people.filter(
        # One filter() call: every condition is on the same event of the person.
        Q(event_subjects__event__recorded_by=organisation)
        | Q(event_subjects__event__shares__recipient=organisation),
        event_subjects__event__kind__in=VETTING_EVENT_KINDS,
    )  # none held: only domestic abuse incidents are imported (held until released), never vetting work
    return Q(pk__in=named.values("pk"))


def may_search_people(actor: Actor) -> bool:
    return works_cases(actor) or (actor.organisation is not None and actor.is_inspector)


def may_record_people(actor: Actor) -> bool:
    return works_cases(actor)


def may_administer(actor: Actor, organisation: Organisation) -> bool:
    """Administrators manage the accounts and settings of their own organisation only."""
    return actor.organisation == organisation and actor.has_role(Role.ADMINISTRATOR)


def may_manage_webhooks(actor: Actor, organisation: Organisation) -> bool:
    """An organisation's webhook endpoints are managed by its administrators and by its own API clients."""
    return actor.organisation == organisation and actor.has_role(Role.ADMINISTRATOR, API_CLIENT_ROLE)


def _reason_rows(organisation: Organisation) -> QuerySet[AccessReason]:
    now = timezone.now()
    return AccessReason.objects.filter(organisation=organisation).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


@dataclass(frozen=True)
class PeopleRows:
    """The people app's tables, handed to the policy by ``people.selectors`` (which owns them): every row of
    each. The policy says which people pass; it does not import their models."""

    people: QuerySet[Any]  # Person
    addresses: QuerySet[Any]  # Address: person, council, end_date
    enrolments: QuerySet[Any]  # SchoolEnrolment: person, school, end_date
    statuses: QuerySet[Any]  # ChildStatus: person, council, end_date


def _reason_sources(organisation: Organisation, rows: PeopleRows) -> dict[str, QuerySet[Any]]:
    """Each kind of reason as the rows that give it (each with a ``person_id``), by the name recorded in the
    audit trail."""
    today = timezone.localdate()
    current = Q(end_date__isnull=True) | Q(end_date__gte=today)
    return {
        "recorded reason": _reason_rows(organisation),
        "lives in area": rows.addresses.filter(council=organisation).filter(current),
        "attends school": rows.enrolments.filter(school=organisation).filter(current),
        "open status with council": rows.statuses.filter(council=organisation).filter(current),
    }


def _where_reasons(organisation: Organisation, rows: PeopleRows) -> dict[str, Q]:
    """Each kind of reason as a condition on Person, by the name recorded in the audit trail."""
    return {
        name: Q(id__in=reason.values("person_id"))
        for name, reason in _reason_sources(organisation, rows).items()
    }


def _restricted_rows(organisation: Organisation) -> QuerySet[AccessReason]:
    return _reason_rows(organisation).filter(covers_restricted=True)


def _restricted_reason(organisation: Organisation) -> Q:
    return Q(id__in=_restricted_rows(organisation).values("person_id"))


def _inspection_rows(actor: Actor) -> QuerySet[InspectionSample]:
    """The cases sampled for the inspections whose access runs now and whose named team the actor is in: not
    every inspector of the inspectorate, and nothing once the grant has ended or was revoked."""
    if actor.user is None or actor.organisation is None or not actor.is_inspector:
        return InspectionSample.objects.none()
    now = timezone.now()
    return InspectionSample.objects.filter(
        inspection__inspectorate=actor.organisation,
        inspection__members__user=actor.user,
        inspection__starts_at__lte=now,
        inspection__ends_at__gt=now,
        inspection__revoked_at__isnull=True,
    )


def _sampled_people(actor: Actor) -> QuerySet[InspectionSample, Any]:
    """The ids of the people sampled for an inspection the actor's team may read now."""
    return _inspection_rows(actor).values("person_id")


def _inspection_sample(actor: Actor) -> Q:
    return Q(id__in=_sampled_people(actor))


def _visible_condition(actor: Actor, rows: PeopleRows, reason: Callable[[QuerySet[Any]], Q]) -> Q:
    """Who the actor may see, each reason's rows made a condition on Person by ``reason``."""
    organisation = actor.organisation
    condition = Q(pk__in=[])
    if organisation is None:
        return condition
    if works_cases(actor):
        any_reason = Q(pk__in=[])
        for reason_rows in _reason_sources(organisation, rows).values():
            any_reason |= reason(reason_rows)
        condition |= (Q(restriction=Restriction.NONE) & any_reason) | reason(_restricted_rows(organisation))
    if actor.is_inspector:
        condition |= reason(_inspection_rows(actor))
    # A record merged into another is seen as that other record (openmash.merging).
    return condition & Q(merged_into__isnull=True)


def visible_among(actor: Actor, people: QuerySet[Any], rows: PeopleRows) -> QuerySet[Any]:
    """``people`` narrowed to those the actor may see: the rule of ``visible_people``, asked of each of them
    (a correlated EXISTS on each kind of reason) rather than by reading every reason the organisation holds,
    for a search whose candidates are few against an organisation that may see a million.
    (Asked through ``people.selectors``.)"""
    if actor.organisation is None:
        return people.none()
    if vetting_only(actor):
        return people.filter(Q(restriction=Restriction.NONE) & _vetting_people(actor, people))
    return people.filter(
        _visible_condition(actor, rows, lambda reason: Q(Exists(reason.filter(person_id=OuterRef("pk")))))
    )


def visible_people(actor: Actor, rows: PeopleRows) -> QuerySet[Any]:
    """Every person the actor may see. Deny by default. (Asked through ``people.selectors.visible_people``.)"""
    if actor.organisation is None:
        return rows.people.none()
    if vetting_only(actor):
        return rows.people.filter(
            Q(restriction=Restriction.NONE) & _vetting_people(actor, rows.people), merged_into__isnull=True
        )
    return rows.people.filter(
        _visible_condition(actor, rows, lambda reason: Q(id__in=reason.values("person_id")))
    )


def reason_to_see(actor: Actor, person_id: uuid.UUID, rows: PeopleRows) -> str | None:
    """The reason the actor may see this person (recorded in the audit trail), or None if it may not.
    (Asked through ``people.selectors.reason_to_see``.)"""
    organisation = actor.organisation
    if organisation is None:
        return None
    person = rows.people.filter(pk=person_id, merged_into__isnull=True).values("restriction").first()
    if person is None:  # absent, or merged into another record (seen there)
        return None
    if vetting_only(actor):
        named = rows.people.filter(Q(pk=person_id) & _vetting_people(actor, rows.people)).exists()
        return "named in a vetting request" if named and not person["restriction"] else None
    if works_cases(actor):
        recorded = _reason_rows(organisation).filter(person_id=person_id)
        if person["restriction"]:
            recorded = recorded.filter(covers_restricted=True)
        row = recorded.order_by("granted_at").first()
        if row is not None:
            return f"{row.get_kind_display()}: {row.detail}" if row.detail else row.get_kind_display()
        if not person["restriction"]:
            for name, condition in _where_reasons(organisation, rows).items():
                if name != "recorded reason" and rows.people.filter(Q(pk=person_id) & condition).exists():
                    return name
    if actor.is_inspector and rows.people.filter(Q(pk=person_id) & _inspection_sample(actor)).exists():
        return "sampled for inspection"
    return None


def may_see_event(actor: Actor, event: "Event") -> bool:
    """An event is seen by the organisation that recorded it and the organisations it was shared with."""
    organisation = actor.organisation
    if organisation is None or not works_cases(actor) or event.is_held:  # an import not all in
        return False
    if vetting_only(actor) and event.kind not in VETTING_EVENT_KINDS:
        return False
    # Through the event's own shares (a field path): the policy needs no import of the sharing app.
    return event.recorded_by_id == organisation.pk or event.shares.filter(recipient=organisation).exists()


def may_set_clock_figures(actor: Actor, organisation: Organisation) -> bool:
    """An area's own figures for local-default clocks are set by its administrators or partnership leads."""
    return actor.organisation == organisation and actor.has_role(Role.ADMINISTRATOR, Role.PARTNERSHIP_LEAD)


def may_set_retention(actor: Actor, organisation: Organisation) -> bool:
    """How long an organisation keeps its records (its own retention figures) is set by its administrators."""
    return actor.organisation == organisation and actor.has_role(Role.ADMINISTRATOR)


def may_set_school_days(actor: Actor, organisation: Organisation) -> bool:
    """A school's or council's term breaks and start of day are set by its administrators or, for a school,
    its designated safeguarding lead."""
    return (
        actor.organisation == organisation
        and organisation.kind in (OrganisationKind.SCHOOL, OrganisationKind.COUNCIL)
        and actor.has_role(Role.ADMINISTRATOR, Role.SCHOOL_DSL)
    )


def may_see_area_measures(actor: Actor) -> bool:
    """Counts across an area's cases (police protection per force, lone visits, disputed closures) are for
    those who answer for the area: a council's team managers and the safeguarding partnership's leads."""
    return works_cases(actor) and actor.has_role(Role.TEAM_MANAGER, Role.PARTNERSHIP_LEAD)


def dashboard_area(actor: Actor) -> Organisation | None:
    """The council area whose partnership dashboard the actor answers for: a council's own (its team managers),
    a safeguarding partnership's council (its leads); None for anyone else."""
    organisation = actor.organisation
    if organisation is None or not works_cases(actor):
        return None
    if organisation.kind == OrganisationKind.PARTNERSHIP and actor.has_role(Role.PARTNERSHIP_LEAD):
        parent = organisation.parent
        return parent if parent is not None and parent.kind == OrganisationKind.COUNCIL else None
    if organisation.kind == OrganisationKind.COUNCIL and actor.has_role(
        Role.TEAM_MANAGER, Role.PARTNERSHIP_LEAD
    ):
        return organisation
    return None


def may_see_area_dashboard(actor: Actor, council: Organisation) -> bool:
    """An area's dashboard, findings and the lists behind them (issue 16) are for those who answer for the
    area (``dashboard_area``) and for the named inspectors of a team whose access to it runs now. Deny by default:
    another council's managers, the police, schools and an inspectorate with no inspection of the area see
    nothing (a 404). Who is named in the lists is still each child's own question (``visible_people``)."""
    if actor.organisation is None or council.kind != OrganisationKind.COUNCIL:
        return False
    if actor.is_inspector:
        # A named member of a team whose grant of access to the area runs now (``may_inspect_area``).
        now = timezone.now()
        granted = Inspection.objects.filter(
            inspectorate=actor.organisation, council=council, starts_at__lte=now, ends_at__gt=now
        )
        return any(may_inspect_area(actor, inspection, now) for inspection in granted)
    area = dashboard_area(actor)
    return area is not None and area.pk == council.pk


def visible_meetings(actor: Actor, meetings: QuerySet[Any], children_seen: QuerySet[Any]) -> QuerySet[Any]:
    """Multi-agency meetings are seen by the council that convened them and the agencies invited to them
    (case-working roles only), and only while the organisation may still see the child.

    ``meetings`` is every meeting and ``children_seen`` the people the actor may see, both handed over by
    ``meetings.selectors.visible_meetings`` (which owns the table)."""
    organisation = actor.organisation
    if organisation is None or not works_cases(actor) or vetting_only(actor):
        return meetings.none()
    involved = Q(council=organisation) | Q(pk__in=meetings.filter(invitations__organisation=organisation))
    return meetings.filter(involved, child__in=children_seen)


@dataclass(frozen=True)
class EventRows:
    """The tables an event's visibility is judged on, handed over by ``sharing.selectors.visible_events``
    (the lowest app that owns or sees them all): every event whose import is all in (``Event.objects.settled()``:
    the rows of a held import are no one's until released), every share, every event subject."""

    events: QuerySet[Any]
    shares: QuerySet[Any]
    subjects: QuerySet[Any]


def visible_events(actor: Actor, rows: EventRows, *, about: uuid.UUID | None = None) -> QuerySet[Any]:
    """The events the actor may see, as one query (lists such as a child's chronology).

    A case-working organisation sees what ``may_see_event`` allows: the events it recorded and those shared
    with it. With ``about``, only events about that person, and an event received through a share only when
    the share named that person: a school told of one child at an incident does not learn from a sibling's
    chronology that the sibling was there too. An inspectorate sees every event about a person sampled for
    one of its inspections under way (reading the multi-agency record of a sampled case is the inspection);
    nothing else. Administrators see no events.
    """
    organisation = actor.organisation
    if organisation is None:
        return rows.events.none()
    condition = Q(pk__in=[])
    if works_cases(actor):
        received = rows.shares.filter(recipient=organisation)
        if about is None:
            condition |= Q(recorded_by=organisation) | Q(pk__in=received.values("event_id"))
        else:
            # Asked of each of the person's events (EXISTS on the event's share to the organisation), not as IN
            # over every event the organisation received: PostgreSQL answered that by scanning every event.
            received = received.filter(people=about, event_id=OuterRef("pk"))
            condition |= Q(recorded_by=organisation) | Q(Exists(received))
    if actor.is_inspector:
        sampled = rows.subjects.filter(person_id__in=_sampled_people(actor))
        if about is not None:
            sampled = sampled.filter(person_id=about)
        condition |= Q(pk__in=sampled.values("event_id"))
    events = rows.events.filter(condition)
    if vetting_only(actor):
        events = events.filter(kind__in=VETTING_EVENT_KINDS)
    if about is not None:
        events = events.filter(pk__in=rows.subjects.filter(person_id=about).values("event_id"))
    return events


class RecordScope(StrEnum):
    """How much of a child's record an organisation that may see the child is shown."""

    FULL = "full"
    # What an Operation Encompass notice gives a school: who the child is and that they attend the school.
    ENCOMPASS = "encompass"
    # What a carer needs for a child in their care: who the child is, their own reports and episodes, and the
    # Philomena profile they keep (issue 15).
    CARER = "carer"


def _provides_placements(organisation: Organisation) -> bool:
    """Whether the organisation is a placement provider (a children's home, a fostering agency): named as the
    provider of a looked-after child's placement. Through the placements' field path, as ``_vetting_people``
    reads events: the policy needs no import of the missing app, which sits above it."""
    return Organisation.objects.filter(pk=organisation.pk, placements__isnull=False).exists()


def record_scope(actor: Actor) -> RecordScope:
    """A school knows a child through Operation Encompass and sees what a notice gives it: the child's name,
    date of birth and school, and its own work. A carer (a foster carer, a children's home's staff; and every
    user, API client and operator of a children's home or fostering agency, whose case system is its carers')
    sees what caring for the child needs: who the child is, the work its own organisation recorded or was sent
    (its missing and found reports, the episodes) and the Philomena profile it keeps. Neither sees identifiers,
    homes, statuses, relationships, deadlines or other agencies' work, on the record's page, in the API, in the
    chronology and in exports alike: the child's council holds the multi-agency record."""
    organisation = actor.organisation
    if organisation is None:
        return RecordScope.FULL
    if organisation.kind == OrganisationKind.SCHOOL:
        return RecordScope.ENCOMPASS
    if _carer_only(actor) or (
        organisation.kind == OrganisationKind.OTHER and _provides_placements(organisation)
    ):
        return RecordScope.CARER
    return RecordScope.FULL


def may_search_by_identifier(actor: Actor) -> bool:
    """A carer is not shown a child's identifiers, so a search by one finds nobody for them: a match would
    confirm the number. (A school searches by the pupil numbers it issues.)"""
    return record_scope(actor) != RecordScope.CARER


# Audit entries about the record itself (rather than some agency's piece of work about the child).
_RECORD_OBJECTS = frozenset({"person", "chronology", "relationship", "child-status"})


@dataclass(frozen=True)
class AccessLogLine:
    entry: "AuditEntry"
    # The reason as this viewer may read it: in full for its own organisation, else only its kind.
    reason: str


def access_log_visible(
    actor: Actor,
    entries: Iterable["AuditEntry"],
    *,
    visible_event_ids: Iterable[str],
    share_events: dict[str, str],
) -> tuple[list[AccessLogLine], int]:
    """The lines of a record's "who has looked at it" panel this actor may read, and how many it may not.

    The panel follows the policy of what its lines name: the actor's own organisation's lines in full; another
    agency's reading or changing of the record itself (not for a school, which sees only the Encompass view);
    another agency's work on an event only where the actor may see that event. The reason another agency gave
    is shown only as its kind ("Received share"): its detail can name work the actor may not see. Every other
    line is counted, never shown.

    The caller gives the facts the lines are judged on: the ids of the events about the person the actor may
    see (``visible_events``) and, for the lines about shares, each share's event id."""
    organisation = actor.organisation
    entries = list(entries)
    if organisation is None:
        return [], len(entries)
    full = record_scope(actor) == RecordScope.FULL
    event_ids = set(visible_event_ids)
    shown: list[AccessLogLine] = []
    for entry in entries:
        if entry.organisation_code == organisation.code:
            shown.append(AccessLogLine(entry, entry.reason))
            continue
        visible = full and (
            entry.object_type in _RECORD_OBJECTS
            or (entry.object_type == "event" and entry.object_id in event_ids)
            or (entry.object_type == "share" and share_events.get(entry.object_id) in event_ids)
        )
        if visible:
            shown.append(AccessLogLine(entry, entry.reason.split(":", 1)[0]))
    return shown, len(entries) - len(shown)


# Who may do what: each write's permission decided here, from plain facts the service passes (the
# organisations involved), so services and views ask one place and the policy needs no app's models.


def _practitioner_of(actor: Actor, *kinds: str) -> bool:
    return works_cases(actor) and actor.organisation is not None and actor.organisation.kind in kinds


def may_convene_meetings(actor: Actor) -> bool:
    """Multi-agency meetings about a child are convened by a council's practitioners."""
    return _practitioner_of(actor, OrganisationKind.COUNCIL)


def may_record_for_meeting(actor: Actor, council_id: int) -> bool:
    """A meeting's invitations, outcome and attendance are recorded by the council that convened it."""
    return (
        may_convene_meetings(actor) and actor.organisation is not None and actor.organisation.pk == council_id
    )


def may_change_meeting(actor: Actor, council_id: int) -> bool:
    """A meeting is moved, cancelled or has agencies added by the council that convened it (who may convene
    may change): an invited agency asks the council; it cannot move the meeting for everyone else."""
    return may_record_for_meeting(actor, council_id)


def may_record_birth(actor: Actor, reason: str | None) -> bool:
    """The birth of an unborn child is recorded by a council's practitioners with a reason to see the record
    (the council working with the family; the birth changes its clocks, e.g. the pre-birth review). ``reason``
    is the actor's reason to see the child (``people.selectors.reason_to_see``), None if it has none."""
    return _practitioner_of(actor, OrganisationKind.COUNCIL) and reason is not None


def may_send_agency_report(actor: Actor, invited_ids: Iterable[int]) -> bool:
    """An agency's report for a meeting is sent by the practitioners of an agency invited to it."""
    return works_cases(actor) and actor.organisation is not None and actor.organisation.pk in set(invited_ids)


def may_record_evidential_interview(actor: Actor, council_id: int, invited_ids: Iterable[int]) -> bool:
    """The evidential interview a strategy discussion asked for is recorded by the council that convened it
    or by a police force invited to it."""
    organisation = actor.organisation
    if organisation is None or not works_cases(actor):
        return False
    return organisation.pk == council_id or (
        organisation.kind == OrganisationKind.POLICE and organisation.pk in set(invited_ids)
    )


def may_act_as_involved_agency(actor: Actor, organisation_ids: Iterable[int | None]) -> bool:
    """A step of joint casework (a visit, a closure, a disagreement) is taken by the practitioners of one of
    the agencies involved in it."""
    return (
        works_cases(actor)
        and actor.organisation is not None
        and actor.organisation.pk in {pk for pk in organisation_ids if pk is not None}
    )


def may_request_joint_visit(actor: Actor) -> bool:
    """A council's practitioners ask the police for an officer on a visit."""
    return _practitioner_of(actor, OrganisationKind.COUNCIL)


def may_review_lone_visit(actor: Actor, council_id: int) -> bool:
    """A lone visit raised to the council's team managers is reviewed by one of them."""
    return may_act_as_involved_agency(actor, [council_id]) and actor.has_role(Role.TEAM_MANAGER)


def may_close_investigations(actor: Actor) -> bool:
    """A police force's officers close (or propose to close) its investigations."""
    return _practitioner_of(actor, OrganisationKind.POLICE)


def may_record_protection_end(actor: Actor, event: "Event") -> bool:
    """The end of police protection is recorded by the force or a council told of the notice."""
    return may_see_event(actor, event) and _practitioner_of(
        actor, OrganisationKind.POLICE, OrganisationKind.COUNCIL
    )


def may_act_on_share(actor: Actor, recipient_id: int) -> bool:
    """A share is read, acknowledged and decided on by the receiving organisation's practitioners."""
    return works_cases(actor) and actor.organisation is not None and actor.organisation.pk == recipient_id


def may_replay_delivery(actor: Actor, recipient_id: int) -> bool:
    """A stuck delivery is sent again by the receiving organisation (its administrators or practitioners)."""
    return actor.organisation is not None and actor.organisation.pk == recipient_id


def may_see_meeting_attendance(actor: Actor) -> bool:
    """Non-attendance by agency is for those who answer for an area: a council's team managers and the
    safeguarding partnership's leads."""
    return (
        actor.organisation is not None
        and actor.organisation.kind in (OrganisationKind.COUNCIL, OrganisationKind.PARTNERSHIP)
        and actor.has_role(Role.TEAM_MANAGER, Role.PARTNERSHIP_LEAD)
    )


# The roles that act for an agency at the managers' stages of a disagreement (stage 2 upwards: team managers,
# heads of service, the partnership): a council's team managers, the partnership's leads, and a force's
# designated officers (an inspector or above).
MANAGER_ROLES = frozenset({Role.TEAM_MANAGER, Role.PARTNERSHIP_LEAD, Role.POLICE_DESIGNATED_OFFICER})
PRACTITIONERS_STAGE = 1


def may_record_disagreement_stage(actor: Actor, party_ids: Iterable[int | None], level: int) -> bool:
    """The outcome of a disagreement's stage is recorded by one of the agencies in it: at stage 1 by any of
    their practitioners, from stage 2 (team managers) upwards only by their managers."""
    return may_act_as_involved_agency(actor, party_ids) and (
        level <= PRACTITIONERS_STAGE or bool(actor.roles & MANAGER_ROLES)
    )


# Philomena protocol (domain.md section 3): a looked-after child's carers and council keep a profile that goes to
# the police at once when the child is reported missing.


def may_keep_philomena_profile(
    actor: Actor, *, responsible_council_ids: Iterable[int], sees_child: bool
) -> bool:
    """A looked-after child's Philomena profile is kept by the practitioners of the council responsible for the
    child and by the child's carers (a fostering agency or children's home: an agency of the "other" kind that
    has a reason to see the child). Nobody keeps a profile for a child who is not looked after."""
    organisation = actor.organisation
    responsible = set(responsible_council_ids)
    if organisation is None or not works_cases(actor) or not sees_child or not responsible:
        return False
    return organisation.pk in responsible or organisation.kind == OrganisationKind.OTHER


def may_open_philomena_profile(actor: Actor, *, keeps_it: bool, released_to_ids: Iterable[int]) -> bool:
    """Its keepers open a profile; so do the officers of a police force it was released to by a missing report.
    Nobody else: not a school, not another council, not a force it was not released to."""
    organisation = actor.organisation
    if organisation is None or not works_cases(actor):
        return False
    if keeps_it:
        return True
    return organisation.kind == OrganisationKind.POLICE and organisation.pk in set(released_to_ids)


# Vetting (DBS) checks for prospective foster carers, adopters and their household members (domain.md section 3,
# "Enhanced DBS check"): the council's fostering and adoption practitioners ask, the force's vetting officers do
# the local police checks.
VETTING_COUNCIL_ROLES = frozenset({Role.SOCIAL_WORKER, Role.TEAM_MANAGER, API_CLIENT_ROLE})
VETTING_FORCE_ROLES = frozenset({Role.VETTING_OFFICER, API_CLIENT_ROLE})


def may_request_vetting(actor: Actor) -> bool:
    """A council's fostering and adoption practitioners (its social workers and team managers) ask for checks."""
    return (
        actor.organisation is not None
        and actor.organisation.kind == OrganisationKind.COUNCIL
        and bool(actor.roles & VETTING_COUNCIL_ROLES)
    )


def may_do_vetting_checks(actor: Actor) -> bool:
    """A police force's vetting officers do the local checks and see their force's queue."""
    return (
        actor.organisation is not None
        and actor.organisation.kind == OrganisationKind.POLICE
        and bool(actor.roles & VETTING_FORCE_ROLES)
    )


def may_use_vetting(actor: Actor) -> bool:
    """The vetting pages are the force's vetting officers' and the council's fostering and adoption workers'."""
    return may_do_vetting_checks(actor) or may_request_vetting(actor)


def may_see_vetting_request(actor: Actor, *, council_id: int, force_id: int) -> bool:
    """A vetting request is seen by the council that asked (its fostering and adoption practitioners) and the
    force doing its local checks (its vetting officers). Nobody else."""
    organisation = actor.organisation
    if organisation is None:
        return False
    return (organisation.pk == council_id and may_request_vetting(actor)) or (
        organisation.pk == force_id and may_do_vetting_checks(actor)
    )


def may_record_vetting_check(actor: Actor, *, force_id: int) -> bool:
    """The local check's stages and the certificate are recorded by the force doing the check."""
    return (
        actor.organisation is not None and actor.organisation.pk == force_id and may_do_vetting_checks(actor)
    )


def may_withdraw_vetting_request(actor: Actor, *, council_id: int) -> bool:
    """A request is withdrawn by the council that made it (the applicant withdrew, the application ended)."""
    return (
        actor.organisation is not None and actor.organisation.pk == council_id and may_request_vetting(actor)
    )


def may_see_notification_timeliness(actor: Actor) -> bool:
    """Whether the organisation told others in time (its sender's clocks, late notices by name of the work) is
    for its managers: team managers, partnership leads and a force's designated officers."""
    return works_cases(actor) and bool(actor.roles & MANAGER_ROLES)


# Allocation: who does a piece of an organisation's work. A team manager allocates (and reallocates) their
# organisation's work to its case workers; a manager with a team allocates to the members of that team.


def may_allocate(actor: Actor, organisation_id: int) -> bool:
    """Whether the actor may allocate (or reallocate) work of this organisation at all."""
    return (
        works_cases(actor)
        and actor.organisation is not None
        and actor.organisation.pk == organisation_id
        and actor.has_role(Role.TEAM_MANAGER)
    )


def may_be_allocated(actor: Actor, worker: User) -> bool:
    """Whether the actor may allocate work to this person: an active case worker of the actor's organisation,
    in the actor's team where the actor has one."""
    if actor.organisation is None or actor.user is None or not may_allocate(actor, actor.organisation.pk):
        return False
    team = actor.user.team
    return (
        worker.is_active
        and worker.organisation_id == actor.organisation.pk
        and bool(worker.role_codes & CASE_ROLES)
        and (not team or worker.team == team)
    )


def may_see_caseload(actor: Actor) -> bool:
    """A team manager sees the open work of each worker in their team."""
    return actor.organisation is not None and may_allocate(actor, actor.organisation.pk)


def receives_escalations(actor: Actor) -> bool:
    """Missed deadlines are raised to team managers (their organisation's) and partnership leads (the area's)."""
    return works_cases(actor) and actor.has_role(Role.TEAM_MANAGER, Role.PARTNERSHIP_LEAD)


# Missing children (issue 15). The facts come from the missing app's services: the organisations a child is
# placed with, an episode's council.


def _carer_only(actor: Actor) -> bool:
    """A carer who holds no other case-working role: they see the children in their care and report them
    missing and found, nothing of the council's case lists."""
    return actor.roles & CASE_ROLES == {Role.CARER}


def may_report_missing(actor: Actor, placed_with_ids: Iterable[int]) -> bool:
    """A child is reported missing or found by the agencies that record missing reports; a carer (foster
    carer, children's home staff) only for a child placed with their own organisation."""
    if not works_cases(actor) or actor.organisation is None:
        return False
    if _carer_only(actor):
        return actor.organisation.pk in set(placed_with_ids)
    return True


def may_grade_missing_risk(actor: Actor) -> bool:
    """The risk grading of a missing child, and the safe-and-well check on return, are the police's."""
    return _practitioner_of(actor, OrganisationKind.POLICE) and not actor.has_role(Role.CARER)


def may_work_return_interviews(actor: Actor) -> bool:
    """Return home interviews are offered and recorded by a return-interview service's practitioners, or by a
    council's own return-interview practitioners where it runs the service itself."""
    return _practitioner_of(actor, OrganisationKind.RETURN_INTERVIEW_SERVICE) or (
        _practitioner_of(actor, OrganisationKind.COUNCIL) and actor.has_role(Role.RETURN_INTERVIEWER)
    )


def may_record_placement(actor: Actor, council_id: int) -> bool:
    """A looked-after child's placement is recorded by the responsible council's practitioners."""
    return (
        _practitioner_of(actor, OrganisationKind.COUNCIL)
        and actor.organisation is not None
        and (actor.organisation.pk == council_id)
    )


def may_see_missing_list(actor: Actor, council_id: int) -> bool:
    """A council's list of missing children (and its return of them) is its own practitioners' and managers',
    never a carer's."""
    return (
        _practitioner_of(actor, OrganisationKind.COUNCIL)
        and actor.organisation is not None
        and actor.organisation.pk == council_id
        and not _carer_only(actor)
    )


def may_read_missing_episodes(actor: Actor) -> bool:
    """Missing episodes are read by case-working organisations (what ``visible_missing_episodes`` gives them)
    and by inspectors (the episodes of the children sampled for one of their inspections under way). Only case
    workers act on an episode: an inspector reads."""
    return actor.organisation is not None and (works_cases(actor) or actor.is_inspector)


def visible_missing_episodes(
    actor: Actor, episodes: QuerySet[Any], visible_event_ids: QuerySet[Any]
) -> QuerySet[Any]:
    """The missing episodes the actor may see, among ``episodes`` (every episode, handed over by
    ``missing.selectors.visible_episodes``, which owns them): those whose missing or found report is among the
    events it may see (``visible_event_ids``: what it recorded or was sent); for a council, every episode on its
    own list; for an inspectorate, the episodes of the children sampled for one of its inspections under way
    (reading a sampled case is the inspection), and nothing else. Deny by default."""
    organisation = actor.organisation
    if organisation is None or not may_read_missing_episodes(actor):
        return episodes.none()
    condition = Q(pk__in=[])
    if works_cases(actor):
        if may_see_missing_list(actor, organisation.pk):
            condition |= Q(council=organisation)
        # Asked of each episode's own reports (EXISTS on the event's key), not as IN over every event the
        # actor may see: PostgreSQL built that set by scanning every event, for a child's one episode too.
        condition |= Q(Exists(visible_event_ids.filter(pk=OuterRef("missing_report_id")))) | Q(
            Exists(visible_event_ids.filter(pk=OuterRef("found_report_id")))
        )
    if actor.is_inspector:
        condition |= Q(child__in=_sampled_people(actor))
    return episodes.filter(condition)


def may_see_exploitation_patterns(actor: Actor, council_id: int) -> bool:
    """Places and associates recurring across children of an area are for its exploitation lead: the council's
    team managers and the area's safeguarding partnership leads."""
    organisation = actor.organisation
    if organisation is None or not works_cases(actor):
        return False
    if organisation.kind == OrganisationKind.PARTNERSHIP:
        return organisation.parent_id == council_id and actor.has_role(Role.PARTNERSHIP_LEAD)
    return organisation.pk == council_id and actor.has_role(Role.TEAM_MANAGER, Role.PARTNERSHIP_LEAD)


def repeat_missing_area(actor: Actor) -> Organisation | None:
    """The council whose repeat-missing figures the actor's organisation answers for: a council its own, a
    safeguarding partnership its council's; None for any other organisation."""
    organisation = actor.organisation
    if organisation is None:
        return None
    if organisation.kind == OrganisationKind.COUNCIL:
        return organisation
    if organisation.kind == OrganisationKind.PARTNERSHIP and organisation.parent is not None:
        return organisation.parent if organisation.parent.kind == OrganisationKind.COUNCIL else None
    return None


def may_set_repeat_missing(actor: Actor, council_id: int) -> bool:
    """An area's repeat-missing figures (how many episodes in how many days raise the flag: issue 15, 3 in 90
    by default) are set as its clock figures are: by the council's administrators, or by the leads of the
    council's safeguarding partnership. Nobody else, and only for their own area."""
    organisation = actor.organisation
    if organisation is None:
        return False
    if organisation.kind == OrganisationKind.COUNCIL:
        return organisation.pk == council_id and actor.has_role(Role.ADMINISTRATOR)
    if organisation.kind == OrganisationKind.PARTNERSHIP:
        return organisation.parent_id == council_id and actor.has_role(Role.PARTNERSHIP_LEAD)
    return False


DUPLICATE_DECIDERS = (
    Role.MASH_PRACTITIONER,
    Role.SOCIAL_WORKER,
    Role.TEAM_MANAGER,
    Role.POLICE_PUBLIC_PROTECTION,
    Role.HEALTH_SAFEGUARDING,
)


def may_be_asked_about_duplicates(organisation: Organisation, *, sees_both: bool) -> bool:
    """Whether an organisation's queue may hold a possible duplicate found when an event was recorded: one whose
    practitioners may decide it (``may_decide_duplicates``), so it sees both records, and sees whole records
    (not a school, which sees only what an Encompass notice gives)."""
    return sees_both and organisation.kind != OrganisationKind.SCHOOL


def may_decide_duplicates(actor: Actor, *, sees_every_record: bool) -> bool:
    """Whether two records are one child is decided, and merges undone, by a case-working organisation that may
    see every record concerned (so matching never shows an agency a record it may not see: the caller asks
    ``people.selectors.reason_to_see`` of each), by its safeguarding practitioners and managers (not a school,
    which sees only what an Encompass notice gives)."""
    return (
        works_cases(actor)
        and record_scope(actor) == RecordScope.FULL
        and actor.has_role(*DUPLICATE_DECIDERS)
        and sees_every_record
    )


# Inspection access (issue 16, domain.md section 5). An area's administrator grants a named team of an
# inspectorate's inspectors time-limited access to the area (``Inspection``); while it runs the team reads the
# area's measures, downloads the lists inspectors ask for (Annex A 5, 7 and 8), draws a random sample of cases and
# opens the sampled children's records. Access ends by itself: every check compares the time with the grant's.


class InspectionAccess(TextChoices):
    NOT_STARTED = "not-started", "Not started yet"
    RUNNING = "running", "Access granted"
    ENDED = "ended", "Access ended"
    REVOKED = "revoked", "Access revoked"


def inspection_access_state(inspection: Inspection, now: dt.datetime | None = None) -> InspectionAccess:
    """Where the grant stands at ``now``: not yet started, running, ended by itself, or revoked early."""
    now = now or timezone.now()
    if inspection.revoked_at is not None and inspection.revoked_at <= now:
        return InspectionAccess.REVOKED
    if now >= inspection.ends_at:
        return InspectionAccess.ENDED
    if now < inspection.starts_at:
        return InspectionAccess.NOT_STARTED
    return InspectionAccess.RUNNING


def in_inspection_team(actor: Actor, inspection: Inspection) -> bool:
    """Whether the actor is one of the inspectors the area named for this inspection (an active account of the
    inspectorate, holding the inspector role). Being an inspector of the inspectorate is not enough."""
    return (
        actor.user is not None
        and actor.user.is_active
        and actor.is_inspector
        and actor.organisation is not None
        and actor.organisation.pk == inspection.inspectorate_id
        and InspectionTeamMember.objects.filter(inspection=inspection, user=actor.user).exists()
    )


def may_inspect_area(actor: Actor, inspection: Inspection, now: dt.datetime | None = None) -> bool:
    """The team reads the area (its measures, the lists, the sample, the sampled children's records) only while
    the grant runs. Deny by default."""
    return in_inspection_team(actor, inspection) and (
        inspection_access_state(inspection, now) == InspectionAccess.RUNNING
    )


def may_download_inspection_lists(actor: Actor, inspection: Inspection) -> bool:
    """The child-level lists (Annex A 5, 7, 8) name children: for the named team, while the grant runs, and for
    nobody else (not the council's own users through this page, nor another inspector)."""
    return may_inspect_area(actor, inspection)


def may_draw_inspection_sample(actor: Actor, inspection: Inspection) -> bool:
    """The random sample is drawn by the product when one of the team asks, while the grant runs."""
    return may_inspect_area(actor, inspection)


def may_grant_inspection_access(actor: Actor, council: Organisation) -> bool:
    """An area is opened to an inspection team by the council's own administrators: nobody else, and no other
    council's."""
    return (
        actor.user is not None
        and actor.organisation is not None
        and actor.organisation.pk == council.pk
        and council.kind == OrganisationKind.COUNCIL
        and actor.has_role(Role.ADMINISTRATOR)
    )


def may_administer_inspection(actor: Actor, inspection: Inspection) -> bool:
    """The area's administrators see its grants, revoke them and see who of the team looked at what."""
    return may_grant_inspection_access(actor, inspection.council)


def may_revoke_inspection_access(actor: Actor, inspection: Inspection) -> bool:
    """A grant not yet over is ended early by the area's administrators."""
    return may_administer_inspection(actor, inspection) and inspection_access_state(inspection) in (
        InspectionAccess.NOT_STARTED,
        InspectionAccess.RUNNING,
    )


def inspection_access_too_long(starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    """Whether a grant would run longer than an area may open itself to one team (``INSPECTION_ACCESS_MAX``)."""
    return ends_at - starts_at > INSPECTION_ACCESS_MAX


# A data subject's rights (UK GDPR Chapter III; docs/data-protection.md). Answering them is a controller's
# duty: the council answers for the records of the children and families it works with.


def answers_subject_access(actor: Actor) -> bool:
    """Whether the actor answers subject access requests: a council's data protection officer, or an operator's
    command run for a council. (Which people: ``may_answer_subject_access``.)"""
    organisation = actor.organisation
    if organisation is None or organisation.kind != OrganisationKind.COUNCIL:
        return False
    return actor.has_role(Role.DATA_PROTECTION_OFFICER, OPERATOR_ROLE)


def may_answer_subject_access(actor: Actor, *, council_holds_person: bool) -> bool:
    """A subject access request (UK GDPR Art 15; what may be withheld, DPA 2018 Sch 2 and Sch 3 Part 3, is the
    officer's review of the export) is answered by the council's data protection officer, or by an operator's
    command run for the council, about a person the council holds something on (``council_holds_person``:
    it would have a reason to see them, as its own practitioners would: ``people.selectors``). The request,
    recorded with its reference, is the reason for this one export; it opens no case work."""
    return answers_subject_access(actor) and council_holds_person


# Who may correct a person's details (UK GDPR Art 16): the agencies that hold a child's record as a controller
# and can check the correction against their own (a birth certificate, a school's admission record, a GP
# registration). A carer, a vetting officer's checks, a system acting under a protocol or rule do not.
CORRECTING_KINDS = frozenset(
    {
        OrganisationKind.COUNCIL,
        OrganisationKind.POLICE,
        OrganisationKind.HEALTH_TRUST,
        OrganisationKind.SCHOOL,
    }
)


def may_correct_person_details(actor: Actor, reason: str | None) -> bool:
    """A person's name, date of birth, address or identifiers are corrected by a practitioner (or the case
    system) of a council, force, NHS trust or school with a reason to see the record (``reason``: the
    actor's reason to see them, ``people.selectors.reason_to_see``, None if none)."""
    if reason is None or not _practitioner_of(actor, *CORRECTING_KINDS):
        return False
    return not (
        _carer_only(actor) or vetting_only(actor) or actor.has_role(PROTOCOL_ROLE, RULE_ROLE, IMPORT_ROLE)
    )
