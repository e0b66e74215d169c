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
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from openmash.access.models import AccessReason, InspectionSample
from openmash.accounts.actors import API_CLIENT_ROLE, IMPORT_ROLE, Actor
from openmash.accounts.models import Role
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Address, ChildStatus, Person, Restriction, SchoolEnrolment

if TYPE_CHECKING:
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
    return Person.objects.filter(condition)


def reason_to_see(actor: Actor, person_id: uuid.UUID) -> str | None:
    """The reason the actor may see this person (recorded in the audit trail), or None if it may not."""
    organisation = actor.organisation
    if organisation is None:
        return None
    person = Person.objects.filter(pk=person_id).values("restriction").first()
    if person is None:
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
