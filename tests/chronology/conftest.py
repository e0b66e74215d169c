import pytest

from .stories import Story, record_story


@pytest.fixture
def story(cast) -> Story:
    """Amelia Hart's story (stories.py): four agencies' entries, recorded out of time order."""
    return record_story(cast)
