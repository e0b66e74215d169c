"""Helpers for meeting tests: actors from the demo cast, and meetings built through the real services."""

import datetime as dt

import pytest
from django.utils import timezone

from openmash.accounts.actors import Actor, actor_for_user
from openmash.meetings import services
from openmash.meetings.models import Meeting, Participation


@pytest.fixture
def actor(cast):
    def make(username: str) -> Actor:
        return actor_for_user(cast.users[username])

    return make


def soon() -> dt.datetime:
    return timezone.now() + dt.timedelta(days=2)


def everyone_attended(meeting: Meeting) -> list[services.AttendanceInput]:
    return [
        services.AttendanceInput(organisation_id=i.organisation_id, participation=Participation.ATTENDED)
        for i in meeting.invitations.all()
    ]


def all_but_one_attended(
    meeting: Meeting, absent: int, participation: str, reason: str = ""
) -> list[services.AttendanceInput]:
    """Every invited agency attended except the organisation ``absent``, which took part as ``participation``."""
    return [
        services.AttendanceInput(
            organisation_id=i.organisation_id, participation=participation, reason=reason
        )
        if i.organisation_id == absent
        else services.AttendanceInput(organisation_id=i.organisation_id, participation=Participation.ATTENDED)
        for i in meeting.invitations.all()
    ]


@pytest.fixture
def strategy_discussion(cast, actor) -> Meeting:
    return services.strategy_discussion_convene(
        actor=actor("social.worker"),
        child=cast.people["Amelia Hart"],
        scheduled_for=soon(),
        invited=[cast.organisations["health"], cast.organisations["school"]],
    )


@pytest.fixture
def s47_started(cast, actor, strategy_discussion) -> Meeting:
    held = timezone.now() - dt.timedelta(hours=1)
    return services.strategy_discussion_record_outcome(
        actor=actor("social.worker"),
        meeting=strategy_discussion,
        held_at=held,
        attendance=everyone_attended(strategy_discussion),
        s47_decision=True,
        decision_reasons="Bruising explained inconsistently",
        s47_started_on=timezone.localdate(),
    )


@pytest.fixture
def initial_conference(cast, actor, s47_started) -> Meeting:
    return services.conference_schedule(
        actor=actor("social.worker"),
        kind="initial-conference",
        child=cast.people["Amelia Hart"],
        scheduled_for=soon(),
        invited=[cast.organisations["health"]],
        strategy_discussion=s47_started,
    )


@pytest.fixture
def unborn(cast):
    return cast.people["unborn"]
