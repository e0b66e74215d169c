"""The rectification pages: the form (GOV.UK error summary), check your answers, the correction made."""

from openmash.accounts.actors import actor_for_user
from openmash.people.models import PersonCorrection
from openmash.recording.rectification import DetailsGiven, details_correct
from openmash.sharing.models import Share


def _form(child, **changes):
    values = {
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth_0": str(child.date_of_birth.day),
        "date_of_birth_1": str(child.date_of_birth.month),
        "date_of_birth_2": str(child.date_of_birth.year),
        "nhs_number": "",
        "upn": "",
        "address_line_1": "3 Larch Close",
        "address_town": "",
        "address_postcode": "TS18 1AA",
        "why": "Birth certificate seen at the home visit",
    }
    values.update(changes)
    return values


def test_the_record_links_to_the_form_which_shows_the_details_on_record(story, signed_in):
    client = signed_in("social.worker")
    record = client.get(f"/people/{story.child.pk}/").content.decode()
    assert f'href="/people/{story.child.pk}/correct/"' in record
    page = client.get(f"/people/{story.child.pk}/correct/").content.decode()
    assert 'value="Noah"' in page and 'value="3 Larch Close"' in page


def test_errors_are_summarised_and_nothing_is_saved(story, signed_in):
    client = signed_in("social.worker")
    response = client.post(
        f"/people/{story.child.pk}/correct/",
        _form(
            story.child, given_name="", date_of_birth_0="31", date_of_birth_1="2", why="", nhs_number="123"
        ),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter the first name" in page
    assert "Date of birth must be a real date" in page
    assert "Say why the details are corrected" in page
    assert not PersonCorrection.objects.exists()


def test_check_your_answers_then_corrected_and_shared(story, signed_in):
    client = signed_in("social.worker")
    response = client.post(f"/people/{story.child.pk}/correct/", _form(story.child, date_of_birth_0="3"))
    assert response.status_code == 302 and response["Location"].endswith("/correct/check/")
    check = client.get(response["Location"]).content.decode()
    assert "Check your answers before correcting their details" in check
    assert "Was 1 March 2023" in check and "Now <strong>3 March 2023</strong>" in check
    assert not PersonCorrection.objects.exists()  # nothing until confirmed
    done = client.post(response["Location"])
    assert done.status_code == 302 and done["Location"] == f"/people/{story.child.pk}/"
    assert PersonCorrection.objects.get(person=story.child).new_value == "3 March 2023"
    record = client.get(done["Location"]).content.decode()
    assert "2 agencies that have their details will see the correction in their inbox" in record
    assert Share.objects.filter(event__kind="details-corrected").count() == 2


def test_nothing_changed_is_an_error_not_a_correction(story, signed_in):
    page = (
        signed_in("social.worker")
        .post(f"/people/{story.child.pk}/correct/", _form(story.child))
        .content.decode()
    )
    assert "Change at least one detail" in page


def test_pages_are_not_found_for_who_may_not_correct(story, signed_in):
    for username in ("bury.social.worker", "council.admin", "home.carer"):
        client = signed_in(username)
        assert client.get(f"/people/{story.child.pk}/correct/").status_code == 404
        assert (
            client.post(
                f"/people/{story.child.pk}/correct/", _form(story.child, given_name="Noa")
            ).status_code
            == 404
        )
        assert client.post(f"/people/{story.child.pk}/correct/check/").status_code == 404
    assert not PersonCorrection.objects.exists()


def test_the_recipient_reads_the_correction_in_words(cast, story, signed_in):
    corrected = details_correct(
        actor=actor_for_user(cast.users["social.worker"]),
        person_id=story.child.pk,
        given=DetailsGiven(date_of_birth=story.child.date_of_birth.replace(day=3)),
        why="Birth certificate seen",
    )
    share = next(s for s in corrected.recorded.shares if s.recipient == cast.organisations["health"])
    page = signed_in("health.practitioner").get(f"/shares/{share.pk}/").content.decode()
    assert "Details corrected: Date of birth was 1 March 2023, now 3 March 2023." in page
    assert "Why they were corrected" in page and "Birth certificate seen" in page
    assert "{&#x27;" not in page and "{'" not in page  # no Python values on screen
