"""Reading the duplicate-records queue and a record's merges, as the access policy allows."""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet

from openmash.access import policy
from openmash.accounts.actors import Actor
from openmash.lib.errors import NotFound
from openmash.merging.models import MatchReview, Merge, ReviewStatus
from openmash.people import selectors as people_selectors
from openmash.people.models import Person
from openmash.people.selectors import person_open


def review_queue(actor: Actor) -> QuerySet[MatchReview]:
    """The questions waiting at the actor's organisation about records it may see (both of them)."""
    if not policy.works_cases(actor):
        return MatchReview.objects.none()
    visible = people_selectors.visible_people(actor).values("pk")
    return (
        MatchReview.objects.filter(organisation=actor.organisation, status=ReviewStatus.OPEN)
        .filter(arriving__in=visible, candidate__in=visible)
        .select_related("arriving", "candidate")
        .order_by("raised_at")
    )


@dataclass(frozen=True)
class Line:
    label: str
    arriving: str
    candidate: str

    @property
    def agrees(self) -> bool:
        return bool(self.arriving) and self.arriving.casefold() == self.candidate.casefold()


def _identifiers(person: Person, scheme: str) -> str:
    return ", ".join(sorted(i.value for i in person.identifiers.all() if i.scheme == scheme))


def _postcodes(person: Person) -> str:
    return ", ".join(sorted({address.postcode for address in person.addresses.all()}))


def _born(person: Person) -> str:
    return f"{person.date_of_birth:%-d %B %Y}" if person.date_of_birth else ""


@dataclass(frozen=True)
class ReviewView:
    review: MatchReview
    arriving: Person
    candidate: Person
    lines: list[Line]
    comparisons: list[tuple[str, str]]


def review_open(actor: Actor, review_id: uuid.UUID | str) -> ReviewView:
    """One question with both records side by side. Opening it reads both records (audited as such)."""
    try:
        review = review_queue(actor).get(pk=review_id)
    except (MatchReview.DoesNotExist, ValueError) as error:
        raise NotFound("No such question") from error
    arriving = person_open(actor=actor, person_id=review.arriving_id).person
    candidate = person_open(actor=actor, person_id=review.candidate_id).person
    lines = [
        Line("Given name", arriving.given_name, candidate.given_name),
        Line("Family name", arriving.family_name, candidate.family_name),
        Line("Date of birth", _born(arriving), _born(candidate)),
        Line("Sex", arriving.get_sex_display(), candidate.get_sex_display()),
        Line("Postcodes", _postcodes(arriving), _postcodes(candidate)),
        Line("NHS number", _identifiers(arriving, "nhs"), _identifiers(candidate, "nhs")),
        Line("Unique pupil number", _identifiers(arriving, "upn"), _identifiers(candidate, "upn")),
    ]
    return ReviewView(review, arriving, candidate, lines, [tuple(pair) for pair in review.comparisons])


@dataclass(frozen=True)
class MergeLine:
    merge: Merge
    merged_name: str
    merged_born: dt.date | None
    undone: bool


def merges_into(actor: Actor, person_id: uuid.UUID) -> list[MergeLine]:
    """The records merged into this one (and undone merges), for an agency that may see it."""
    if people_selectors.reason_to_see(actor, person_id) is None:
        raise NotFound("No such person")
    merges = Merge.objects.filter(kept_id=person_id).select_related("merged").order_by("-merged_at")
    return [
        MergeLine(merge, merge.merged.full_name, merge.merged.date_of_birth, merge.unmerged_at is not None)
        for merge in merges
    ]
