import pytest

from openmash.accounts.actors import actor_for_user, system_actor
from openmash.accounts.models import Role
from openmash.accounts.services import user_create
from openmash.people.selectors import person_open
from tests.data_protection_story import Story, story_record


def _officer(cast, key: str, username: str):
    organisation = cast.organisations[key]
    return user_create(
        actor=system_actor(organisation),
        organisation=organisation,
        username=username,
        email=f"{username}@example.org",
        first_name="Dana",
        last_name="Protect",
        roles=[Role.DATA_PROTECTION_OFFICER],
        password="a long test password 42",
    )


@pytest.fixture
def dpo(cast):
    """Stockton's data protection officer."""
    return _officer(cast, "council", "stockton.dpo")


@pytest.fixture
def bury_dpo(cast):
    """Another council's data protection officer (Bury never had Noah's details)."""
    return _officer(cast, "unrelated-council", "bury.dpo")


@pytest.fixture
def story(cast) -> Story:
    """The hand-made story, and Stockton's social worker has opened Noah's record once (an audited read)."""
    told = story_record(cast)
    person_open(actor=actor_for_user(cast.users["social.worker"]), person_id=told.child.pk)
    return told
