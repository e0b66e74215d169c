"""Linking two records of one child and undoing it: every row follows the merge and goes back on an unmerge;
only an agency that may see both records decides; a decision to keep two apart is remembered."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from django.urls import reverse

from openmash.access.models import AccessReason
from openmash.accounts.actors import actor_for_user
from openmash.audit.models import AuditEntry
from openmash.clocks.models import Clock
from openmash.events.models import EventKind, EventSubject
from openmash.lib.errors import InvalidInput, NotAllowed, NotFound
from openmash.matching.features import match_record
from openmash.matching.model import score
from openmash.merging import selectors, services
from openmash.merging.models import KeptApart, MatchReview, Merge, ReviewSource, ReviewStatus
from openmash.people.models import Person
from openmash.recording.services import EventInput, PersonInput, event_record
from openmash.sharing.models import Share

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def actors(cast):
    return {username: actor_for_user(user) for username, user in cast.users.items()}


@pytest.fixture
def amelia(cast):
    return cast.people["Amelia Hart"]


@pytest.fixture
def millie(actors, amelia):
    """Amelia as the police typed her at an incident, without an identifier, recorded with matching at intake
    off (which would link her): a second record."""
    with override_settings(MATCHING_AT_INTAKE=False):
        recorded = _record_millie(actors, amelia)
    [subject] = [s for s in EventSubject.objects.filter(event_id=recorded.event.pk)]
    assert subject.person_id != amelia.pk
    return Person.objects.get(pk=subject.person_id)


def _record_millie(actors, amelia):
    return event_record(
        actor=actors["police.ppu"],
        data=EventInput(
            kind=EventKind.DOMESTIC_ABUSE,
            occurred_at=dt.datetime(2026, 11, 20, 21, 30, tzinfo=LONDON),
            reported_at=dt.datetime(2026, 11, 20, 21, 40, tzinfo=LONDON),
            risk_level="medium",
            reference="CLE-26-7001",
            postcode="TS18 1AA",
            people=[PersonInput(given_name="Millie", family_name="Hart", date_of_birth=amelia.date_of_birth)],
        ),
    )


def _rows(person_id):
    """Everything that names a person, as (what, id) pairs."""
    return {
        *(
            ("subject", pk)
            for pk in EventSubject.objects.filter(person_id=person_id).values_list("pk", flat=True)
        ),
        *(
            ("share", pk)
            for pk in Share.people.through.objects.filter(person_id=person_id).values_list("pk", flat=True)
        ),
        *(("clock", pk) for pk in Clock.objects.filter(person_id=person_id).values_list("pk", flat=True)),
        *(
            ("reason", pk)
            for pk in AccessReason.objects.filter(person_id=person_id).values_list("pk", flat=True)
        ),
    }


def test_a_merge_moves_everything_and_an_unmerge_puts_each_back(actors, amelia, millie):
    before_amelia, before_millie = _rows(amelia.pk), _rows(millie.pk)
    assert {what for what, _ in before_millie} >= {"subject", "share", "reason"}
    merge = services.merge_records(
        actor=actors["mash.practitioner"],
        kept_id=amelia.pk,
        merged_id=millie.pk,
        reason="Same school, same home",
    )
    assert _rows(millie.pk) == set()
    assert _rows(amelia.pk) == before_amelia | before_millie
    assert Person.objects.get(pk=millie.pk).merged_into_id == amelia.pk
    # The merged record is no longer a record anyone opens; the kept one shows what was linked.
    with pytest.raises(NotFound):
        selectors.person_open(actor=actors["mash.practitioner"], person_id=millie.pk)
    [line] = selectors.merges_into(actors["mash.practitioner"], amelia.pk)
    assert line.merge == merge and not line.undone

    services.unmerge(actor=actors["team.manager"], merge_id=merge.pk, reason="Twins: checked with the school")
    assert _rows(amelia.pk) == before_amelia
    assert _rows(millie.pk) == before_millie
    assert Person.objects.get(pk=millie.pk).merged_into_id is None
    assert Merge.objects.get(pk=merge.pk).unmerged_at is not None
    audited = AuditEntry.objects.filter(object_id=str(merge.pk)).values_list("object_type", "person_id")
    assert set(audited) == {(kind, pk) for kind in ("merge", "unmerge") for pk in (amelia.pk, millie.pk)}


def test_only_an_agency_that_may_see_both_records_merges(actors, amelia, millie):
    # A school (the Encompass view only), another council, an administrator and a return-interview service
    # that may see neither record are refused alike, and learn nothing from how.
    for username in ("school.dsl", "bury.social.worker", "council.admin", "return.interviewer"):
        with pytest.raises(NotAllowed):
            services.merge_records(actor=actors[username], kept_id=amelia.pk, merged_id=millie.pk, reason="x")
    assert Person.objects.get(pk=millie.pk).merged_into_id is None


def test_a_merge_needs_a_reason(actors, amelia, millie):
    with pytest.raises(InvalidInput) as error:
        services.merge_records(
            actor=actors["mash.practitioner"], kept_id=amelia.pk, merged_id=millie.pk, reason=" "
        )
    assert "reason" in error.value.errors


def _raise(cast, amelia, millie):
    return services.review_raise(
        organisation=cast.organisations["council"],
        arriving_id=millie.pk,
        candidate_id=amelia.pk,
        score=score(as_record_of(amelia), as_record_of(millie)),
        source=ReviewSource.INTAKE,
    )


def as_record_of(person):
    return match_record(person.given_name, person.family_name, person.date_of_birth, person.sex, [])


def test_kept_apart_is_remembered_and_not_asked_again(cast, actors, amelia, millie):
    review = _raise(cast, amelia, millie)
    assert review is not None and list(selectors.review_queue(actors["mash.practitioner"])) == [review]
    # Not the police's question, nor another council's.
    assert list(selectors.review_queue(actors["police.ppu"])) == []
    assert list(selectors.review_queue(actors["bury.social.worker"])) == []
    with pytest.raises(InvalidInput) as error:
        services.review_decide(
            actor=actors["mash.practitioner"], review_id=review.pk, same_child=None, reason=""
        )
    assert set(error.value.errors) == {"same_child", "reason"}
    services.review_decide(
        actor=actors["mash.practitioner"], review_id=review.pk, same_child=False, reason="Millie is her twin"
    )
    assert MatchReview.objects.get(pk=review.pk).status == ReviewStatus.KEPT_APART
    assert KeptApart.objects.count() == 1
    assert _raise(cast, amelia, millie) is None


def test_linking_from_the_queue_merges_into_the_earlier_record(cast, actors, amelia, millie):
    review = _raise(cast, amelia, millie)
    services.review_decide(
        actor=actors["mash.practitioner"],
        review_id=review.pk,
        same_child=True,
        reason="Same child, called Millie",
    )
    assert Person.objects.get(pk=millie.pk).merged_into_id == amelia.pk
    assert Merge.objects.get(review=review).kept_id == amelia.pk


def test_the_review_pages(cast, actors, amelia, millie, signed_in):
    review = _raise(cast, amelia, millie)
    client = signed_in("mash.practitioner")
    page = client.get(reverse("merging:reviews")).content.decode()
    assert "Millie Hart" in page and "Decide" in page
    page = client.get(reverse("merging:review", args=[review.pk])).content.decode()
    assert "Are these the same child?" in page and "Agrees" in page and "Differs" in page
    answer = client.post(reverse("merging:review", args=[review.pk]), {"reason": ""})
    assert "There is a problem" in answer.content.decode()
    answer = client.post(
        reverse("merging:review", args=[review.pk]), {"same_child": "yes", "reason": "Same child"}
    )
    assert answer.status_code == 302
    page = client.get(reverse("merging:merges", args=[amelia.pk])).content.decode()
    assert "Millie Hart" in page and "Undo this link" in page
    # Another agency's question is not found, and neither is its queue's question by id.
    other = signed_in("bury.social.worker")
    assert other.get(reverse("merging:review", args=[review.pk])).status_code == 404
    assert other.get(reverse("merging:merges", args=[amelia.pk])).status_code == 404
