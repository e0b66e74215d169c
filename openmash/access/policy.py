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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from openmash.access.models import AccessReason, InspectionSample
from openmash.accounts.actors import API_CLIENT_ROLE, IMPORT_ROLE, OPERATOR_ROLE, PROTOCOL_ROLE, Actor
from openmash.accounts.models import Role, User
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
        Role.CARER,
        API_CLIENT_ROLE,
        IMPORT_ROLE,
        PROTOCOL_ROLE,
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


def _vetting_people(actor: Actor) -> Q:
    """The people a vetting officer may see: those named in the vetting work they may see."""
    from openmash.events.models import EventSubject

    return Q(id__in=EventSubject.objects.filter(event__in=visible_events(actor)).values("person_id"))


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


def _reason_sources(organisation: Organisation) -> dict[str, QuerySet[Any]]:
    """Each kind of reason as the rows that give it (each with a ``person_id``), by the name recorded in the
    audit trail."""
    today = timezone.localdate()
    return {
        "recorded reason": _reason_rows(organisation),
        "lives in area": Address.objects.filter(council=organisation).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        ),
        "attends school": SchoolEnrolment.objects.filter(school=organisation).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        ),
        "open status with council": ChildStatus.objects.filter(council=organisation).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        ),
    }


def _where_reasons(organisation: Organisation) -> dict[str, Q]:
    """Each kind of reason as a condition on Person, by the name recorded in the audit trail."""
    return {name: Q(id__in=rows.values("person_id")) for name, rows in _reason_sources(organisation).items()}


def _restricted_rows(organisation: Organisation) -> QuerySet[AccessReason]:
    return _reason_rows(organisation).filter(covers_restricted=True)


def _restricted_reason(organisation: Organisation) -> Q:
    return Q(id__in=_restricted_rows(organisation).values("person_id"))


def _inspection_rows(organisation: Organisation) -> QuerySet[InspectionSample]:
    today = timezone.localdate()
    return InspectionSample.objects.filter(
        inspection__inspectorate=organisation,
        inspection__starts_on__lte=today,
        inspection__ends_on__gte=today,
    )


def _inspection_sample(organisation: Organisation) -> Q:
    return Q(id__in=_inspection_rows(organisation).values("person_id"))


def _visible_condition(actor: Actor, reason: Callable[[QuerySet[Any]], Q]) -> Q:
    """Who the actor may see, each reason's rows made a condition on Person by ``reason``."""
    organisation = actor.organisation
    condition = Q(pk__in=[])
    if organisation is None:
        return condition
    if works_cases(actor):
        any_reason = Q(pk__in=[])
        for rows in _reason_sources(organisation).values():
            any_reason |= reason(rows)
        condition |= (Q(restriction=Restriction.NONE) & any_reason) | reason(_restricted_rows(organisation))
    if actor.is_inspector:
        condition |= reason(_inspection_rows(organisation))
    # A record merged into another is seen as that other record (openmash.merging).
    return condition & Q(merged_into__isnull=True)


def visible_among(actor: Actor, people: QuerySet[Person]) -> QuerySet[Person]:
    """``people`` narrowed to those the actor may see: the rule of ``visible_people``, asked of each of them
    (a correlated EXISTS on each kind of reason) rather than by reading every reason the organisation holds,
    for a search whose candidates are few against an organisation that may see a million."""
    if vetting_only(actor):
        return people.filter(Q(restriction=Restriction.NONE) & _vetting_people(actor))
    return people.filter(
        _visible_condition(actor, lambda rows: Q(Exists(rows.filter(person_id=OuterRef("pk")))))
    )


def visible_people(actor: Actor) -> QuerySet[Person]:
    """Every person the actor may see. Deny by default."""
    if actor.organisation is None:
        return Person.objects.none()
    if vetting_only(actor):
        return Person.objects.filter(
            Q(restriction=Restriction.NONE) & _vetting_people(actor), merged_into__isnull=True
        )
    return Person.objects.filter(_visible_condition(actor, lambda rows: Q(id__in=rows.values("person_id"))))


def reason_to_see(actor: Actor, person_id: uuid.UUID) -> str | None:
    """The reason the actor may see this person (recorded in the audit trail), or None if it may not."""
    organisation = actor.organisation
    if organisation is None:
        return None
    person = Person.objects.filter(pk=person_id, merged_into__isnull=True).values("restriction").first()
    if person is None:  # absent, or merged into another record (seen there)
        return None
    if vetting_only(actor):
        named = Person.objects.filter(Q(pk=person_id) & _vetting_people(actor)).exists()
        return "named in a vetting request" if named and not person["restriction"] else None
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
    if vetting_only(actor) and event.kind not in VETTING_EVENT_KINDS:
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
    if organisation is None or not works_cases(actor) or vetting_only(actor):
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
    if vetting_only(actor):
        events = events.filter(kind__in=VETTING_EVENT_KINDS)
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


def may_change_meeting(actor: Actor, council_id: int) -> bool:
    """A meeting is moved, cancelled or has agencies added by the council that convened it (who may convene
    may change): an invited agency asks the council; it cannot move the meeting for everyone else."""
    return may_record_for_meeting(actor, council_id)


def may_record_birth(actor: Actor, person_id: uuid.UUID) -> bool:
    """The birth of an unborn child is recorded by a council's practitioners with a reason to see the record
    (the council working with the family; the birth changes its clocks, e.g. the pre-birth review)."""
    return _practitioner_of(actor, OrganisationKind.COUNCIL) and reason_to_see(actor, person_id) is not None


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


def may_see_exploitation_patterns(actor: Actor, council_id: int) -> bool:
    """Places and associates recurring across children of an area are for its exploitation lead: the council's
    team managers and the area's safeguarding partnership leads."""
    organisation = actor.organisation
    if organisation is None or not works_cases(actor):
        return False
    if organisation.kind == OrganisationKind.PARTNERSHIP:
        return organisation.parent_id == council_id and actor.has_role(Role.PARTNERSHIP_LEAD)
    return organisation.pk == council_id and actor.has_role(Role.TEAM_MANAGER, Role.PARTNERSHIP_LEAD)


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
