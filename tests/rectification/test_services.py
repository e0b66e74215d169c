"""Rectification (UK GDPR Art 16, 19): the old value kept in the record's history, the correction shared with
exactly the agencies that had the details, delivered, and shown in their inboxes in plain words."""

import datetime as dt

import pytest

from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.events.models import EventKind
from openmash.lib.errors import InvalidInput, NotFound
from openmash.people.models import PersonCorrection, PersonIdentifier
from openmash.people.selectors import SearchCriteria, person_search
from openmash.recording.rectification import DetailsGiven, details_correct
from openmash.sharing.delivery import run_once
from openmash.sharing.models import Delivery, DeliveryStatus, Route, Share


def _correct(cast, username="social.worker", **given):
    why = given.pop("why", "Birth certificate seen at the home visit")
    return details_correct(
        actor=actor_for_user(cast.users[username]),
        person_id=given.pop("person_id"),
        given=DetailsGiven(**given),
        why=why,
    )


def test_the_old_value_is_kept_in_the_records_history(cast, story):
    corrected = _correct(cast, person_id=story.child.pk, date_of_birth=dt.date(2023, 3, 3))
    story.child.refresh_from_db()
    assert story.child.date_of_birth == dt.date(2023, 3, 3)
    history = list(PersonCorrection.objects.filter(person=story.child))
    assert [(row.detail, row.old_value, row.new_value) for row in history] == [
        ("date_of_birth", "1 March 2023", "3 March 2023")
    ]
    assert history[0].corrected_by == cast.organisations["council"]
    assert history[0].why == "Birth certificate seen at the home visit"
    assert history[0].event_id == corrected.recorded.event.pk
    entry = AuditEntry.objects.filter(person_id=story.child.pk, reason="corrected the person's details").get()
    assert entry.detail["corrected"] == ["date_of_birth"]
    # The values themselves stay out of the audit trail's detail (it is read more widely than the record).
    assert "2023" not in str(entry.detail)


def test_the_correction_goes_to_exactly_the_agencies_that_had_the_details(cast, story):
    corrected = _correct(cast, person_id=story.child.pk, date_of_birth=dt.date(2023, 3, 3))
    event = corrected.recorded.event
    assert event.kind == EventKind.DETAILS_CORRECTED
    shares = Share.objects.filter(event=event)
    # The police recorded the incident (sent the details); the trust received Stockton's share. Stockton
    # corrected it and is not sent its own; the school, Bury and Durham never had Noah's details.
    assert {share.recipient for share in shares} == {
        cast.organisations["police"],
        cast.organisations["health"],
    }
    assert {share.route for share in shares} == {Route.RECEIVED_THE_DETAILS}
    assert all(set(share.people.all()) == {story.child} for share in shares)


def test_an_adults_correction_reaches_only_who_had_the_adults_details(cast, story):
    corrected = _correct(cast, person_id=story.adult.pk, family_name="Fenwick-Hale")
    # Tara was named in the incident (police recorded it, Stockton received it), not in the share to the trust.
    # Stockton corrects: only the police are told.
    assert {share.recipient for share in corrected.recorded.shares} == {cast.organisations["police"]}


def test_delivered_and_shown_in_the_recipients_inbox_in_plain_words(cast, story, signed_in):
    corrected = _correct(cast, person_id=story.child.pk, date_of_birth=dt.date(2023, 3, 3), given_name="Noa")
    while run_once("test-worker"):
        pass
    deliveries = Delivery.objects.filter(share__event=corrected.recorded.event, channel="inbox")
    assert deliveries.count() == 2
    assert {delivery.status for delivery in deliveries} == {DeliveryStatus.DELIVERED}
    page = signed_in("health.practitioner").get("/inbox/").content.decode()
    assert (
        "Details corrected: First name was Noah, now Noa; date of birth was 1 March 2023, now 3 March 2023."
        in page
    )
    # Bury never had Noah's details: nothing in its inbox says so.
    assert "Details corrected:" not in signed_in("bury.social.worker").get("/inbox/").content.decode()


def test_search_finds_the_person_by_the_corrected_name_at_once(cast, story):
    _correct(cast, person_id=story.child.pk, given_name="Noa", family_name="Fenwicke")
    actor = actor_for_user(cast.users["social.worker"])
    found = person_search(actor=actor, criteria=SearchCriteria(name="Noa Fenwicke"))
    assert story.child.pk in {person.pk for person in found}


def test_identifiers_and_address_corrected_with_their_old_values(cast, story):
    nhs = "9990000026"
    _correct(
        cast,
        person_id=story.child.pk,
        nhs_number=nhs,
        address_line_1="5 Larch Close",
        address_town="Stockton-on-Tees",
        address_postcode="ts18 1aa",
    )
    assert PersonIdentifier.objects.get(person=story.child, scheme="nhs").value == nhs
    rows = {row.detail: row for row in PersonCorrection.objects.filter(person=story.child)}
    assert rows["nhs"].old_value == "" and rows["nhs"].new_value == nhs
    assert rows["address"].old_value.startswith("3 Larch Close")
    assert rows["address"].new_value == "5 Larch Close, Stockton-on-Tees, TS18 1AA"


def test_every_bad_field_at_once_and_nothing_saved(cast, story):
    with pytest.raises(InvalidInput) as raised:
        _correct(
            cast,
            person_id=story.child.pk,
            date_of_birth=dt.date(2099, 1, 1),
            nhs_number="1234567890",
            given_name="",
            why=" ",
        )
    assert set(raised.value.errors) == {"date_of_birth", "nhs_number", "given_name", "why"}
    assert not PersonCorrection.objects.filter(person=story.child).exists()
    assert not Share.objects.filter(event__kind=EventKind.DETAILS_CORRECTED).exists()


def test_nothing_changed_is_refused(cast, story):
    with pytest.raises(InvalidInput) as raised:
        _correct(cast, person_id=story.child.pk, given_name="Noah")
    assert "already on the record" in raised.value.errors["given_name"][0]


@pytest.mark.parametrize("username", ["bury.social.worker", "durham.officer", "council.admin", "home.carer"])
def test_who_may_not_see_or_correct_gets_not_found(cast, story, username):
    with pytest.raises(NotFound):
        _correct(cast, username=username, person_id=story.child.pk, given_name="Noa")
    assert not PersonCorrection.objects.exists()
