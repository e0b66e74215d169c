"""Who may see what. The one place that decides; web views and the API both ask here.

An organisation sees a person only where it has a reason:
- it recorded the person, recorded or received an event about them, or was granted access (``AccessReason``);
- the child lives in its area (a current address in the council), attends its school (a current enrolment),
  or has an open status with it (known, child in need, on a plan, looked after: the responsible council);
- for an inspectorate, the person is sampled for one of its inspections that is under way.

Within an organisation, only case-working roles see case content: administrators manage accounts and see
no case content; inspectors see aggregates and their sampled cases only. A restricted record (adoption,
protected identity) is seen only through a recorded reason that says it covers restricted records.
These checks have no side effects; recording the read in the audit trail is the selector's job.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from openmash.access.models import AccessReason, InspectionSample
from openmash.accounts.actors import API_CLIENT_ROLE, IMPORT_ROLE, OPERATOR_ROLE, Actor
from openmash.accounts.models import Role
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Address, ChildStatus, Person, Restriction, SchoolEnrolment

if TYPE_CHECKING:
    from openmash.audit.models import AuditEntry
    from openmash.events.models import Event
    from openmash.meetings.models import Meeting

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
        API_CLIENT_ROLE,
        IMPORT_ROLE,
        OPERATOR_ROLE,
    }
)


def works_cases(actor: Actor) -> bool:
    return actor.organisation is not None and bool(actor.roles & CASE_ROLES)


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


def _where_reasons(organisation: Organisation) -> dict[str, Q]:
    """Each kind of reason as a condition on Person, by the name recorded in the audit trail."""
    today = timezone.localdate()
    reasons = _reason_rows(organisation)
    return {
        "recorded reason": Q(id__in=reasons.values("person_id")),
        "lives in area": Q(
            id__in=Address.objects.filter(council=organisation)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .values("person_id")
        ),
        "attends school": Q(
            id__in=SchoolEnrolment.objects.filter(school=organisation)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .values("person_id")
        ),
        "open status with council": Q(
            id__in=ChildStatus.objects.filter(council=organisation)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .values("person_id")
        ),
    }


def _restricted_reason(organisation: Organisation) -> Q:
    return Q(id__in=_reason_rows(organisation).filter(covers_restricted=True).values("person_id"))


def _inspection_sample(organisation: Organisation) -> Q:
    today = timezone.localdate()
    return Q(
        id__in=InspectionSample.objects.filter(
            inspection__inspectorate=organisation,
            inspection__starts_on__lte=today,
            inspection__ends_on__gte=today,
        ).values("person_id")
    )


def visible_people(actor: Actor) -> QuerySet[Person]:
    """Every person the actor may see. Deny by default."""
    organisation = actor.organisation
    if organisation is None:
        return Person.objects.none()
    condition = Q(pk__in=[])
    if works_cases(actor):
        any_reason = Q(pk__in=[])
        for reason in _where_reasons(organisation).values():
            any_reason |= reason
        condition |= (Q(restriction=Restriction.NONE) & any_reason) | _restricted_reason(organisation)
    if actor.is_inspector:
        condition |= _inspection_sample(organisation)
    # A record merged into another is seen as that other record (openmash.merging).
    return Person.objects.filter(condition, merged_into__isnull=True)


def reason_to_see(actor: Actor, person_id: uuid.UUID) -> str | None:
    """The reason the actor may see this person (recorded in the audit trail), or None if it may not."""
    organisation = actor.organisation
    if organisation is None:
        return None
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).values("restriction").first()
    if person is None:  # absent, or merged into another record (seen there)
        return None
    if works_cases(actor):
        recorded = _reason_rows(organisation).filter(person_id=person_id)
        if person["restriction"]:
            recorded = recorded.filter(covers_restricted=True)
        row = recorded.order_by("granted_at").first()
        if row is not None:
            return f"{row.get_kind_display()}: {row.detail}" if row.detail else row.get_kind_display()
        if not person["restriction"]:
            for name, condition in _where_reasons(organisation).items():
                if name != "recorded reason" and Person.objects.filter(Q(pk=person_id) & condition).exists():
                    return name
    if (
        actor.is_inspector
        and Person.objects.filter(Q(pk=person_id) & _inspection_sample(organisation)).exists()
    ):
        return "sampled for inspection"
    return None


def may_see_event(actor: Actor, event: "Event") -> bool:
    """An event is seen by the organisation that recorded it and the organisations it was shared with."""
    from openmash.events.models import Source
    from openmash.sharing.models import Share

    organisation = actor.organisation
    if organisation is None or not works_cases(actor) or event.source == Source.HELD:  # an import not all in
        return False
    return (
        event.recorded_by_id == organisation.pk
        or Share.objects.filter(event=event, recipient=organisation).exists()
    )


def may_set_clock_figures(actor: Actor, organisation: Organisation) -> bool:
    """An area's own figures for local-default clocks are set by its administrators or partnership leads."""
    return actor.organisation == organisation and actor.has_role(Role.ADMINISTRATOR, Role.PARTNERSHIP_LEAD)


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


