import pytest

from tests.data_protection_story import Story, story_record


@pytest.fixture
def story(cast) -> Story:
    return story_record(cast)
