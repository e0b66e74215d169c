import datetime as dt

import pytest
from django.utils import timezone

from openmash.accounts.actors import actor_for_user
from openmash.missing import services
from openmash.missing.models import MissingEpisode
from openmash.recording.services import PersonInput


def ago(**kwargs) -> dt.datetime:
    return timezone.now() - dt.timedelta(**kwargs)


@pytest.fixture
def actor_of(cast):
    return lambda username: actor_for_user(cast.users[username])


@pytest.fixture
def report_missing(cast, actor_of):
    """Oak House's carer reports Leo Marsh (looked after by Stockton, placed at Oak House) missing."""

    def report(username: str = "home.carer", hours_ago: float = 5, **kwargs) -> MissingEpisode:
        data = services.MissingReportInput(
            last_seen_at=ago(hours=hours_ago),
            reported_at=ago(hours=hours_ago - 0.5),
            child=PersonInput(person_id=cast.people["Leo Marsh"].pk),
            last_seen_where=kwargs.pop("where", "Oak House, Thornaby"),
            **kwargs,
        )
        return services.missing_report_record(actor=actor_of(username), data=data).episode

    return report


@pytest.fixture
def report_found(actor_of):
    def found(episode: MissingEpisode, username: str = "home.carer", hours_ago: float = 2) -> MissingEpisode:
        return services.found_report_record(
            actor=actor_of(username),
            episode=episode,
            data=services.FoundInput(found_at=ago(hours=hours_ago), found_where="Stockton bus station"),
        ).episode

    return found
