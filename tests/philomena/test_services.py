"""Keeping a Philomena profile, and its release to the police by a missing report in the report's own
transaction (domain.md section 3, Philomena protocol)."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.events.models import Event, EventKind
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.lib.instants import LONDON
from openmash.philomena import services
from openmash.philomena.models import PhilomenaProfile
from openmash.philomena.selectors import profile_open
from openmash.philomena.services import ProfileInput, profile_save
from openmash.sharing.models import Channel, Delivery, Route, Share

from .conftest import jpeg_bytes, png_bytes

CLEVELAND = "E23000013"


def test_the_childs_council_keeps_a_profile_with_its_photo_as_a_file(profile, media_of_this_test, leo):
    assert profile.child == leo
    assert profile.council.name == "Stockton-on-Tees"
    assert profile.places == ["Thornaby skate park", "Stockton bus station"]
    assert profile.photo_content_type == "image/jpeg"
    stored = media_of_this_test / profile.photo.name
    assert stored.exists()
    assert Image.open(stored).format == "JPEG"
    entry = AuditEntry.objects.filter(object_type="philomena-profile", object_id=str(profile.pk)).get()
    assert entry.action == "create" and entry.person_id == leo.pk


def test_a_photo_is_kept_without_its_metadata(keeper, leo):
    saved = profile_save(actor=keeper, child=leo, data=ProfileInput(), photo=jpeg_bytes(with_exif=True))
    with saved.photo.open("rb") as kept:
        image = Image.open(io.BytesIO(kept.read()))
        assert not image.getexif()  # no camera, no place where it was taken


def test_a_png_is_kept_as_a_png(keeper, leo):
    saved = profile_save(actor=keeper, child=leo, data=ProfileInput(), photo=png_bytes())
    assert saved.photo_content_type == "image/png"
    assert saved.photo.name.endswith(".png")


@pytest.mark.parametrize(
    "data",
    [
        b"<html><script>alert(1)</script></html>",  # a page named photo.jpg, sent as image/jpeg
        b"\xff\xd8\xff\xe0" + b"\x00" * 64,  # a JPEG's first bytes and nothing of an image after them
        b"",
    ],
)
def test_a_file_that_is_not_really_an_image_is_refused_and_nothing_saved(
    keeper, leo, data, media_of_this_test
):
    with pytest.raises(InvalidInput) as refused:
        profile_save(actor=keeper, child=leo, data=ProfileInput(description="x"), photo=data)
    assert "photo" in refused.value.errors
    assert not PhilomenaProfile.objects.exists()
    assert not (media_of_this_test / "philomena").exists() or not any(
        (media_of_this_test / "philomena").iterdir()
    )


def test_a_gif_is_refused(keeper, leo):
    out = io.BytesIO()
    Image.new("RGB", (5, 5)).save(out, "GIF")
    with pytest.raises(InvalidInput) as refused:
        profile_save(actor=keeper, child=leo, data=ProfileInput(), photo=out.getvalue())
    assert refused.value.errors["photo"] == ["The photo must be a JPG or PNG"]


def test_a_photo_over_the_size_limit_is_refused(keeper, leo, settings):
    settings.PHILOMENA_PHOTO_MAX_BYTES = 200
    with pytest.raises(InvalidInput) as refused:
        profile_save(actor=keeper, child=leo, data=ProfileInput(), photo=jpeg_bytes(size=(300, 300)))
    assert refused.value.errors["photo"] == ["The photo must be smaller than 0MB"] or "smaller" in str(
        refused.value
    )


def test_every_field_error_is_given_at_once(keeper, leo):
    with pytest.raises(InvalidInput) as refused:
        profile_save(
            actor=keeper,
            child=leo,
            data=ProfileInput(
                places=["x" * 301],
                description="y" * 5001,
                photo_taken_on=timezone.localdate() + dt.timedelta(days=3),
            ),
            photo=b"not an image",
        )
    assert set(refused.value.errors) == {"places", "description", "photo_taken_on", "photo"}


def test_a_new_photo_replaces_the_old_file(
    keeper, leo, profile, media_of_this_test, django_capture_on_commit_callbacks
):
    old = media_of_this_test / profile.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        again = profile_save(actor=keeper, child=leo, data=ProfileInput(), photo=png_bytes())
    assert not old.exists()
    assert (media_of_this_test / again.photo.name).exists()


@pytest.mark.parametrize(
    "username", ["police.officer", "school.dsl", "bury.social.worker", "health.practitioner"]
)
def test_only_the_council_and_carers_keep_a_profile(cast, leo, username):
    with pytest.raises(NotAllowed):
        profile_save(
            actor=actor_for_user(cast.users[username]), child=leo, data=ProfileInput(description="x")
        )


def test_no_profile_for_a_child_who_is_not_looked_after(keeper, cast):
    with pytest.raises(NotAllowed):
        profile_save(actor=keeper, child=cast.people["Amelia Hart"], data=ProfileInput(description="x"))


def test_a_missing_report_releases_the_profile_to_the_force_covering_the_placement(
    profile, report_missing, leo
):
    recorded = report_missing()
    release = Event.objects.get(kind=EventKind.PHILOMENA_PROFILE)
    assert release.related_event_id == recorded.event.pk
    assert release.recorded_by.name == "Stockton-on-Tees"
    # Written with the report, at once (the transaction is one: test_the_release_is_in_the_reports_transaction).
    assert dt.timedelta(0) <= release.recorded_at - recorded.event.recorded_at < dt.timedelta(seconds=5)
    assert release.details["profile"] == str(profile.pk)
    [share] = release.shares.all()
    assert share.recipient.code == CLEVELAND
    assert share.route == Route.COVERING_POLICE
    assert list(share.people.all()) == [leo]
    # Delivered like every share: an inbox delivery waiting for the worker, timed on the missing-report clock.
    assert Delivery.objects.filter(share=share, channel=Channel.INBOX).exists()
    # The force must have it as soon as the missing report itself: the council's (sender's) clock; the force
    # reading it has no deadline of its own.
    assert share.notification_due_at == dt.datetime(2026, 11, 20, 20, 0, tzinfo=LONDON)
    assert share.due_at is None
    # It is a share of its own, beside the report's own share to the same force.
    assert Share.objects.filter(event=recorded.event, recipient__code=CLEVELAND).exists()


def test_the_release_is_in_the_reports_transaction(profile, report_missing, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the release could not be written")

    monkeypatch.setattr(services, "_release", broken)
    with pytest.raises(RuntimeError):
        report_missing()
    assert not Event.objects.filter(kind=EventKind.MISSING).exists()  # nothing half-saved


def test_no_profile_no_release(report_missing):
    report_missing()
    assert not Event.objects.filter(kind=EventKind.PHILOMENA_PROFILE).exists()


def test_a_report_by_an_unrelated_force_does_not_give_it_the_profile(profile, report_missing, cast, leo):
    """Naming the child by NHS number, name and date of birth links the report to Leo's record unseen; the
    profile goes to the force covering his placement, never to the force that named him."""
    from openmash.organisations.models import Organisation, OrganisationKind

    durham = Organisation.objects.get(kind=OrganisationKind.POLICE, name__icontains="Durham")
    from openmash.accounts.actors import system_actor
    from openmash.accounts.models import Role
    from openmash.accounts.services import user_create

    officer = user_create(
        actor=system_actor(durham),
        organisation=durham,
        username="durham.reporter",
        email="durham.reporter@example.invalid",
        first_name="Dee",
        last_name="Ham",
        roles=[Role.POLICE_OFFICER],
        password="A-long-test-password-2026",
    )
    report_missing(
        actor_for_user(officer),
        given_name="Leo",
        family_name="Marsh",
        date_of_birth=leo.date_of_birth,
        nhs_number=leo.identifiers.get().value,
    )
    release = Event.objects.get(kind=EventKind.PHILOMENA_PROFILE)
    assert [share.recipient.code for share in release.shares.all()] == [CLEVELAND]
    with pytest.raises(NotFound):
        profile_open(actor=actor_for_user(officer), person_id=leo.pk)


def test_police_open_the_profile_only_once_released_and_each_opening_is_audited(
    profile, report_missing, cast, leo
):
    officer = actor_for_user(cast.users["police.officer"])
    with pytest.raises(NotFound):
        profile_open(actor=officer, person_id=leo.pk)
    report_missing()
    view = profile_open(actor=officer, person_id=leo.pk)
    assert view.profile == profile and not view.keeps_it
    profile_open(actor=officer, person_id=leo.pk)
    openings = AuditEntry.objects.filter(
        object_type="philomena-profile", object_id=str(profile.pk), action="view", organisation_code=CLEVELAND
    )
    assert openings.count() == 2
    assert all("released on missing report CLE-MIS-1" in entry.reason for entry in openings)
    # The keepers see every opening on the profile itself.
    keeper_view = profile_open(actor=actor_for_user(cast.users["social.worker"]), person_id=leo.pk)
    assert {entry.organisation_code for entry, _name in keeper_view.openings} >= {CLEVELAND, "E06000004"}
    assert (
        sum(
            1 for entry, name in keeper_view.openings if name == "Cleveland Police" and entry.action == "view"
        )
        == 2
    )


def test_previous_episodes_are_read_from_the_missing_reports(profile, report_missing, cast, leo):
    first = report_missing(reference="CLE-MIS-1", when=dt.datetime(2026, 10, 1, 20, 0, tzinfo=LONDON))
    report_missing(reference="CLE-MIS-2", when=dt.datetime(2026, 11, 20, 18, 0, tzinfo=LONDON))
    from openmash.recording.services import EventInput, PersonInput, event_record

    event_record(
        actor=actor_for_user(cast.users["social.worker"]),
        data=EventInput(
            kind=EventKind.FOUND,
            occurred_at=dt.datetime(2026, 10, 2, 9, 0, tzinfo=LONDON),
            related_event_id=first.event.pk,
            people=[PersonInput(person_id=leo.pk)],
        ),
    )
    view = profile_open(actor=actor_for_user(cast.users["police.officer"]), person_id=leo.pk)
    assert [episode.report.reference for episode in view.episodes] == ["CLE-MIS-2", "CLE-MIS-1"]
    assert view.episodes[0].found is None
    assert view.episodes[1].found.occurred_at == dt.datetime(2026, 10, 2, 9, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    "username", ["school.dsl", "bury.social.worker", "health.practitioner", "inspector", "council.admin"]
)
def test_nobody_else_opens_it_even_after_a_release(profile, report_missing, cast, leo, username):
    report_missing()
    with pytest.raises(NotFound):
        profile_open(actor=actor_for_user(cast.users[username]), person_id=leo.pk)
