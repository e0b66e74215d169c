"""The Philomena profile's pages: its keepers start and change it (with a photo checked by what it is), a police
force it was released to opens it, and everyone else gets the same 404 as for a page that does not exist."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from openmash.audit.models import AuditEntry
from openmash.philomena.models import PhilomenaProfile

from .conftest import jpeg_bytes


def _form(**changes):
    return {
        "description": "Slim, long red hair, green coat",
        "associates": "Kyle, friend from school\nAunt Jo in Middlesbrough",
        "places": "Thornaby skate park",
        "phone_numbers": "07700 900123 (own)",
        "health_needs": "Asthma",
        "medication": "Inhaler",
        "photo_taken_on_0": "",
        "photo_taken_on_1": "",
        "photo_taken_on_2": "",
    } | changes


def test_the_social_worker_starts_the_profile_with_a_photo(signed_in, leo, media_of_this_test):
    client = signed_in("social.worker")
    page = client.get(reverse("philomena:profile", args=[leo.pk]))
    assert page.status_code == 200 and b"Start the profile" in page.content
    photo = SimpleUploadedFile("leo.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post(reverse("philomena:edit", args=[leo.pk]), _form(photo=photo))
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = PhilomenaProfile.objects.get(child=leo)
    assert profile.associates == ["Kyle, friend from school", "Aunt Jo in Middlesbrough"]
    page = client.get(response["Location"])
    assert b"Aunt Jo in Middlesbrough" in page.content
    assert reverse("philomena:photo", args=[leo.pk]).encode() in page.content
    image = client.get(reverse("philomena:photo", args=[leo.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert "no-store" in image["Cache-Control"]
    assert b"".join(image.streaming_content)[:3] == b"\xff\xd8\xff"


def test_a_page_sent_as_a_jpeg_gets_an_error_summary_and_nothing_is_saved(signed_in, leo):
    client = signed_in("social.worker")
    fake = SimpleUploadedFile("leo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    response = client.post(reverse("philomena:edit", args=[leo.pk]), _form(photo=fake))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error:" in html
    assert "govuk-error-summary" in html and 'href="#id_photo"' in html
    assert "The photo must be a JPG or PNG" in html
    assert not PhilomenaProfile.objects.exists()


def test_no_public_address_serves_photos(client, profile):
    # MEDIA_ROOT is not served: the file's own name under /media/ is no page at all.
    assert client.get(f"/media/{profile.photo.name}").status_code in (302, 404)


@pytest.mark.parametrize(
    "username", ["police.officer", "school.dsl", "bury.social.worker", "inspector", "council.admin"]
)
def test_before_a_release_only_keepers_open_it(signed_in, leo, profile, username):
    client = signed_in(username)
    for name in ("philomena:profile", "philomena:edit", "philomena:photo"):
        assert client.get(reverse(name, args=[leo.pk])).status_code == 404


def test_after_a_missing_report_the_covering_force_opens_it_and_every_opening_is_audited(
    signed_in, leo, profile, report_missing
):
    report_missing()
    police = signed_in("police.officer")
    page = police.get(reverse("philomena:profile", args=[leo.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thornaby skate park" in html and "Released to Cleveland Police" in html
    assert "Change the profile" not in html  # the police read it; its keepers change it
    assert police.get(reverse("philomena:edit", args=[leo.pk])).status_code == 404
    assert police.get(reverse("philomena:photo", args=[leo.pk])).status_code == 200
    entries = AuditEntry.objects.filter(object_type="philomena-profile", organisation_code="E23000013")
    reasons = [entry.reason for entry in entries.order_by("sequence")]
    assert reasons == [
        "opened the Philomena profile released on missing report CLE-MIS-1",
        "viewed the photo of the Philomena profile released on missing report CLE-MIS-1",
    ]
    keeper = signed_in("social.worker").get(reverse("philomena:profile", args=[leo.pk])).content.decode()
    assert "Cleveland Police" in keeper and "Priya Shah" in keeper  # who opened it, on the profile itself
    for username in ("school.dsl", "bury.social.worker", "inspector"):
        assert signed_in(username).get(reverse("philomena:profile", args=[leo.pk])).status_code == 404


def test_the_release_share_links_to_the_profile(signed_in, leo, profile, report_missing):
    from openmash.events.models import EventKind
    from openmash.sharing.models import Share

    report_missing()
    share = Share.objects.get(event__kind=EventKind.PHILOMENA_PROFILE)
    page = signed_in("police.officer").get(reverse("sharing:share", args=[share.pk]))
    assert page.status_code == 200
    assert reverse("philomena:profile", args=[leo.pk]).encode() in page.content


def test_an_unrelated_force_gets_404_by_id_even_after_a_release(leo, profile, report_missing):
    from django.test import Client

    from openmash.accounts.models import Role
    from openmash.organisations.models import Organisation, OrganisationKind
    from tests.vetting.conftest import _user

    durham = Organisation.objects.get(kind=OrganisationKind.POLICE, name__icontains="Durham")
    durham.requires_two_factor = False
    durham.save(update_fields=["requires_two_factor"])
    report_missing()
    client = Client()
    client.force_login(_user(durham, "durham.reporter", Role.POLICE_OFFICER))
    for name in ("philomena:profile", "philomena:edit", "philomena:photo"):
        assert client.get(reverse(name, args=[leo.pk])).status_code == 404
    assert not AuditEntry.objects.filter(
        object_type="philomena-profile", organisation_code=durham.code
    ).exists()
