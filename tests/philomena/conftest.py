import datetime as dt
import io

import pytest
from PIL import Image

from openmash.accounts.actors import actor_for_user
from openmash.events.models import EventKind
from openmash.lib.instants import LONDON
from openmash.philomena.services import ProfileInput, profile_save
from openmash.recording.services import EventInput, PersonInput, event_record


@pytest.fixture(autouse=True)
def media_of_this_test(settings, tmp_path):
    """Photos are written under a folder of each test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg_bytes(size=(40, 50), with_exif=False) -> bytes:
    """A JPEG of noise: it does not compress to nothing, so its size follows its dimensions."""
    out = io.BytesIO()
    image = Image.effect_noise(size, 64).convert("RGB")
    if with_exif:
        exif = Image.Exif()
        exif[0x010F] = "Phone maker"  # Make
        exif[0x8825] = {2: (54.0, 34.0, 0.0)}  # GPS latitude: where the photo was taken
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (30, 30), (10, 200, 10, 255)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def keeper(cast):
    return actor_for_user(cast.users["social.worker"])


@pytest.fixture
def leo(cast):
    return cast.people["Leo Marsh"]


@pytest.fixture
def profile(keeper, leo):
    return profile_save(
        actor=keeper,
        child=leo,
        data=ProfileInput(
            description="Tall for his age, short dark hair, scar above left eyebrow",
            associates=["Kyle (friend from school), often at the skate park"],
            places=["Thornaby skate park", "Stockton bus station"],
            phone_numbers=["07700 900123 (Leo's own)"],
            health_needs="Asthma",
            medication="Salbutamol inhaler, as needed",
        ),
        photo=jpeg_bytes(),
    )


@pytest.fixture
def report_missing(cast):
    """Record a missing report about Leo, by the social worker unless another actor is given."""

    def report(actor=None, *, reference="CLE-MIS-1", when=None, **person):
        when = when or dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON)
        return event_record(
            actor=actor or actor_for_user(cast.users["social.worker"]),
            data=EventInput(
                kind=EventKind.MISSING,
                reference=reference,
                occurred_at=when,
                reported_at=when + dt.timedelta(hours=1),
                location="Oak House, 4 Mill Lane",
                people=[
                    PersonInput(**person) if person else PersonInput(person_id=cast.people["Leo Marsh"].pk)
                ],
                summary="Did not come home from school",
            ),
        )

    return report
