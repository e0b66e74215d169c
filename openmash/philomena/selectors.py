"""Reading a Philomena profile: for its keepers, and for a police force it was released to. Every opening is
audited (who, when, under which release), and its keepers see the list of openings on the profile itself."""

import uuid
from dataclasses import dataclass, field

from django.db.models import Prefetch

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.audit.models import AuditAction, AuditEntry
from openmash.audit.services import audit_record
from openmash.events.models import Event, EventKind, Source
from openmash.lib.errors import NotFound
from openmash.organisations.models import Organisation
from openmash.people.models import Person
from openmash.philomena.models import PhilomenaProfile
from openmash.philomena.services import keeps_profiles_for
from openmash.sharing.models import Share

OBJECT_TYPE = "philomena-profile"


@dataclass(frozen=True)
class Episode:
    """An earlier missing report about the child, with when the child was found (if recorded)."""

    report: Event
    found: Event | None


@dataclass(frozen=True)
class ProfileView:
    child: Person
    profile: PhilomenaProfile | None
    keeps_it: bool
    episodes: list[Episode] = field(default_factory=list)
    # For keepers: every opening and change of the profile, newest first, with the organisation's name.
    openings: list[tuple[AuditEntry, str]] = field(default_factory=list)
    # The releases to the police (shares of the release events), newest first.
    releases: list[Share] = field(default_factory=list)


def _released_shares(child_id: uuid.UUID) -> list[Share]:
    return list(
        Share.objects.filter(event__kind=EventKind.PHILOMENA_PROFILE, people=child_id)
        .select_related("event", "recipient")
        .order_by("-shared_at")
    )


def episodes_of(child_id: uuid.UUID) -> list[Episode]:
    """The child's missing reports, newest first, each with its found report: read from the events, never
    copied into the profile."""
    reports = (
        Event.objects.filter(kind=EventKind.MISSING, subjects__person_id=child_id)
        .exclude(source=Source.HELD)
        .prefetch_related(
            Prefetch(
                "follow_ups", queryset=Event.objects.filter(kind=EventKind.FOUND), to_attr="found_reports"
            )
        )
        .order_by("-occurred_at")
    )
    return [Episode(report, report.found_reports[0] if report.found_reports else None) for report in reports]


def profile_open(
    *, actor: Actor, person_id: uuid.UUID, purpose: str = "opened", keepers_only: bool = False
) -> ProfileView:
    """The child's profile as this actor may read it, audited. NotFound for a child that does not exist, one the
    actor may not see, or a profile it may not open (the same answer for each); with ``keepers_only`` (to change
    it), for anyone but its keepers, before anything is recorded. A keeper of a child with no
    profile yet gets an empty view to start one."""
    child = Person.objects.filter(pk=person_id).first()
    if child is None:
        raise NotFound("No such person")
    organisation_id = actor.organisation.pk if actor.organisation is not None else None
    keeps_it = keeps_profiles_for(actor, child)
    if keepers_only and not keeps_it:
        raise NotFound("Only its keepers change a profile")
    releases = _released_shares(child.pk)
    if not policy.may_open_philomena_profile(
        actor, keeps_it=keeps_it, released_to_ids=[share.recipient_id for share in releases]
    ):
        raise NotFound("No such profile, or your organisation may not open it")
    profile = PhilomenaProfile.objects.filter(child=child).first()
    if profile is None and not keeps_it:
        raise NotFound("No such profile")
    if profile is not None:
        organisation = actor.organisation
        assert organisation is not None  # policy: only organisations open profiles
        mine = [share for share in releases if share.recipient_id == organisation.pk]
        audit_record(
            actor=actor,
            action=AuditAction.VIEW,
            object_type=OBJECT_TYPE,
            object_id=profile.pk,
            person_id=child.pk,
            reason=(
                f"{purpose} the Philomena profile released on missing report {mine[0].event.reference}".strip()
                if mine
                else f"{purpose} the Philomena profile as its keeper"
            ),
            detail={"release": str(mine[0].event_id)} if mine else {},
        )
    openings: list[tuple[AuditEntry, str]] = []
    if keeps_it and profile is not None:
        entries = list(
            AuditEntry.objects.filter(object_type=OBJECT_TYPE, object_id=str(profile.pk)).order_by(
                "-sequence"
            )
        )
        names = dict(
            Organisation.objects.filter(code__in={entry.organisation_code for entry in entries}).values_list(
                "code", "name"
            )
        )
        openings = [(entry, names.get(entry.organisation_code, entry.organisation_code)) for entry in entries]
    return ProfileView(
        child=child,
        profile=profile,
        keeps_it=keeps_it,
        episodes=episodes_of(child.pk),
        openings=openings,
        releases=releases
        if keeps_it
        else [share for share in releases if share.recipient_id == organisation_id],
    )