def visible_meetings(actor: Actor) -> "QuerySet[Meeting]":
    """Multi-agency meetings are seen by the council that convened them and the agencies invited to them
    (case-working roles only), and only while the organisation may still see the child."""
    from openmash.meetings.models import Meeting

    organisation = actor.organisation
    if organisation is None or not works_cases(actor):
        return Meeting.objects.none()
    involved = Q(council=organisation) | Q(
        pk__in=Meeting.objects.filter(invitations__organisation=organisation)
    )
    return Meeting.objects.filter(involved, child__in=visible_people(actor))


def visible_events(actor: Actor, *, about: uuid.UUID | None = None) -> "QuerySet[Event]":
    """The events the actor may see, as one query (lists such as a child's chronology).

    A case-working organisation sees what ``may_see_event`` allows: the events it recorded and those shared
    with it. With ``about``, only events about that person, and an event received through a share only when
    the share named that person: a school told of one child at an incident does not learn from a sibling's
    chronology that the sibling was there too. An inspectorate sees every event about a person sampled for
    one of its inspections under way (reading the multi-agency record of a sampled case is the inspection);
    nothing else. Administrators see no events.
    """
    from openmash.events.models import Event, EventSubject, Source
    from openmash.sharing.models import Share

    organisation = actor.organisation
    if organisation is None:
        return Event.objects.none()
    condition = Q(pk__in=[])
    if works_cases(actor):
        received = Share.objects.filter(recipient=organisation)
        if about is not None:
            received = received.filter(people=about)
        condition |= Q(recorded_by=organisation) | Q(pk__in=received.values("event_id"))
    if actor.is_inspector:
        sampled = _inspection_sample(organisation)
        people = Person.objects.filter(sampled if about is None else sampled & Q(pk=about))
        condition |= Q(pk__in=EventSubject.objects.filter(person__in=people).values("event_id"))
    events = Event.objects.filter(condition).exclude(source=Source.HELD)  # an import not all in yet
    if about is not None:
        events = events.filter(pk__in=EventSubject.objects.filter(person_id=about).values("event_id"))
    return events


class RecordScope(StrEnum):
    """How much of a child's record an organisation that may see the child is shown."""

    FULL = "full"
    # What an Operation Encompass notice gives a school: who the child is and that they attend the school.
    ENCOMPASS = "encompass"


def record_scope(actor: Actor) -> RecordScope:
    """A school knows a child through Operation Encompass and sees what a notice gives it: the child's name,
    date of birth and school, and its own work. Not identifiers, homes, statuses, relationships, deadlines or
    other agencies' work, on the record's page and in the API alike."""
    organisation = actor.organisation
    if organisation is not None and organisation.kind == OrganisationKind.SCHOOL:
        return RecordScope.ENCOMPASS
    return RecordScope.FULL


# Audit entries about the record itself (rather than some agency's piece of work about the child).
_RECORD_OBJECTS = frozenset({"person", "chronology", "relationship", "child-status"})


@dataclass(frozen=True)
class AccessLogLine:
    entry: "AuditEntry"
    # The reason as this viewer may read it: in full for its own organisation, else only its kind.
    reason: str


def access_log_visible(
    actor: Actor, person_id: uuid.UUID, entries: Iterable["AuditEntry"]
) -> tuple[list[AccessLogLine], int]:
    """The lines of a record's "who has looked at it" panel this actor may read, and how many it may not.

    The panel follows the policy of what its lines name: the actor's own organisation's lines in full; another
    agency's reading or changing of the record itself (not for a school, which sees only the Encompass view);
    another agency's work on an event only where the actor may see that event. The reason another agency gave
    is shown only as its kind ("Received share"): its detail can name work the actor may not see. Every other
    line is counted, never shown."""
    from openmash.sharing.models import Share

    organisation = actor.organisation
    entries = list(entries)
    if organisation is None:
        return [], len(entries)
    full = record_scope(actor) == RecordScope.FULL
    event_ids = {str(pk) for pk in visible_events(actor, about=person_id).values_list("pk", flat=True)}
    share_ids = [entry.object_id for entry in entries if entry.object_type == "share"]
    share_events = {
        str(pk): str(event_id)
        for pk, event_id in Share.objects.filter(pk__in=share_ids).values_list("pk", "event_id")
    }
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


DUPLICATE_DECIDERS = (
    Role.MASH_PRACTITIONER,
    Role.SOCIAL_WORKER,
    Role.TEAM_MANAGER,
    Role.POLICE_PUBLIC_PROTECTION,
    Role.HEALTH_SAFEGUARDING,
)


def may_decide_duplicates(actor: Actor, *people: uuid.UUID) -> bool:
    """Whether two records are one child is decided, and merges undone, by a case-working organisation that may
    see every record concerned (so matching never shows an agency a record it may not see), by its
    safeguarding practitioners and managers (not a school, which sees only what an Encompass notice gives)."""
    return (
        works_cases(actor)
        and record_scope(actor) == RecordScope.FULL
        and actor.has_role(*DUPLICATE_DECIDERS)
        and all(reason_to_see(actor, person) is not None for person in people)
    )
