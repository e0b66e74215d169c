"""Hand-made rows with exact times for the measures: a council and two forces of their own, so nothing of the
demo cast is counted, and every expected figure can be worked out by hand."""

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from openmash.events.models import Event, EventKind
from openmash.lib.clock_rules import ClockRule
from openmash.missing.models import Category, MissingEpisode, ReturnInterview
from openmash.organisations.models import Organisation, OrganisationKind
from openmash.people.models import Person
from openmash.sharing.models import Route, Share

UTC = dt.UTC
LONDON = ZoneInfo("Europe/London")
_serial = itertools.count(1)


@pytest.fixture
def area(db):
    council = Organisation.objects.create(
        code="TEST-COUNCIL", name="Testshire", kind=OrganisationKind.COUNCIL
    )
    return council


@pytest.fixture
def forces(db):
    return [
        Organisation.objects.create(
            code=f"TEST-POLICE-{n}", name=f"Testshire Police {n}", kind=OrganisationKind.POLICE
        )
        for n in (1, 2)
    ]


def event(kind: str, by: Organisation, at: dt.datetime, **values) -> Event:
    return Event.objects.create(
        kind=kind,
        recorded_by=by,
        recorded_by_label=by.name,
        occurred_at=at,
        reported_at=at,
        recorded_at=at,
        **values,
    )


@pytest.fixture
def notify(area):
    """A police domestic-abuse notification to the council: reported to police at ``reported``, shared at
    ``shared``, due at ``due`` (24 hours after the report unless given)."""

    def make(
        force: Organisation,
        reported: dt.datetime,
        shared: dt.datetime,
        *,
        due: dt.datetime | None = None,
        rule: str = ClockRule.DA_NOTIFICATION,
        recipient: Organisation | None = None,
    ) -> Share:
        incident = event(EventKind.DOMESTIC_ABUSE, force, reported)
        return Share.objects.create(
            event=incident,
            recipient=recipient or area,
            route=Route.HOME_COUNCIL,
            notification_rule=rule,
            notification_due_at=due or reported + dt.timedelta(hours=24),
            occurred_at=reported,
            reported_at=reported,
            recorded_at=shared,
            shared_at=shared,
        )

    return make


@pytest.fixture
def child(area):
    def make() -> Person:
        n = next(_serial)
        return Person.objects.create(given_name=f"Child{n}", family_name="Test", recorded_by=area)

    return make


@pytest.fixture
def episode(area, forces):
    """A missing episode of a child the council is responsible for."""

    def make(
        person: Person,
        reported: dt.datetime,
        *,
        told: dt.datetime | None = None,
        category: str = Category.MISSING,
        found: dt.datetime | None = None,
        council: Organisation | None = None,
    ) -> MissingEpisode:
        report = event(EventKind.MISSING, forces[0], reported)
        return MissingEpisode.objects.create(
            child=person,
            council=council or area,
            category=category,
            reported_by=forces[0],
            missing_report=report,
            last_seen_at=reported,
            reported_at=reported,
            council_told_at=told,
            recorded_at=reported,
            found_at=found,
        )

    return make


def interview(
    episode: MissingEpisode, offered: dt.datetime, *, held: dt.datetime | None = None, independent=None
) -> ReturnInterview:
    return ReturnInterview.objects.create(
        episode=episode,
        service=episode.council,
        offered_at=offered,
        offered_to="The child",
        offered_by_label="Return service",
        held_at=held,
        independent=independent,
    )
